// The layer catalogue (geo/layers.ts) against the schema the migrations build: every layer's table
// and columns exist, its geometry is CGCS2000 (SRID 4490) with a GiST index and a stored Web-Mercator
// copy for the tiles; and every versioned (editable) table records its history.
import { describe, expect, it } from 'vitest';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

/** the columns of a public table, with what the checks need (none: the table does not exist) */
async function columns(table: string): Promise<Map<string, { srid: number | null; generated: string }>> {
  const { rows } = await pool.query<{ name: string; srid: number | null; generated: string }>(
    `SELECT a.attname AS name, a.attgenerated AS generated,
            CASE WHEN t.typname = 'geometry' THEN postgis_typmod_srid(a.atttypmod) END AS srid
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = 'public' AND c.relname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`, [table]);
  return new Map(rows.map((r) => [r.name, { srid: r.srid, generated: r.generated }]));
}

/** GiST indexes whose first key is the column */
async function gistIndexes(table: string, column: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT ic.relname AS name
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
      WHERE n.nspname = 'public' AND c.relname = $1 AND a.attname = $2 AND am.amname = 'gist'`, [table, column]);
  return rows.map((r) => r.name);
}

/** tables with a row trigger running zs_record_change on insert, update and delete */
async function tablesWithHistory(): Promise<string[]> {
  // tgtype bits: 1 row, 4 insert, 8 delete, 16 update
  const { rows } = await pool.query<{ table: string }>(
    `SELECT DISTINCT c.relname AS table
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND p.proname = 'zs_record_change'
        AND t.tgtype::int & (1 | 4 | 8 | 16) = (1 | 4 | 8 | 16)`);
  return rows.map((r) => r.table);
}

/** every column the catalogue names for a layer, with why */
function namedColumns(layer: LayerDef): [string, string][] {
  return [
    ...layer.attributes.map((c) => [c, 'attributes'] as [string, string]),
    ...(layer.sensitive ?? []).map((c) => [c, 'sensitive'] as [string, string]),
    ...(layer.sensitiveWhere ? [[layer.sensitiveWhere.column, 'sensitiveWhere.column'] as [string, string],
      ...layer.sensitiveWhere.fields.map((c) => [c, 'sensitiveWhere.fields'] as [string, string])] : []),
  ];
}

describe('layer catalogue (geo/layers.ts) against the database', () => {
  it.each(LAYERS.map((l) => [l.id, l] as const))('layer %s: table, geometry (4490, GiST), Web-Mercator copy, attribute and sensitive columns, history', async (_id, layer) => {
    const cols = await columns(layer.table);
    expect(cols.size, `table ${layer.table} exists`).toBeGreaterThan(0);

    const geom = cols.get(layer.geometryColumn);
    expect(geom, `geometry column ${layer.table}.${layer.geometryColumn}`).toBeDefined();
    expect(geom!.srid, `${layer.table}.${layer.geometryColumn} is geometry(…, 4490)`).toBe(4490);
    expect(await gistIndexes(layer.table, layer.geometryColumn), `GiST index on ${layer.table}.${layer.geometryColumn}`).not.toEqual([]);

    const mercator = `${layer.geometryColumn}_3857`;
    // a geometry (any SRID in its type: it is a plain `geometry`), generated and stored (attgenerated 's')
    expect(cols.get(mercator), `stored Web-Mercator copy ${layer.table}.${mercator}`).toEqual({ srid: expect.anything(), generated: 's' });

    const missing = namedColumns(layer).filter(([c]) => !cols.has(c)).map(([c, why]) => `${why}: ${layer.table}.${c}`);
    expect(missing).toEqual([]);

    if (cols.has('version')) expect(await tablesWithHistory(), `${layer.table} has a version column: it needs the history trigger`).toContain(layer.table);
  });

  // (change_log itself is left out: its version column is the version of the row an entry records)
  it('every table with a version column has the history trigger', async () => {
    const { rows } = await pool.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attname = 'version' AND NOT a.attisdropped
          AND c.relname <> 'change_log' ORDER BY 1`);
    const versioned = rows.map((r) => r.table);
    expect(versioned).toContain('parcel');
    const withHistory = new Set(await tablesWithHistory());
    expect(versioned.filter((t) => !withHistory.has(t))).toEqual([]);
  });
});
