// Stored label points (migrations/012_label_points.sql, migrations/functions/60_labels.sql): the
// labelled layers of the catalogue have them, kept on every write of the geometry and filled at start
// for rows without; GET /api/layers/{id}/labels answers from them what it computed per call before;
// and they are no attribute anywhere a layer's attributes are listed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_BY_ID, LAYERS, type LayerDef } from '../../geo/layers.ts';
import { loadFeatureColumns, loadLayerFields, TRIGGER_DERIVED_COLUMNS } from '../../server/core/catalogue.ts';
import { migrate } from '../../server/db/migrate.ts';
import { getJson, useTestPool } from '../helpers/db.ts';
import { upload } from '../exchange/helpers.ts';
import { OGC, request } from '../features/helpers.ts';

const pool = useTestPool();
const LABELLED = LAYERS.filter((l) => l.labelPoints);
const SHAPES = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/labels/shapes.geojson'), 'utf8')) as GeoJSON.FeatureCollection;
const derived = (key: string) => TRIGGER_DERIVED_COLUMNS.includes(key);

/**
 * The label points as the route computed them on every call before they were stored (its query,
 * verbatim but for the properties, which come from the features route): the reference they must equal.
 */
async function computedLabels(layer: LayerDef, ids?: number[]): Promise<{ id: number; geometry: unknown; _area: number }[]> {
  const geom = `t.${layer.geometryColumn}`;
  const { rows } = await pool.query<{ id: number; geometry: string; _area: number }>(
    `SELECT t.id, ST_Area(part) AS _area, ST_AsGeoJSON((ST_MaximumInscribedCircle(part)).center, 7) AS geometry
       FROM ${layer.table} t,
            LATERAL (SELECT d.geom AS part FROM ST_Dump(${geom}) d ORDER BY ST_Area(d.geom) DESC LIMIT 1) biggest
      WHERE ${geom} IS NOT NULL ${ids ? 'AND t.id = ANY($1)' : ''} ORDER BY t.id`, ids ? [ids] : []);
  return rows.map((r) => ({ id: r.id, geometry: JSON.parse(r.geometry), _area: r._area }));
}

/** What the route answered before, for these features: the features route's properties plus `_area`. */
async function expectedLabels(layer: LayerDef, ids?: number[]) {
  const features = (await getJson(`/api/layers/${layer.id}/features?limit=50000`)).body.features as { id: number; properties: object }[];
  const props = new Map(features.map((f) => [f.id, f.properties]));
  return (await computedLabels(layer, ids)).map((c) => ({ type: 'Feature', id: c.id, geometry: c.geometry, properties: { ...props.get(c.id), _area: c._area } }));
}

async function labelsOf(layer: LayerDef, ids?: number[]) {
  const { status, body } = await getJson(`/api/layers/${layer.id}/labels`);
  expect(status).toBe(200);
  return (body.features as { id: number }[]).filter((f) => !ids || ids.includes(f.id));
}

const park = LAYER_BY_ID.get('park')!;
let shapeIds: number[] = [];

beforeAll(async () => {
  shapeIds = [];
  for (const f of SHAPES.features) {
    const res = await request('POST', `${OGC}/collections/park/items`, { body: f });
    expect(res.status, res.text).toBe(201);
    shapeIds.push(res.body.id);
  }
});

describe('the labelled layers (geo/layers.ts labelPoints) against the schema', () => {
  it('each has a label point kept by a trigger on its own geometry column, and no other table has one', async () => {
    const { rows } = await pool.query<{ tbl: string; col: string }>(
      `SELECT c.relname AS tbl, a.attname AS col
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = t.tgattr[0]
        WHERE NOT t.tgisinternal AND p.proname = 'zs_set_label' ORDER BY 1`);
    expect(rows).toEqual(LABELLED.map((l) => ({ tbl: l.table, col: l.geometryColumn })).sort((a, b) => a.tbl.localeCompare(b.tbl)));
    const { rows: withColumn } = await pool.query<{ tbl: string }>(
      `SELECT table_name AS tbl FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'label_point' ORDER BY 1`);
    expect(withColumn.map((r) => r.tbl)).toEqual(LABELLED.map((l) => l.table).sort());
  });
});

describe('GET /api/layers/{id}/labels from the stored points', () => {
  it('answers for the fixture’s shapes what it computed per call (concave, two parts, a hole)', async () => {
    expect(await labelsOf(park, shapeIds)).toEqual(await expectedLabels(park, shapeIds));
  });

  it.each(LABELLED.map((l) => [l.id, l] as const))('answers for every feature of %s what it computed per call', async (_id, layer) => {
    const expected = await expectedLabels(layer);
    expect(expected.length, `${layer.id} has features to label`).toBeGreaterThan(0);
    expect(await labelsOf(layer)).toEqual(expected);
  });

  it('moves the point with the geometry', async () => {
    const id = shapeIds[0];
    const item = await request('GET', `${OGC}/collections/park/items/${id}`);
    const moved = { type: 'Polygon', coordinates: [[[109.600, 23.220], [109.604, 23.220], [109.604, 23.223], [109.600, 23.223], [109.600, 23.220]]] };
    const res = await request('PATCH', `${OGC}/collections/park/items/${id}`, { body: { geometry: moved }, headers: { 'If-Match': item.headers.get('etag')! } });
    expect(res.status, res.text).toBe(200);
    const [label] = await labelsOf(park, [id]);
    expect(label).toEqual((await expectedLabels(park, [id]))[0]);
    expect((label as any).geometry.coordinates[1]).toBeGreaterThan(23.22);
  });

  it('refuses a layer without label points, naming the ones with', async () => {
    const { status, body } = await getJson('/api/layers/parcel/labels');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_input');
    expect(body.message).toContain('red_line');
  });
});

describe('rows without a stored point (written before migration 012)', () => {
  it('get it at the next start, without a new version or a history entry', async () => {
    const id = shapeIds[1];
    await pool.query('ALTER TABLE park DISABLE TRIGGER USER');
    try {
      await pool.query('UPDATE park SET label_point = NULL, label_area = NULL WHERE id = $1', [id]);
    } finally {
      await pool.query('ALTER TABLE park ENABLE TRIGGER USER');
    }
    const before = (await pool.query('SELECT version, (SELECT count(*) FROM change_log) AS log FROM park WHERE id = $1', [id])).rows[0];
    expect((await labelsOf(park, [id])).length).toBe(0);

    await migrate(pool); // what every start runs

    expect(await labelsOf(park, [id])).toEqual(await expectedLabels(park, [id]));
    expect((await pool.query('SELECT version, (SELECT count(*) FROM change_log) AS log FROM park WHERE id = $1', [id])).rows[0]).toEqual(before);
  });
});

describe('the stored point is no attribute', () => {
  it('is in no layer’s columns in the catalogue (properties, filters, writes, import targets)', async () => {
    const fields = await loadLayerFields(pool);
    const columns = await loadFeatureColumns(pool, fields);
    for (const layer of LABELLED) {
      expect(fields.get(layer.id)!.map((f) => f.name).filter(derived), layer.id).toEqual([]);
      const c = columns.get(layer.id)!;
      expect([...c.read.map((r) => r.name), ...c.writable.map((w) => w.name), ...c.readOnly].filter(derived), layer.id).toEqual([]);
    }
  });

  it('is in no collection’s items, queryables, schema or tile fields', async () => {
    for (const layer of LABELLED) {
      const items = await getJson(`${OGC}/collections/${layer.id}/items?limit=5`);
      for (const f of items.body.features) expect(Object.keys(f.properties).filter(derived), layer.id).toEqual([]);
      const q = await getJson(`${OGC}/collections/${layer.id}/queryables`);
      expect(Object.keys(q.body.properties).filter(derived), layer.id).toEqual([]);
      const schema = await getJson(`${OGC}/collections/${layer.id}/schema`);
      expect(Object.keys(schema.body.properties).filter(derived), layer.id).toEqual([]);
      const tilejson = await getJson(`/tiles/${layer.id}.json`);
      expect(Object.keys(tilejson.body.vector_layers[0].fields).filter(derived), layer.id).toEqual([]);
    }
  });

  it('is in no history entry', async () => {
    const id = shapeIds[0]; // moved above: an insert and an update
    const { rows } = await pool.query<{ before: object | null; after: object | null }>(
      `SELECT before, after FROM change_log WHERE layer = 'park' AND feature_id = $1`, [id]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect([...Object.keys(r.before ?? {}), ...Object.keys(r.after ?? {})].filter(derived)).toEqual([]);
    const history = await getJson(`${OGC}/collections/park/items/${id}/history`);
    for (const v of history.body.versions) {
      expect((v.changed ?? []).filter(derived)).toEqual([]);
      expect(Object.keys(v.after?.properties ?? {}).filter(derived)).toEqual([]);
    }
  });

  it('is in no export', async () => {
    const res = await getJson(`/api/export?layer=park&format=geojson`);
    expect(res.status).toBe(200);
    for (const f of res.body.features) expect(Object.keys(f.properties).filter(derived)).toEqual([]);
  });

  it('is not an import’s target: a file field of that name maps to nothing', async () => {
    const file = { type: 'FeatureCollection', features: [{ ...SHAPES.features[2], properties: { name: '标注-导入', label_point: 'x', label_area: 1 } }] };
    const res = await upload([{ name: 'labels.geojson', data: JSON.stringify(file) }], { layer: 'park', crs: 'EPSG:4490' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.mapping.name).toBe('name');
    expect(res.body.mapping.label_point ?? null).toBeNull();
    expect(res.body.mapping.label_area ?? null).toBeNull();
  });
});
