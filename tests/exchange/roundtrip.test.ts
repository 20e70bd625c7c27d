// Round trip for every format: export a project's parcels → import the file → the preview holds the
// same features (matched by code), the same attribute values and the same geometry within 1 mm
// (Hausdorff distance in the Gauss–Krüger plane, after the file's CRS is transformed back to EPSG:4490).
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { download, upload } from './helpers.ts';

const pool = useTestPool();
let projectId: number;
let expectedCount: number;

beforeAll(async () => {
  // the project with the most parcels that has a hole-free, moderate count: keeps the suite quick
  const { rows } = await pool.query(`SELECT project_id, count(*)::int n FROM parcel GROUP BY project_id HAVING count(*) BETWEEN 50 AND 400 ORDER BY project_id LIMIT 1`);
  projectId = rows[0].project_id;
  expectedCount = rows[0].n;
});

const ATTRS = ['code', 'project_id', 'owner_type', 'owner_name', 'land_class', 'status', 'agreed_compensation_yuan', 'paid_yuan'];

interface Case { format: string; crs?: string; encoding?: string; eol?: string; file: string; attrs: string[]; epsg: number }
const CASES: Case[] = [
  { format: 'geojson', file: 'p.geojson', attrs: ATTRS, epsg: 4490 },
  { format: 'geojson', crs: 'EPSG:4524', file: 'p.geojson', attrs: ATTRS, epsg: 4524 },
  { format: 'csv', crs: 'EPSG:4545', file: 'p.csv', attrs: ATTRS, epsg: 4545 },
  { format: 'csv', encoding: 'gbk', file: 'p.csv', attrs: ATTRS, epsg: 4490 },
  { format: 'shp', file: 'p.zip', attrs: ATTRS, epsg: 4490 },
  { format: 'shp', crs: 'gk', encoding: 'gbk', file: 'p.zip', attrs: ATTRS, epsg: 0 },
  { format: 'shp', crs: 'EPSG:4546', file: 'p.zip', attrs: ATTRS, epsg: 4546 },
  { format: 'gpkg', file: 'p.gpkg', attrs: ATTRS, epsg: 4490 },
  { format: 'gpkg', crs: 'EPSG:4525', file: 'p.gpkg', attrs: ATTRS, epsg: 4525 },
  { format: 'kml', crs: 'EPSG:4326', file: 'p.kml', attrs: ATTRS, epsg: 4326 },
  { format: 'dxf', file: 'p.dxf', attrs: ATTRS, epsg: 0 },
  { format: 'txt', file: 'p.txt', attrs: ['code', 'owner_name', 'land_class'], epsg: 0 },
  { format: 'txt', crs: 'gk-noprefix', encoding: 'utf-8', eol: 'lf', file: 'p.txt', attrs: ['code', 'owner_name', 'land_class'], epsg: 0 },
  { format: 'xlsx', file: 'p.xlsx', attrs: ATTRS, epsg: 0 },
];

describe.each(CASES)('round trip $format crs=$crs encoding=$encoding', (c) => {
  let preview: any;
  beforeAll(async () => {
    const q = new URLSearchParams({ layer: 'parcel', format: c.format, project: String(projectId) });
    if (c.crs) q.set('crs', c.crs);
    if (c.encoding) q.set('encoding', c.encoding);
    if (c.eol) q.set('eol', c.eol);
    const file = await download(q.toString());
    expect(file.status).toBe(200);
    // CSV and DXF carry no CRS: a Gauss–Krüger file without the zone prefix needs it said
    const fields: Record<string, string> = c.format === 'csv' && c.epsg === 4545 ? { crs: 'EPSG:4545' } : {};
    const res = await upload([{ name: c.file, data: file.body }], fields);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    preview = res.body;
  });

  it('gives back every feature, each matched to its parcel, with no errors', () => {
    expect(preview.counts.features).toBe(expectedCount);
    expect(preview.counts.update).toBe(expectedCount);
    expect(preview.counts.errors).toBe(0);
  });

  it('reads the CRS the file was written in', () => {
    if (c.format === 'xlsx') expect(preview.crs.epsg).toBeNull();
    else if (c.epsg) expect(preview.crs.epsg).toBe(c.epsg);
    else expect([4524, 4525, 4545, 4546]).toContain(preview.crs.epsg);
  });

  it('gives back the same attribute values', async () => {
    const cols = c.attrs;
    const { rows } = await pool.query(
      `SELECT p.code, ${cols.map((a) => `(r).${a} IS NOT DISTINCT FROM p.${a} AS "${a}"`).join(', ')}
         FROM import_feature f CROSS JOIN LATERAL jsonb_populate_record(NULL::parcel, f.attrs) r JOIN parcel p ON p.code = f.attrs->>'code'
        WHERE f.batch_id = $1`, [preview.id]);
    expect(rows).toHaveLength(expectedCount);
    const mismatches = rows.flatMap((r) => cols.filter((a) => !r[a]).map((a) => `${r.code}.${a}`));
    expect(mismatches).toEqual([]);
  });

  it.skipIf(c.format === 'xlsx')('gives back the same geometry within 1 mm', async () => {
    const { rows: [r] } = await pool.query(
      `SELECT count(*)::int n, max(ST_HausdorffDistance(ST_Transform(f.geom, z), ST_Transform(p.geom, z))) AS max_m,
              sum(abs(ST_NumInteriorRings(ST_GeometryN(f.geom, 1)) - ST_NumInteriorRings(ST_GeometryN(p.geom, 1))))::int AS ring_diff,
              sum(abs(ST_NumGeometries(f.geom) - ST_NumGeometries(p.geom)))::int AS part_diff
         FROM import_feature f JOIN parcel p ON p.code = f.attrs->>'code'
         CROSS JOIN LATERAL (SELECT 4513 + round(ST_X(ST_Centroid(p.geom)) / 3)::int - 25 AS z) zz
        WHERE f.batch_id = $1`, [preview.id]);
    expect(r.n).toBe(expectedCount);
    expect(r.max_m).toBeLessThan(0.001);
    expect(r.ring_diff).toBe(0);
    expect(r.part_diff).toBe(0);
  });
});
