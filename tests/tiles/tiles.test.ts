// Vector tiles checked against the database they are cut from, decoded as a client decodes them.
import { describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { api, getJson, appUrl, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';

const pool = useTestPool();

async function getTile(path: string, headers: Record<string, string> = {}) {
  const res = await api(appUrl() + path, { headers });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** ids of a layer's rows whose geometry meets the tile's buffered envelope (what the tile must hold) */
async function idsInTile(table: string, t: { z: number; x: number; y: number }, geom = 'geom'): Promise<number[]> {
  const { rows } = await pool.query(
    `SELECT id FROM ${table} WHERE ${geom} && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490)
       AND ST_Intersects(ST_Transform(${geom}, 3857), ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) ORDER BY id`,
    [t.z, t.x, t.y]);
  return rows.map((r) => r.id);
}

describe('GET /tiles/{layer}/{z}/{x}/{y}.mvt', () => {
  it('holds every parcel meeting the tile, with its id, code and status', async () => {
    const t = await tileOver(pool, 'parcel', 15);
    const { status, headers, body } = await getTile(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const features = decodeTile(body, t.z, t.x, t.y).parcel;
    const expected = await idsInTile('parcel', t);
    expect(features.map((f) => f.id).sort((a, b) => a - b)).toEqual(expected);
    const { rows } = await pool.query('SELECT id, code, status, ST_Area(geom::geography) / (10000 / 15.0) AS mu FROM parcel WHERE id = ANY($1)', [expected]);
    for (const row of rows) {
      const f = features.find((x) => x.id === row.id)!;
      expect(f.properties.code).toBe(row.code);
      expect(f.properties.status).toBe(row.status);
      expect(f.properties.area_mu as number).toBeCloseTo(row.mu, 1);
    }
  });

  it('draws each feature where the database has it (within two tile units)', async () => {
    const t = await tileOver(pool, 'parcel', 15);
    const { body } = await getTile(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`);
    const features = decodeTile(body, t.z, t.x, t.y).parcel;
    const unitMetres = (2 * 20037508.342789244) / 2 ** t.z / 4096;
    for (const f of features.slice(0, 50)) {
      const { rows } = await pool.query(
        `SELECT ST_HausdorffDistance(
            ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 3857),
            ST_Intersection(ST_Transform(geom, 3857), ST_TileEnvelope($3, $4, $5, margin => 64.0 / 4096))) AS d
           FROM parcel WHERE id = $2`, [JSON.stringify(f.geometry), f.id, t.z, t.x, t.y]);
      expect(rows[0].d, `parcel ${f.id}`).toBeLessThan(2 * unitMetres);
    }
  });

  it('puts several layers in one tile', async () => {
    const t = await tileOver(pool, 'project', 13, 'red_line IS NOT NULL', 'red_line');
    const { body } = await getTile(`/tiles/red_line,parcel/${t.z}/${t.x}/${t.y}.mvt`);
    const layers = decodeTile(body, t.z, t.x, t.y);
    expect(Object.keys(layers).sort()).toEqual(['parcel', 'red_line']);
    expect(layers.red_line.map((f) => f.id)).toContain(t.id);
    expect(layers.red_line[0].properties.name).toMatch(/[\u4e00-\u9fff]/);
  });

  it('is empty below the layer’s minimum zoom', async () => {
    const { status, body } = await getTile('/tiles/parcel/8/206/111.mvt');
    expect(status).toBe(200);
    expect(body.length).toBe(0);
  });

  it('answers 304 to a matching If-None-Match, with a strong ETag', async () => {
    const t = await tileOver(pool, 'parcel', 14);
    const first = await getTile(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const second = await getTile(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`, { 'If-None-Match': etag });
    expect(second.status).toBe(304);
    expect(second.body.length).toBe(0);
  });

  it('serves the new state after a change committed through the app’s pool (cache invalidated)', async () => {
    // an app of its own in this process, so the write goes through the connection the app listens on
    // (on the embedded backend a notification reaches only the connection whose commit sent it)
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info: (await getJson('/health')).body.database }, auth: { publicRead: true } });
    try {
      const t = await tileOver(pool, 'parcel', 15);
      const url = `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`;
      const before = await app.inject(url);
      expect((await app.inject(url)).headers.etag).toBe(before.headers.etag); // served from the cache
      await app.pg.pool.query(`UPDATE parcel SET owner_name = owner_name || '（测试）' WHERE id = $1`, [t.id]);
      try {
        await new Promise((r) => setTimeout(r, 200)); // NOTIFY arrives after commit
        const after = await app.inject(url);
        expect(after.headers.etag).not.toBe(before.headers.etag);
        const f = decodeTile(after.rawPayload, t.z, t.x, t.y).parcel.find((x) => x.id === t.id)!;
        expect(f.properties.owner_name).toMatch(/（测试）$/);
      } finally {
        await app.pg.pool.query(`UPDATE parcel SET owner_name = replace(owner_name, '（测试）', '') WHERE id = $1`, [t.id]);
      }
    } finally {
      await app.close();
    }
  });

  it('gives a red line its new progress when one of its parcels is handed over', async () => {
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info: (await getJson('/health')).body.database }, auth: { publicRead: true } });
    try {
      const { rows } = await pool.query(
        `SELECT pa.id, pa.status, pa.project_id FROM parcel pa JOIN project pr ON pr.id = pa.project_id
          WHERE pa.status = 'paid' AND pr.land_target_mu > 0 ORDER BY pa.id LIMIT 1`);
      const parcel = rows[0];
      const t = await tileOver(pool, 'project', 12, `id = ${parcel.project_id}`, 'red_line');
      const url = `/tiles/red_line/${t.z}/${t.x}/${t.y}.mvt`;
      const progressOf = async () => decodeTile((await app.inject(url)).rawPayload, t.z, t.x, t.y)
        .red_line.find((f) => f.id === parcel.project_id)!.properties.progress_pct as number;
      const before = await progressOf();
      await app.pg.pool.query(`UPDATE parcel SET status = 'handed_over', handed_over_on = '2022-12-30' WHERE id = $1`, [parcel.id]);
      try {
        await new Promise((r) => setTimeout(r, 200));
        expect(await progressOf()).toBeGreaterThan(before);
      } finally {
        await app.pg.pool.query(`UPDATE parcel SET status = $2, handed_over_on = NULL WHERE id = $1`, [parcel.id, parcel.status]);
      }
    } finally {
      await app.close();
    }
  });
});

describe('tile request errors', () => {
  it.each([
    ['/tiles/nope/1/0/0.mvt', 404, /no layer "nope"/],
    ['/tiles/parcel,nope/1/0/0.mvt', 404, /no layer "nope"/],
    ['/tiles/parcel/a/0/0.mvt', 400, /whole numbers/],
    ['/tiles/parcel/1.5/0/0.mvt', 400, /whole numbers/],
    ['/tiles/parcel/-1/0/0.mvt', 400, /whole numbers/],
    ['/tiles/parcel/2/4/0.mvt', 400, /x and y run from 0 to 3/],
    ['/tiles/parcel/30/0/0.mvt', 400, /above the maximum/],
  ])('%s → %i', async (path, status, message) => {
    const { status: got, body } = await getJson(path);
    expect(got).toBe(status);
    expect(body.message).toMatch(message);
  });
});

describe('GET /tiles/{layer}.json', () => {
  it('is TileJSON 3.0 with the layer’s fields and a tiles URL that works', async () => {
    const { status, body } = await getJson('/tiles/parcel.json');
    expect(status).toBe(200);
    expect(body.tilejson).toBe('3.0.0');
    expect(body.minzoom).toBe(13);
    expect(body.vector_layers[0]).toMatchObject({ id: 'parcel', fields: { code: 'String', status: 'String', area_mu: 'Number', paid_yuan: 'Number' } });
    const url = body.tiles[0].replace('{z}', '14').replace('{x}', '13189').replace('{y}', '7150');
    expect((await api(url)).status).toBe(200);
  });

  it('answers 404 for an unknown layer', async () => {
    expect((await getJson('/tiles/nope.json')).status).toBe(404);
  });
});
