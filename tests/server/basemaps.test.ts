// Basemaps (server/basemaps.ts): the BASEMAPS and TIANDITU_KEY configuration, the list a client gets
// and the tile proxy. A local XYZ server (tests/fixtures/basemaps/xyz-server.ts) stands in for the
// remote services; no request leaves the machine (天地图 URLs are checked as generated, not fetched).
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { type Basemap, TIANDITU, upstreamUrl } from '../../server/basemaps.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { authHeaders, getJson } from '../helpers/db.ts';
import { startXyzServer, TILE_PNG, type XyzServer } from '../fixtures/basemaps/xyz-server.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/basemaps/${name}`, import.meta.url), 'utf8');
/** a key of 天地图's shape (32 hex digits); never sent anywhere */
const DUMMY_KEY = '0123456789abcdef0123456789abcdef';
/** the environment without any basemap setting of the machine running the tests */
const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const { TIANDITU_KEY: _k, BASEMAPS: _b, ...rest } = process.env;
  return { ...rest, ...extra };
};
const refusal = (e: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('BASEMAPS configuration', () => {
  it('refuses a source that declares GCJ-02, saying why', () => {
    const message = refusal(env({ BASEMAPS: fixture('gaode-gcj02.json') }));
    expect(message).toMatch(/^BASEMAPS\[0\] \("gaode"\): datum GCJ-02 is refused/);
    expect(message).toContain('hundreds of metres');
    expect(message).toContain('CGCS2000');
  });

  it('refuses a source that declares BD-09, saying why', () => {
    const message = refusal(env({ BASEMAPS: fixture('baidu-bd09.json') }));
    expect(message).toMatch(/^BASEMAPS\[0\] \("baidu"\): datum BD-09 is refused/);
    expect(message).toContain('hundreds of metres');
  });

  it('refuses a source without a datum', () => {
    const entry = JSON.parse(fixture('survey-wmts.json'))[0];
    delete entry.datum;
    expect(refusal(env({ BASEMAPS: JSON.stringify([entry]) }))).toMatch(/^BASEMAPS\[0\] \("survey"\): datum is required/);
  });

  it('says which entry and field is wrong', () => {
    const [entry] = JSON.parse(fixture('survey-wmts.json'));
    expect(refusal(env({ BASEMAPS: '[{' }))).toMatch(/^BASEMAPS is not valid JSON/);
    expect(refusal(env({ BASEMAPS: JSON.stringify([entry, { ...entry, url: 'https://x.example/{z}/{x}.png' }]) })))
      .toBe('BASEMAPS[1] ("survey"): url needs {y} (or {TileRow}) where the tile\'s row goes');
    expect(refusal(env({ BASEMAPS: JSON.stringify([{ ...entry, tileSize: 300 }]) }))).toContain('tileSize must be 256 or 512');
    expect(refusal(env({ BASEMAPS: JSON.stringify([{ ...entry, attribution: '' }]) }))).toContain('attribution is required');
    expect(refusal(env({ BASEMAPS: JSON.stringify([entry, entry]) }))).toBe('BASEMAPS[1] ("survey"): the id is used twice');
  });

  it('takes a WMTS source in the web-mercator grid, with its datum', () => {
    const [survey] = loadConfig(env({ BASEMAPS: fixture('survey-wmts.json') })).basemaps;
    expect(survey).toMatchObject({ id: 'survey', datum: 'CGCS2000', tileSize: 256, minzoom: 0, maxzoom: 19, attribution: '© 某市测绘院' });
    const url = new URL(upstreamUrl(survey.layers[0].url, 15, 26379, 14301));
    expect(url.searchParams.get('TILEMATRIX')).toBe('15');
    expect(url.searchParams.get('TILEROW')).toBe('14301');
    expect(url.searchParams.get('TILECOL')).toBe('26379');
  });
});

describe('天地图', () => {
  it('is absent without TIANDITU_KEY', async () => {
    expect(loadConfig(env({})).basemaps).toEqual([]);
    // the suite's server runs without a key
    const { status, body } = await getJson('/api/basemaps');
    expect(status).toBe(200);
    expect(body.basemaps.filter((b: { id: string }) => b.id.startsWith('tianditu'))).toEqual([]);
  });

  it('with a key: vector, imagery and terrain, each with its annotation layer, in CGCS2000', () => {
    const basemaps = loadConfig(env({ TIANDITU_KEY: DUMMY_KEY })).basemaps;
    expect(basemaps.map((b) => [b.id, b.layers.map((l) => l.id), b.datum])).toEqual([
      ['tianditu_vec', ['tianditu_vec', 'tianditu_cva'], 'CGCS2000'],
      ['tianditu_img', ['tianditu_img', 'tianditu_cia'], 'CGCS2000'],
      ['tianditu_ter', ['tianditu_ter', 'tianditu_cta'], 'CGCS2000'],
    ]);
  });

  it('requests tiles by the official web-mercator WMTS pattern', () => {
    const basemaps = loadConfig(env({ TIANDITU_KEY: DUMMY_KEY })).basemaps;
    const [z, x, y] = [14, 13189, 7150];
    for (const layer of basemaps.flatMap((b) => b.layers)) {
      const name = layer.id.replace('tianditu_', '');
      const url = new URL(upstreamUrl(layer.url, z, x, y));
      expect(url.protocol).toBe('https:');
      expect(url.host).toBe(`t${(x + y) % 8}.tianditu.gov.cn`);
      expect(url.pathname).toBe(`/${name}_w/wmts`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        SERVICE: 'WMTS', REQUEST: 'GetTile', VERSION: '1.0.0', LAYER: name, STYLE: 'default',
        TILEMATRIXSET: 'w', FORMAT: 'tiles', TILEMATRIX: '14', TILEROW: '7150', TILECOL: '13189', tk: DUMMY_KEY,
      });
    }
    expect(TIANDITU.map((t) => t.layers.join('+'))).toEqual(['vec+cva', 'img+cia', 'ter+cta']);
  });

  it('refuses a key that is not one', () => {
    expect(refusal(env({ TIANDITU_KEY: 'my key' }))).toContain('TIANDITU_KEY must be');
  });
});

describe('GET /api/basemaps and the tile proxy', () => {
  let xyz: XyzServer;
  let app: FastifyInstance;
  let open: FastifyInstance;
  let basemaps: Basemap[];

  beforeAll(async () => {
    xyz = await startXyzServer();
    basemaps = loadConfig(env({
      TIANDITU_KEY: DUMMY_KEY,
      BASEMAPS: JSON.stringify([
        { id: 'local', title: { zh: '本地瓦片', en: 'Local tiles' }, url: `${xyz.origin}/xyz/{z}/{x}/{y}.png`, attribution: '© 本地测试瓦片', datum: 'WGS84', maxzoom: 18 },
        { id: 'broken', title: '坏的', url: `${xyz.origin}/not-an-image/{z}/{x}/{y}?tk=SECRET-IN-URL`, attribution: '© 坏', datum: 'CGCS2000' },
        { id: 'gone', title: '无应答', url: 'http://127.0.0.1:9/{z}/{x}/{y}.png', attribution: '© 无', datum: 'CGCS2000' },
        { id: 'missing', title: '缺瓦片', url: `${xyz.origin}/missing/{z}/{x}/{y}.png`, attribution: '© 缺', datum: 'CGCS2000' },
      ]),
    })).basemaps;
    const info = (await getJson('/health')).body.database;
    app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, basemaps });
    open = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, basemaps, auth: { publicRead: true } });
  });
  afterAll(async () => {
    await app?.close();
    await open?.close();
    await xyz?.close();
  });

  it('lists each basemap with its attribution, datum and proxy URLs, never the upstream or the key', async () => {
    const res = await app.inject({ url: '/api/basemaps', headers: authHeaders('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(DUMMY_KEY);
    expect(res.body).not.toContain('tianditu.gov.cn/');
    expect(res.body).not.toContain(xyz.origin);
    const list = res.json().basemaps as { id: string; tiles: string[]; attribution: string; datum: string }[];
    expect(list.map((b) => b.id)).toEqual(['tianditu_vec', 'tianditu_img', 'tianditu_ter', 'local', 'broken', 'gone', 'missing']);
    expect(list[0].tiles).toEqual(['/basemaps/tianditu_vec/{z}/{x}/{y}', '/basemaps/tianditu_cva/{z}/{x}/{y}']);
    expect(list[3]).toMatchObject({ attribution: '© 本地测试瓦片', datum: 'WGS84' });
  });

  it('answers a visitor without a session 401, unless anonymous read is on; the key stays out of both', async () => {
    const closed = await app.inject({ url: '/api/basemaps' });
    expect(closed.statusCode).toBe(401);
    expect((await app.inject({ url: '/basemaps/local/14/13189/7150' })).statusCode).toBe(401);
    // an account without a role reads nothing, basemaps included
    expect((await app.inject({ url: '/api/basemaps', headers: authHeaders('norole') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/basemaps/local/14/13189/7150', headers: authHeaders('norole') })).statusCode).toBe(403);
    const anonymous = await open.inject({ url: '/api/basemaps' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).not.toContain(DUMMY_KEY);
  });

  it('relays a tile from the upstream server', async () => {
    const before = xyz.requests.length;
    const res = await app.inject({ url: '/basemaps/local/14/13189/7150', headers: authHeaders('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.equals(TILE_PNG)).toBe(true);
    expect(xyz.requests.slice(before)).toEqual(['/xyz/14/13189/7150.png']);
  });

  it('answers 502 basemap_unavailable when the upstream sends no image, without naming its URL', async () => {
    const res = await app.inject({ url: '/basemaps/broken/14/13189/7150', headers: authHeaders() });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: 'basemap_unavailable', params: { basemap: 'broken' } });
    expect(res.body).not.toContain('SECRET-IN-URL');
    expect(res.body).not.toContain(xyz.origin);
  });

  it('answers 502 basemap_unavailable when the upstream cannot be reached', async () => {
    const res = await app.inject({ url: '/basemaps/gone/14/13189/7150', headers: authHeaders() });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toBe('basemap_unavailable');
  });

  it('refuses an unknown layer (404) and a tile that does not exist (400)', async () => {
    expect((await app.inject({ url: '/basemaps/nosuch/14/13189/7150', headers: authHeaders() })).json().error).toBe('not_found');
    const res = await app.inject({ url: '/basemaps/local/2/4/0', headers: authHeaders() });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('x and y run from 0 to 3');
  });

  it('passes an upstream 404 on as 404', async () => {
    const res = await app.inject({ url: '/basemaps/missing/14/13189/7150', headers: authHeaders() });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });
});
