// The overlap export (压占图斑导出), POST /api/conflicts/overlaps?format=&crs=, read back the way GIS users
// read it: GDAL's ogrinfo names the layer, the feature count and the CRS; ogr2ogr turns each file back
// into GeoJSON, whose geometry PostGIS measures (ellipsoidal on GRS80 for 4490, planar for a
// Gauss–Krüger zone) against the areas POST /api/conflicts gave for the same red line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();
const hasGdal = hasProgram('ogrinfo', ['--version'], 'conflicts/overlap-export.test', 'gdal-bin');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-overlaps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let projectId: number;
let analysis: any;
/** the overlaps the analysis counts, by "layer/feature id" */
const expected = new Map<string, { e: number; p: number }>();

beforeAll(async () => {
  // a stored red line over at least two constraint layers (cane bases and another)
  const { rows } = await pool.query<{ id: number }>(
    `SELECT p.id FROM project p WHERE p.red_line IS NOT NULL AND EXISTS (SELECT 1 FROM cane_base c WHERE ST_Intersects(c.geom, p.red_line))
       AND EXISTS (SELECT 1 FROM farmland f WHERE ST_Intersects(f.geom, p.red_line)) ORDER BY p.id LIMIT 1`);
  projectId = rows[0].id;
  analysis = (await postJson('/api/conflicts', { projectId })).body;
  for (const l of analysis.layers) for (const f of l.features) expected.set(`${l.id}/${f.id}`, { e: f.area.ellipsoidal.m2, p: f.area.planar.m2 });
  expect(expected.size).toBeGreaterThan(1);
});

async function download(query: string, body: object = {}): Promise<{ file: string; res: Response }> {
  const res = await api(`/api/conflicts/overlaps?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId, ...body }) });
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
  const ext = /filename="conflict-overlaps\.(\w+)"/.exec(res.headers.get('content-disposition') ?? '')![1];
  const file = path.join(tmp, `o${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(file, Buffer.from(await res.clone().arrayBuffer()));
  return { file, res };
}

const gdalPath = (file: string) => (file.endsWith('.zip') ? `/vsizip/${file}` : file);

/** ogrinfo -al -so: layer name, feature count, the CRS's EPSG code as GDAL identifies it. */
function summary(file: string): { layer: string; count: number; epsg: number | null; text: string } {
  const text = execFileSync('ogrinfo', ['-ro', '-al', '-so', gdalPath(file)]).toString('utf8');
  const epsg = /ID\["EPSG",(\d+)\]\]\s*$/m.exec(text) ?? /AUTHORITY\["EPSG","(\d+)"\]\]\s*$/m.exec(text);
  return { layer: /^Layer name: (.+)$/m.exec(text)![1].trim(), count: Number(/^Feature Count: (\d+)$/m.exec(text)![1]), epsg: epsg ? Number(epsg[1]) : null, text };
}

/** The file's features as GDAL reads them, written out as GeoJSON in the file's own coordinates. */
function readBack(file: string): any[] {
  const out = path.join(tmp, `r${Math.random().toString(36).slice(2)}.geojson`);
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-lco', 'RFC7946=NO', out, gdalPath(file)]);
  return JSON.parse(readFileSync(out, 'utf8')).features;
}

/** PostGIS's areas of the features read back: ellipsoidal (GRS80) and planar in `epsg`. */
async function measured(features: any[], epsg: number): Promise<{ e: number; p: number }[]> {
  const { rows } = await pool.query<{ e: number; p: number }>(
    `SELECT ST_Area(ST_Transform(g, 4490)::geography) e, ST_Area(g) p
       FROM unnest($1::text[]) WITH ORDINALITY AS u(j, i), LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(j), $2::int) g) x ORDER BY i`,
    [features.map((f) => JSON.stringify(f.geometry)), epsg]);
  return rows;
}

const within = (got: number, want: number) => Math.abs(got - want) <= want * 1e-4;

describe.skipIf(!hasGdal)('the overlap export', () => {
  it('GeoJSON in 4490: every overlap, its layer and ids, GDAL’s geometry measuring the API’s ellipsoidal area within 0.01%', async () => {
    const { file, res } = await download('format=geojson&crs=4490');
    expect(res.headers.get('x-export-crs')).toBe('EPSG:4490');
    const s = summary(file);
    expect(s.count).toBe(expected.size);
    const features = readBack(file);
    const areas = await measured(features, 4490);
    features.forEach((f, i) => {
      const want = expected.get(`${f.properties.layer}/${f.properties.feature_id}`)!;
      expect(want, `${f.properties.layer}/${f.properties.feature_id} is an overlap of the analysis`).toBeDefined();
      expect(f.properties.ellip_m2).toBeCloseTo(want.e, 6);
      expect(within(areas[i].e, want.e), `${f.properties.layer}/${f.properties.feature_id}: ${areas[i].e} m² read back, ${want.e} m² analysed`).toBe(true);
    });
  });

  it.each(['shp', 'gpkg'])('%s in the analysis’ Gauss–Krüger zone: GDAL names the CRS, the planar areas within 0.01%%', async (format) => {
    const epsg = analysis.convention.planarEpsg;
    const { file } = await download(`format=${format}&crs=${epsg}`);
    const s = summary(file);
    expect(s.layer).toBe('conflict_overlaps');
    expect(s.count).toBe(expected.size);
    expect(s.text).toMatch(/Gauss.Kruger/i);
    expect(s.epsg).toBe(epsg);
    const features = readBack(file);
    const areas = await measured(features, epsg);
    const seen = new Set<string>();
    features.forEach((f, i) => {
      const key = `${f.properties.layer}/${f.properties.feature_id}`;
      seen.add(key);
      const want = expected.get(key)!;
      expect(want, `${key} is an overlap of the analysis`).toBeDefined();
      expect(within(areas[i].p, want.p), `${key}: ${areas[i].p} m² planar read back, ${want.p} analysed`).toBe(true);
      expect(within(areas[i].e, want.e), `${key}: ${areas[i].e} m² ellipsoidal read back, ${want.e} analysed`).toBe(true);
    });
    expect(seen.size).toBe(expected.size);
  });

  it('DXF in the zone by default: one closed outline per ring, in metres with the zone prefix, outlines making the planar total within 0.01%', async () => {
    const { file, res } = await download('format=dxf');
    expect(res.headers.get('x-export-crs')).toBe(`EPSG:${analysis.convention.planarEpsg}`);
    const features = readBack(file).filter((f) => f.properties.Layer === 'conflict_overlaps');
    expect(features.length).toBeGreaterThanOrEqual(expected.size);
    const zone = analysis.convention.zone;
    for (const f of features) {
      expect(f.geometry.type).toBe('LineString');
      for (const [e] of f.geometry.coordinates) expect(Math.floor(e / 1e6)).toBe(zone);
    }
    // outer rings counter-clockwise, holes clockwise: the rings' signed areas sum to the overlaps' planar total
    const { rows: [{ signed }] } = await pool.query<{ signed: number }>(
      `SELECT sum(CASE WHEN ST_IsPolygonCCW(p) THEN 1 ELSE -1 END * ST_Area(p)) signed
         FROM unnest($1::text[]) j, LATERAL (SELECT ST_GeomFromGeoJSON(j) l) a,
              LATERAL (SELECT ST_MakePolygon(CASE WHEN ST_IsClosed(l) THEN l ELSE ST_AddPoint(l, ST_StartPoint(l)) END) p) b`,
      [features.map((f) => JSON.stringify(f.geometry))]);
    const total = [...expected.values()].reduce((a, x) => a + x.p, 0);
    expect(within(signed, total), `${signed} m² of outlines, ${total} m² analysed`).toBe(true);
  });

  it('exports only the layers asked for', async () => {
    const { file } = await download('format=geojson', { layers: ['cane_base'] });
    const features = readBack(file);
    expect(features.length).toBe(analysis.layers.find((l: any) => l.id === 'cane_base').count);
    expect(new Set(features.map((f) => f.properties.layer))).toEqual(new Set(['cane_base']));
  });

  it('refuses a CRS that is not 4490 or a CGCS2000 Gauss–Krüger zone, naming crs', async () => {
    const res = await api('/api/conflicts/overlaps?format=gpkg&crs=3857', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId }) });
    expect(res.status).toBe(400);
    expect((await res.json()).params.field).toBe('crs');
  });

  it('refuses an unknown layer, naming layers', async () => {
    const res = await api('/api/conflicts/overlaps?format=gpkg', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId, layers: ['parcel'] }) });
    expect(res.status).toBe(400);
    expect((await res.json()).params.field).toBe('layers');
  });
});
