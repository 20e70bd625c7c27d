// Every export opened with GDAL (ogrinfo -al -so, ogr2ogr to GeoJSON): the same feature count, Chinese
// text intact, coordinates within 1 mm of the source (compared in PostGIS in the export's own CRS:
// GDAL does no reprojection here). Skipped, with the reason printed, when GDAL is not installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { download, gdalMissing } from './helpers.ts';

if (gdalMissing) console.warn(gdalMissing);

const pool = useTestPool();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-gdal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let projectId: number;
let count: number;

beforeAll(async () => {
  const { rows } = await pool.query(`SELECT project_id, count(*)::int n FROM parcel GROUP BY project_id HAVING count(*) BETWEEN 50 AND 400 ORDER BY project_id LIMIT 1`);
  projectId = rows[0].project_id;
  count = rows[0].n;
});

const ogr = (args: string[]): string => execFileSync('ogrinfo', ['-ro', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function toGeoJson(file: string, extra: string[] = []): any {
  const out = path.join(tmp, `${path.basename(file)}.${Math.random().toString(36).slice(2)}.json`);
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-lco', 'RFC7946=NO', '-lco', 'COORDINATE_PRECISION=10', ...extra, out, file], { stdio: 'pipe' });
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** Max distance (m, in the export CRS or its GK zone) between GDAL's geometries and the parcels, matched by code. */
async function maxDistance(features: any[], epsg: number, codeOf: (f: any) => string): Promise<{ n: number; max: number }> {
  const rows = features.map((f) => ({ code: codeOf(f), g: JSON.stringify(f.geometry) }));
  const { rows: [r] } = await pool.query(
    `SELECT count(*)::int n, max(ST_HausdorffDistance(z.a, z.b)) AS max FROM jsonb_to_recordset($1::jsonb) AS x(code text, g text)
       JOIN parcel p ON p.code = x.code
       CROSS JOIN LATERAL (SELECT CASE WHEN $2 IN (4490, 4326) THEN 4513 + round(ST_X(ST_Centroid(p.geom)) / 3)::int - 25 ELSE $2 END AS gk) k
       CROSS JOIN LATERAL (SELECT ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(x.g), $2), k.gk) a, ST_Transform(p.geom, k.gk) b) z`,
    [JSON.stringify(rows), epsg]);
  return r;
}

async function ownerNames(): Promise<Map<string, string>> {
  const { rows } = await pool.query(`SELECT code, owner_name FROM parcel WHERE project_id = $1`, [projectId]);
  return new Map(rows.map((r) => [r.code, r.owner_name]));
}

async function save(query: string, name: string): Promise<{ file: string; epsg: number }> {
  const res = await download(`layer=parcel&project=${projectId}&${query}`);
  expect(res.status).toBe(200);
  const file = path.join(tmp, name);
  writeFileSync(file, res.body);
  return { file, epsg: Number(res.headers.get('x-export-crs')!.replace('EPSG:', '')) };
}

const VECTOR_CASES = [
  { query: 'format=geojson', name: 'p.geojson' },
  { query: 'format=geojson&crs=EPSG:4525', name: 'p4525.geojson' },
  { query: 'format=csv&crs=EPSG:4524', name: 'p.csv', open: ['-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-oo', 'KEEP_GEOM_COLUMNS=NO'] },
  { query: 'format=shp', name: 'p.zip', vsi: '/vsizip/' },
  { query: 'format=shp&encoding=gbk&crs=gk', name: 'pgbk.zip', vsi: '/vsizip/' },
  { query: 'format=shp&crs=EPSG:4546', name: 'p4546.zip', vsi: '/vsizip/' },
  { query: 'format=gpkg', name: 'p.gpkg' },
  { query: 'format=gpkg&crs=EPSG:4545', name: 'p4545.gpkg' },
  { query: 'format=kml&crs=EPSG:4326', name: 'p.kml' },
];

describe.skipIf(!!gdalMissing).each(VECTOR_CASES)('GDAL reads $query', (c) => {
  let file: string;
  let epsg: number;
  let json: any;
  beforeAll(async () => {
    ({ file, epsg } = await save(c.query, c.name));
    if (c.vsi) file = `${c.vsi}${file}`;
    json = toGeoJson(file, c.open ?? []);
  });

  it('ogrinfo -al -so: the feature count', () => {
    const info = ogr(['-al', '-so', ...(c.open ?? []), file]);
    expect(info).toContain(`Feature Count: ${count}`);
  });

  it('ogrinfo: the CRS the export says', () => {
    if (c.query.includes('format=csv')) return; // CSV has no CRS
    const info = ogr(['-al', '-so', file]);
    // RFC 7946 GeoJSON is CRS84 by definition (CGCS2000 written as is: PROJ's ballpark equivalence)
    const expectName = epsg === 4326 || (c.query === 'format=geojson') ? 'WGS 84' : epsg === 4490 ? 'China Geodetic Coordinate System 2000' : `CGCS2000 / 3-degree Gauss-Kruger`;
    expect(info).toContain(expectName);
  });

  it('ogr2ogr to GeoJSON: Chinese owner names intact', async () => {
    const names = await ownerNames();
    expect(json.features).toHaveLength(count);
    const wrong = json.features.filter((f: any) => f.properties.owner_name !== names.get(f.properties.code));
    expect(wrong.map((f: any) => f.properties.code)).toEqual([]);
    expect(json.features.some((f: any) => /[\u4e00-\u9fff]/.test(f.properties.owner_name))).toBe(true);
  });

  it('ogr2ogr to GeoJSON: coordinates within 1 mm of the source', async () => {
    const r = await maxDistance(json.features, epsg, (f) => f.properties.code);
    expect(r.n).toBe(count);
    expect(r.max).toBeLessThan(0.001);
  });
});

describe.skipIf(!!gdalMissing)('GDAL reads the DXF', () => {
  let json: any;
  let epsg: number;
  beforeAll(async () => {
    const saved = await save('format=dxf', 'p.dxf');
    epsg = saved.epsg;
    json = toGeoJson(saved.file);
  });

  it('one closed polyline per ring on the layer "parcel", one label per parcel on "parcel_label"', async () => {
    const { rows: [r] } = await pool.query(`SELECT sum(ST_NRings(geom))::int rings FROM parcel WHERE project_id = $1`, [projectId]);
    const lines = json.features.filter((f: any) => f.properties.Layer === 'parcel');
    const labels = json.features.filter((f: any) => f.properties.Layer === 'parcel_label');
    expect(lines).toHaveLength(r.rings);
    expect(labels).toHaveLength(count);
    for (const l of lines) {
      const c = l.geometry.coordinates;
      expect(c[0]).toEqual(c[c.length - 1]); // GDAL closes a closed polyline
    }
  });

  it('labels carry the code and the Chinese owner name', async () => {
    const names = await ownerNames();
    const labels = json.features.filter((f: any) => f.properties.Layer === 'parcel_label');
    const wrong = labels.filter((f: any) => {
      const [code, ...rest] = String(f.properties.Text).split(' ');
      return names.get(code) !== rest.join(' ');
    });
    expect(wrong).toEqual([]);
  });

  it('every polyline vertex lies within 1 mm of the parcels and every parcel vertex within 1 mm of a polyline', async () => {
    const lines = json.features.filter((f: any) => f.properties.Layer === 'parcel').map((f: any) => JSON.stringify(f.geometry));
    const { rows: [r] } = await pool.query(
      `SELECT ST_HausdorffDistance(
          (SELECT ST_Collect(ST_SetSRID(ST_GeomFromGeoJSON(g), $2)) FROM unnest($1::text[]) g),
          (SELECT ST_Collect(ST_Boundary(ST_Transform(geom, $2))) FROM parcel WHERE project_id = $3)) AS d`, [lines, epsg, projectId]);
    expect(r.d).toBeLessThan(0.001);
  });
});

describe.skipIf(!!gdalMissing)('GDAL reads the Excel ledger', () => {
  let json: any;
  beforeAll(async () => {
    json = toGeoJson((await save('format=xlsx', 'p.xlsx')).file);
  });

  it('one row per parcel plus the totals row, under Chinese headers', () => {
    expect(json.features).toHaveLength(count + 1);
    expect(Object.keys(json.features[0].properties)).toEqual(expect.arrayContaining(['宗地编号', '权利人', '状态', '面积(亩)', '面积(m²，椭球面)']));
    expect(json.features[count].properties['序号']).toBe('合计');
  });

  it('Chinese owner names and statuses intact; areas in 亩 and m² agree', async () => {
    const names = await ownerNames();
    const rows = json.features.slice(0, count);
    expect(rows.filter((f: any) => names.get(f.properties['宗地编号']) !== f.properties['权利人'])).toEqual([]);
    expect(rows.every((f: any) => ['未签约', '已签约', '已付款', '已交地', '司法征收'].includes(f.properties['状态']))).toBe(true);
    for (const f of rows) expect(f.properties['面积(亩)']).toBeCloseTo(f.properties['面积(m²，椭球面)'] * 15 / 10000, 1);
  });

  it('the totals row sums the areas', () => {
    const rows = json.features.slice(0, count);
    const sum = rows.reduce((s: number, f: any) => s + f.properties['面积(m²，椭球面)'], 0);
    expect(json.features[count].properties['面积(m²，椭球面)']).toBeCloseTo(sum, 0);
  });
});
