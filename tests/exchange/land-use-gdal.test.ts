// The land bureau loads the third survey's land use (三调地类图斑, DLTB) the way it has it: written by
// GDAL (ogr2ogr) as a zipped Shapefile in GBK and as a GeoPackage in the Gauss–Krüger zone, with the
// survey's own field names (TBBH 图斑编号, DLBM 地类编码, DLMC 地类名称 in Chinese). Imported through
// POST /api/import as the land bureau and committed: the class codes are kept as the file has them
// (leading zeros, the working classes' letters), the geometry and its area stored; codes that are no
// GB/T 21010 class are refused with a named error, and nothing is written. The rows are removed again
// after each file (the land-use layer tiles the district; other suites count on it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { api, useTestPool } from '../helpers/db.ts';
import { gdalMissing } from './helpers.ts';

if (gdalMissing) console.warn(gdalMissing);

const pool = useTestPool();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-landuse-gdal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FIXTURES = new URL('../fixtures/exchange/land-use/', import.meta.url);
const fixturePath = (name: string) => new URL(name, FIXTURES).pathname;
interface SurveyFeature { type: 'Feature'; properties: { TBBH: string; DLBM: string; DLMC: string }; geometry: GeoJSON.Polygon }
const survey = (name: string): SurveyFeature[] => JSON.parse(readFileSync(fixturePath(name), 'utf8')).features;

/** ogr2ogr, as the land bureau's GIS would write the file. */
const ogr2ogr = (args: string[]) => execFileSync('ogr2ogr', args, { stdio: 'pipe' });

function zipDir(dir: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of readdirSync(dir)) zip.addFile(path.join(dir, f), f);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

// The fixtures are GeoJSON in CGCS2000 lon/lat (EPSG:4490), as the survey's data is: said to GDAL, which
// would otherwise take GeoJSON for WGS 84.
/** The fixture as a GBK Shapefile (.shp .shx .dbf .prj .cpg) in EPSG:4490, zipped. */
async function shapefileZip(fixture: string): Promise<{ name: string; data: Buffer }> {
  const dir = mkdtempSync(path.join(tmp, 'shp-'));
  ogr2ogr(['-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4490', '-lco', 'ENCODING=GBK', '-nln', 'DLTB', dir, fixturePath(fixture)]);
  return { name: 'DLTB.zip', data: await zipDir(dir) };
}

/** The fixture as a GeoPackage in CGCS2000 3° GK zone 37 with the zone prefix (EPSG:4525), reprojected by GDAL (PROJ). */
function geopackage(fixture: string): { name: string; data: Buffer } {
  const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.gpkg`);
  ogr2ogr(['-f', 'GPKG', '-s_srs', 'EPSG:4490', '-t_srs', 'EPSG:4525', '-nln', 'DLTB', file, fixturePath(fixture)]);
  return { name: 'DLTB.gpkg', data: readFileSync(file) };
}

async function upload(file: { name: string; data: Buffer }, who = 'bureau'): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('layer', 'land_use');
  form.append('file', new Blob([new Uint8Array(file.data)]), file.name);
  const res = await api('/api/import', { who, method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

async function commit(id: number, who = 'bureau'): Promise<{ status: number; body: any }> {
  const res = await api(`/api/import/${id}/commit`, { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { status: res.status, body: await res.json() };
}

const removeRows = (codes: string[]) => pool.query('DELETE FROM land_use WHERE code = ANY($1::text[])', [codes]);

/** The stored rows of these codes, with the area the database keeps and the area of the fixture's own polygon. */
async function stored(features: SurveyFeature[]): Promise<Map<string, { classCode: string; areaM2: number; sourceM2: number; sameShape: boolean }>> {
  const { rows } = await pool.query<{ code: string; class_code: string; area_m2: number; source_m2: number; same: boolean }>(
    `SELECT l.code, l.class_code, l.area_m2, ST_Area(s.g::geography) source_m2,
            ST_HausdorffDistance(ST_Transform(l.geom, 4525), ST_Transform(s.g, 4525)) < 0.001 same
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, g text)
       CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(x.g), 4490) g) s
       JOIN land_use l ON l.code = x.code`,
    [JSON.stringify(features.map((f) => ({ code: f.properties.TBBH, g: JSON.stringify(f.geometry) })))]);
  return new Map(rows.map((r) => [r.code, { classCode: r.class_code, areaM2: r.area_m2, sourceM2: r.source_m2, sameShape: r.same }]));
}

const FORMATS = [
  { label: 'a zipped GBK Shapefile (EPSG:4490)', write: shapefileZip, epsg: 4490 },
  { label: 'a GeoPackage in Gauss–Krüger zone 37 (EPSG:4525)', write: async (f: string) => geopackage(f), epsg: 4525 },
];

describe.skipIf(!!gdalMissing).each(FORMATS)('land use from $label written by GDAL', ({ write, epsg }) => {
  const features = survey('dltb.geojson');
  const codes = features.map((f) => f.properties.TBBH);
  let preview: any;
  let names: string[];
  let committed: { status: number; body: any };
  beforeAll(async () => {
    await removeRows(codes);
    const res = await upload(await write('dltb.geojson'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    preview = res.body;
    // the file's own fields as read (the preview keeps them until the commit)
    names = (await pool.query(`SELECT props->>'DLMC' AS v FROM import_feature WHERE batch_id = $1 ORDER BY seq`, [preview.id])).rows.map((r) => r.v);
    committed = await commit(preview.id);
  });
  afterAll(() => removeRows(codes));

  it('is read with its CRS and the survey’s fields, TBBH → code and DLBM → class_code', () => {
    expect(preview.crs.epsg).toBe(epsg);
    expect(preview.fields).toEqual(expect.arrayContaining(['TBBH', 'DLBM', 'DLMC']));
    expect(preview.mapping).toMatchObject({ TBBH: 'code', DLBM: 'class_code', DLMC: null });
    expect(preview.counts).toMatchObject({ features: features.length, errors: 0, insert: features.length });
  });

  it('reads the Chinese class names (DLMC) in the file’s encoding, and the codes in file order', () => {
    expect(names).toEqual(features.map((f) => f.properties.DLMC));
    expect(preview.features.map((f: any) => f.attrs.code)).toEqual(codes);
  });

  it('commits every polygon as the land bureau', () => {
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body).toMatchObject({ layer: 'land_use', inserted: features.length, updated: 0 });
  });

  it('stores each class code as the file’s DLBM: leading zeros and the working classes’ letters kept', async () => {
    const rows = await stored(features);
    expect(Object.fromEntries([...rows].map(([code, r]) => [code, r.classCode])))
      .toEqual(Object.fromEntries(features.map((f) => [f.properties.TBBH, f.properties.DLBM])));
  });

  it('stores each polygon, hole included, with its ellipsoidal area', async () => {
    const rows = await stored(features);
    expect(rows.size).toBe(features.length);
    for (const [code, r] of rows) {
      expect(r.sameShape, `${code}: the stored polygon is the file's within 1 mm`).toBe(true);
      expect(Math.abs(r.areaM2 - r.sourceM2) / r.sourceM2, `${code} area`).toBeLessThan(1e-6);
    }
    // the polygon with a hole keeps it: its area is its outer ring's less the hole's (the road inside it)
    const withHole = features.find((f) => f.geometry.coordinates.length > 1)!;
    const road = features.find((f) => f.properties.DLBM === '1006')!;
    const { rows: [outer] } = await pool.query<{ m2: number }>(
      `SELECT ST_Area(ST_MakePolygon(ST_ExteriorRing(ST_GeometryN(geom, 1)))::geography) m2 FROM land_use WHERE code = $1`, [withHole.properties.TBBH]);
    expect(rows.get(withHole.properties.TBBH)!.areaM2).toBeCloseTo(outer.m2 - rows.get(road.properties.TBBH)!.areaM2, 3);
  });
});

describe.skipIf(!!gdalMissing).each(FORMATS)('class codes that are no GB/T 21010 class, in $label', ({ write }) => {
  const features = survey('dltb-bad-codes.geojson');
  const codes = features.map((f) => f.properties.TBBH);
  let res: { status: number; body: any };
  beforeAll(async () => {
    await removeRows(codes);
    const preview = await upload(await write('dltb-bad-codes.geojson'));
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    res = await commit(preview.body.id);
  });
  afterAll(() => removeRows(codes));

  it('are refused with import_refused, each named: wrong_value on class_code', () => {
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('import_refused');
    const bad = features.filter((f) => f.properties.DLBM !== '0103');
    expect(res.body.params.count).toBe(bad.length);
    expect(res.body.params.refused.map((r: any) => [r.error, r.field])).toEqual(bad.map(() => ['wrong_value', 'class_code']));
    bad.forEach((f, i) => expect(res.body.params.refused[i].message).toContain(`got ${JSON.stringify(f.properties.DLBM)}`));
  });

  it('and nothing of the file is written, its good polygon neither', async () => {
    const { rows } = await pool.query('SELECT count(*)::int n FROM land_use WHERE code = ANY($1::text[])', [codes]);
    expect(rows[0].n).toBe(0);
  });
});
