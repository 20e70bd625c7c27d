// The app behind PgBouncer in transaction pooling mode, configured by the shipped deploy/pgbouncer.ini:
// two server connections shared by the app's eight, statements unnamed (DATABASE_PREPARED_STATEMENTS=
// false, as PgBouncer 1.18 needs), LISTEN on the direct connection (DATABASE_DIRECT_URL). Tiles, items,
// a write with its history, an export, a conflict analysis, the tile cache hearing the write and a
// session ended elsewhere all work through it. And why the switch exists: named statements break there.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { authHeaders, getJson, useTestPool } from '../helpers/db.ts';
import { bouncerUnavailable, startBouncer, type TestBouncer } from '../helpers/pgbouncer.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';

const why = inject('backend') !== 'postgres' ? 'runs with the PostgreSQL suite (the embedded database has no pooler)' : bouncerUnavailable();
if (why) process.stdout.write(`PgBouncer tests skipped: ${why}\n`);

describe.skipIf(why !== null)('behind PgBouncer (transaction pooling)', () => {
  const pool = useTestPool();
  let bouncer: TestBouncer;
  let app: FastifyInstance;
  const viaBouncer = async (prepared: boolean) => {
    const info = (await getJson('/health')).body.database;
    const direct = inject('databaseUrl');
    const a = await buildApp({
      database: { url: bouncer.url(new URL(direct).pathname.slice(1)), directUrl: direct, preparedStatements: prepared, poolMax: 8, info },
      tileCacheBytes: 16 * 1024 * 1024,
    });
    await a.ready();
    return a;
  };

  beforeAll(async () => {
    bouncer = await startBouncer(new URL(inject('databaseUrl')), { poolSize: 2 });
    app = await viaBouncer(false);
  });
  afterAll(async () => {
    await app?.close();
    await bouncer?.stop();
  });

  const headers = authHeaders('tester');

  it('serves tiles and items through two shared server connections', async () => {
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY id LIMIT 8');
    const tiles = await Promise.all(rows.map(async (r) => {
      const t = await tileOver(pool, 'parcel', 15, `id = ${r.id}`);
      const res = await app.inject({ url: `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`, headers });
      expect(res.statusCode, res.body).toBe(200);
      return decodeTile(res.rawPayload, t.z, t.x, t.y).parcel?.map((f) => f.id) ?? [];
    }));
    rows.forEach((r, i) => expect(tiles[i]).toContain(r.id));
    const pages = await Promise.all([0, 100, 200, 300].map((offset) => app.inject({ url: `/ogc/collections/parcel/items?limit=100&offset=${offset}`, headers })));
    for (const p of pages) expect(p.statusCode, p.body).toBe(200);
    expect(new Set(pages.flatMap((p) => p.json().features.map((f: { id: number }) => f.id))).size).toBe(400);
  });

  it('writes with If-Match and history, and its tile cache hears the change on the direct connection', async () => {
    const { rows: [parcel] } = await pool.query<{ id: number }>(`SELECT id FROM parcel WHERE owner_type <> 'military' ORDER BY id DESC LIMIT 1`);
    const t = await tileOver(pool, 'parcel', 15, `id = ${parcel.id}`);
    const tileUrl = `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`;
    const ownerIn = async () => decodeTile((await app.inject({ url: tileUrl, headers })).rawPayload, t.z, t.x, t.y).parcel.find((f) => f.id === parcel.id)?.properties.owner_name;
    await ownerIn(); // cached now
    const item = await app.inject({ url: `/ogc/collections/parcel/items/${parcel.id}`, headers });
    const name = `经连接池 ${Date.now() % 100000}`;
    const res = await app.inject({
      method: 'PATCH', url: `/ogc/collections/parcel/items/${parcel.id}`,
      headers: { ...headers, 'content-type': 'application/merge-patch+json', 'if-match': item.headers.etag as string },
      payload: JSON.stringify({ properties: { owner_name: name }, reason: 'pgbouncer test' }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const history = await app.inject({ url: `/ogc/collections/parcel/items/${parcel.id}/history`, headers });
    expect(history.statusCode).toBe(200);
    expect(JSON.stringify(history.json())).toContain(name);
    const t0 = performance.now();
    while ((await ownerIn()) !== name && performance.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(await ownerIn()).toBe(name);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('streams an export and answers a conflict analysis', async () => {
    const exp = await app.inject({ url: '/api/export?layer=red_line&format=geojson', headers });
    expect(exp.statusCode, exp.body.slice(0, 300)).toBe(200);
    const { rows: [{ n }] } = await pool.query<{ n: number }>('SELECT count(*)::int n FROM project WHERE red_line IS NOT NULL');
    expect(exp.json().features.length).toBe(n);
    const { rows: [p] } = await pool.query<{ id: number }>('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1');
    const conflicts = await app.inject({ method: 'POST', url: '/api/conflicts', headers: { ...headers, 'content-type': 'application/json' }, payload: { projectId: p.id } });
    expect(conflicts.statusCode, conflicts.body.slice(0, 300)).toBe(200);
  });

  it('ends a session within 1 s of a logout elsewhere (revocations heard on the direct connection)', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'viewer', password: inject('testPassword') } });
    expect(login.statusCode).toBe(200);
    const cookie = `zs_session=${/zs_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]}`;
    expect((await app.inject({ url: '/api/layers', headers: { cookie } })).statusCode).toBe(200);
    const hash = createHash('sha256').update(cookie.slice('zs_session='.length)).digest('base64url');
    expect((await pool.query('DELETE FROM app_session WHERE token_hash = $1', [hash])).rowCount).toBe(1);
    const t0 = performance.now();
    while ((await app.inject({ url: '/api/layers', headers: { cookie } })).statusCode !== 401 && performance.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('fails with named tile statements, which a transaction pooler hands to other server connections', async () => {
    const named = await viaBouncer(true);
    try {
      const { rows } = await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY id LIMIT 24');
      const coords = await Promise.all(rows.map((r) => tileOver(pool, 'parcel', 15, `id = ${r.id}`)));
      const statuses: number[] = [];
      for (let round = 0; round < 6; round++) {
        const batch = coords.slice(round * 4, round * 4 + 4);
        statuses.push(...(await Promise.all(batch.map((t) => named.inject({ url: `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`, headers }).then((r) => r.statusCode)))));
      }
      expect(statuses.filter((s) => s >= 500).length, `statuses ${statuses.join(',')}`).toBeGreaterThan(0);
    } finally {
      await named.close();
    }
  });
});
