// The stored columns tiles read: the Web-Mercator geometries they are cut from (migration 010) —
// every layer has one, it follows its geometry on every write, and it is never an attribute (not in
// features, queryables, tiles' fields or the history) — and the stored areas they rank features by.
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { mercatorColumn } from '../../server/tiles/sql.ts';
import { getJson, useTestPool } from '../helpers/db.ts';
import { createParcel, OGC, request } from '../features/helpers.ts';

const STORED_AREA_TABLES = LAYERS.filter((l) => l.storesArea).map((l) => l.table);

const pool = useTestPool();
const derived = (key: string) => key.endsWith('_3857');

describe('stored Web-Mercator geometry', () => {
  it('exists for every layer, generated from its geometry', async () => {
    const { rows } = await pool.query<{ table_name: string; column_name: string; is_generated: string }>(
      `SELECT table_name, column_name, is_generated FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name LIKE '%\\_3857'`);
    for (const layer of LAYERS) {
      const col = rows.find((r) => r.table_name === layer.table && r.column_name === mercatorColumn(layer));
      expect(col, `${layer.table}.${mercatorColumn(layer)}`).toBeDefined();
      expect(col!.is_generated).toBe('ALWAYS');
    }
  });

  it('has the stored areas tiles rank features by', async () => {
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'area_m2' AND is_generated = 'ALWAYS'`);
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...STORED_AREA_TABLES]));
  });

  it('follows a geometry change, and stays out of the feature, its history and the audit', async () => {
    const p = await createParcel();
    const moved = { type: 'Polygon', coordinates: [p.body.geometry.coordinates[0][0].map(([x, y]: number[]) => [x + 0.0002, y])] };
    const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { geometry: moved }, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body.properties).filter(derived)).toEqual([]);

    const { rows: [same] } = await pool.query(
      'SELECT ST_Equals(ST_SnapToGrid(geom_3857, 0.001), ST_SnapToGrid(ST_Transform(geom, 3857), 0.001)) AS ok FROM parcel WHERE id = $1', [p.id]);
    expect(same.ok).toBe(true);

    const { rows: log } = await pool.query<{ before: object | null; after: object | null }>(
      `SELECT before, after FROM change_log WHERE layer = 'parcel' AND feature_id = $1`, [p.id]);
    expect(log.length).toBe(2);
    for (const entry of log) expect([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})].filter(derived)).toEqual([]);

    const history = await request('GET', `${OGC}/collections/parcel/items/${p.id}/history`);
    expect(history.body.versions[0].changed).not.toContain('geom_3857');
    expect(Object.keys(history.body.versions[0].after.properties).filter(derived)).toEqual([]);
  });

  it('is in no collection’s queryables, items or tile fields', async () => {
    for (const layer of LAYERS) {
      const q = await getJson(`${OGC}/collections/${layer.id}/queryables`);
      expect(Object.keys(q.body.properties ?? {}).filter(derived), layer.id).toEqual([]);
      const items = await getJson(`${OGC}/collections/${layer.id}/items?limit=1`);
      for (const f of items.body.features ?? []) expect(Object.keys(f.properties).filter(derived), layer.id).toEqual([]);
      const tilejson = await getJson(`/tiles/${layer.id}.json`);
      expect(Object.keys(tilejson.body.vector_layers[0].fields).filter(derived), layer.id).toEqual([]);
    }
  });
});
