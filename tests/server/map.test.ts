// The map-data API against the database it reads.
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { M2_PER_MU } from '../../geo/units.ts';
import { layerSummaries } from '../../server/map/sql.ts';
import { getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

describe('GET /api/layers', () => {
  it('lists every layer with the row count the database has (the small layers counted)', async () => {
    const { status, body } = await getJson('/api/layers');
    expect(status).toBe(200);
    expect(body.layers.map((l: { id: string }) => l.id)).toEqual(LAYERS.map((l) => l.id));
    for (const layer of LAYERS) {
      const { rows } = await pool.query(`SELECT count(${layer.geometryColumn})::int AS n FROM ${layer.table}`);
      expect(body.layers.find((l: { id: string }) => l.id === layer.id).count, layer.id).toBe(rows[0].n);
    }
  });
});

describe('layer summaries of large layers', () => {
  it('takes their counts and extents from the database statistics, marked estimated', async () => {
    await pool.query('ANALYZE parcel');
    const { rows: [exact] } = await pool.query<{ n: number; x0: number; y0: number; x1: number; y1: number }>(
      `SELECT n, ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1
         FROM (SELECT count(geom)::int AS n, ST_Extent(geom) e FROM parcel) s`);
    // parcels count as large from their own size on; the smaller layers are still counted
    const layers = await layerSummaries(pool, exact.n);
    const parcel = layers.find((l) => l.id === 'parcel')!;
    expect(parcel.estimated).toBe(true);
    expect(Math.abs(parcel.count - exact.n) / exact.n).toBeLessThan(0.02);
    const [x0, y0, x1, y1] = parcel.bbox!;
    for (const [estimate, actual] of [[x0, exact.x0], [y0, exact.y0], [x1, exact.x1], [y1, exact.y1]]) expect(Math.abs(estimate - actual)).toBeLessThan(0.01);
    const small = layers.find((l) => l.id === 'command_area')!;
    const { rows: [areas] } = await pool.query('SELECT count(*)::int AS n FROM command_area');
    expect(small).toMatchObject({ estimated: false, count: areas.n });
  });
});

describe('GET /api/district', () => {
  it('says the data is synthetic and where the district is', async () => {
    const { body } = await getJson('/api/district');
    expect(body.synthetic).toBe(true);
    const [x0, y0, x1, y1] = body.bbox;
    expect(x0).toBeGreaterThanOrEqual(109.2);
    expect(x1).toBeLessThanOrEqual(109.9);
    expect(y0).toBeGreaterThanOrEqual(22.65);
    expect(y1).toBeLessThanOrEqual(23.43);
  });
});

describe('GET /api/layers/:id/features', () => {
  it('returns only features whose geometry meets the bbox', async () => {
    const bbox = [109.55, 23.05, 109.65, 23.12];
    const { status, body, headers } = await getJson(`/api/layers/parcel/features?bbox=${bbox.join(',')}`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/application\/geo\+json/);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM parcel WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)', bbox);
    expect(body.numberReturned).toBe(rows[0].n);
    expect(body.features.length).toBe(rows[0].n);
  });

  it('gives each red line its area in 亩 and progress from handed-over parcels', async () => {
    const { body } = await getJson('/api/layers/red_line/features');
    const { rows } = await pool.query(
      `SELECT pr.id, ST_Area(pr.red_line::geography) / $1 AS area_mu,
              coalesce(sum(ST_Area(pa.geom::geography)) FILTER (WHERE pa.status = 'handed_over'), 0) / $1 AS done_mu,
              pr.land_target_mu::float8 AS target
         FROM project pr LEFT JOIN parcel pa ON pa.project_id = pr.id
        WHERE pr.red_line IS NOT NULL GROUP BY pr.id`, [M2_PER_MU]);
    expect(body.features.length).toBe(rows.length);
    for (const r of rows) {
      const f = body.features.find((x: { id: number }) => x.id === r.id);
      expect(f.properties.area_mu).toBeCloseTo(r.area_mu, 1);
      const pct = r.target > 0 ? Math.min(100, (r.done_mu / r.target) * 100) : 0;
      expect(f.properties.progress_pct).toBeCloseTo(pct, 0);
    }
  });

  it('truncates at the limit and says so', async () => {
    const { body } = await getJson('/api/layers/parcel/features?limit=5');
    expect(body.numberReturned).toBe(5);
    expect(body.truncated).toBe(true);
  });

  it('answers 404 for an unknown layer', async () => {
    const { status, body } = await getJson('/api/layers/nope/features');
    expect(status).toBe(404);
    expect(body.message).toMatch(/no layer "nope"/);
  });

  it.each([
    ['1,2,3', /four numbers/],
    ['109.7,23,109.6,23.1', /minimum above its maximum/],
    ['200,0,201,1', /outside/],
  ])('answers 400 for bbox=%s', async (bbox, message) => {
    const { status, body } = await getJson(`/api/layers/parcel/features?bbox=${bbox}`);
    expect(status).toBe(400);
    expect(body.message).toMatch(message);
  });

  it('answers 400 for a limit over the maximum', async () => {
    const { status, body } = await getJson('/api/layers/parcel/features?limit=999999');
    expect(status).toBe(400);
    expect(body.message).toMatch(/limit/);
  });
});
