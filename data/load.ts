// Writes a generated district into the database in ONE transaction: batched
// INSERT … SELECT FROM jsonb_to_recordset($1) (works on PostgreSQL and on PGlite alike), then the
// dated history in change_log, built server-side in SQL. The history trigger is skipped
// (zs.bulk_load) because the demo's history is not "now": a parcel signed in March 2021 must show
// up as signed in March 2021 when the map is asked for the state at any past date.
import type pg from 'pg';
import { CREATED_ON } from './demo/admin.ts';
import { type District, TABLE_ORDER, type TableName } from './demo/index.ts';
import { stampOf } from './demo/random.ts';
import { deriveLandUse } from './land-use.ts';

export const DEMO_USER = '演示数据';
const BATCH_ROWS = 2_000;

type Log = (msg: string) => void;

interface TableSpec {
  /** column → type for jsonb_to_recordset (geometry columns are 'geometry', read as GeoJSON) */
  columns: Record<string, string>;
  /** foreign-key columns and the table they point at (ids are shifted by that table's offset) */
  refs?: Record<string, TableName>;
  /** has version/updated_at/updated_by and a history in change_log */
  versioned: boolean;
  /** SQL over `$g` (the row's geometry) giving what is stored: the planning lines leave out what the plan gave other lines */
  storeGeometry?: string;
}

const VERSIONED = { version: 'int', updated_at: 'timestamptz' };
const TAKE = {
  status: 'text', agreed_compensation_yuan: 'numeric', paid_yuan: 'numeric', signed_on: 'date', paid_on: 'date',
  handed_over_on: 'date', court_filed_on: 'date',
};

const SPECS: Record<TableName, TableSpec> = {
  command_area: { versioned: true, columns: { code: 'text', name: 'text', commander: 'text', geom: 'geometry' } },
  township: { versioned: true, columns: { name: 'text', kind: 'text', command_area_id: 'int', geom: 'geometry' }, refs: { command_area_id: 'command_area' } },
  village: { versioned: true, columns: { name: 'text', kind: 'text', township_id: 'int', geom: 'geometry' }, refs: { township_id: 'township' } },
  park: { versioned: true, columns: { name: 'text', geom: 'geometry' } },
  project: {
    versioned: true,
    columns: {
      code: 'text', name: 'text', kind: 'text', source: 'text', year: 'int', command_area_id: 'int', park_id: 'int',
      land_target_mu: 'numeric', house_target_m2: 'numeric', approval_stage: 'text', approval_doc_no: 'text', approved_on: 'date',
      approved_by_region: 'boolean', owner_unit: 'text', started_on: 'date', red_line: 'geometry',
    },
    refs: { command_area_id: 'command_area', park_id: 'park' },
  },
  project_milestone: {
    versioned: true, columns: { project_id: 'int', kind: 'text', name: 'text', planned_on: 'date', occurred_on: 'date' }, refs: { project_id: 'project' },
  },
  parcel: {
    versioned: true,
    columns: { project_id: 'int', village_id: 'int', code: 'text', owner_type: 'text', owner_name: 'text', land_class: 'text', ...TAKE, geom: 'geometry' },
    refs: { project_id: 'project', village_id: 'village' },
  },
  house: {
    versioned: true,
    columns: {
      project_id: 'int', parcel_id: 'int', code: 'text', owner_name: 'text', owner_type: 'text', building_area_m2: 'numeric',
      structure: 'text', floors: 'int', ...TAKE, demolished_on: 'date', geom: 'geometry',
    },
    refs: { project_id: 'project', parcel_id: 'parcel' },
  },
  farmland: { versioned: true, columns: { code: 'text', kind: 'text', land_class: 'text', village_id: 'int', geom: 'geometry' }, refs: { village_id: 'village' } },
  cane_base: { versioned: true, columns: { code: 'text', name: 'text', village_id: 'int', grower: 'text', geom: 'geometry' }, refs: { village_id: 'village' } },
  military_land: { versioned: true, columns: { code: 'text', name: 'text', unit: 'text', use: 'text', notes: 'text', geom: 'geometry' } },
  disputed_land: { versioned: true, columns: { code: 'text', name: 'text', parties: 'text', status: 'text', description: 'text', geom: 'geometry' } },
  reserved_land: {
    versioned: true,
    columns: {
      code: 'text', village_id: 'int', project_id: 'int', year: 'int', owed_mu: 'numeric', delivered_mu: 'numeric', due_on: 'date',
      delivered_on: 'date', notes: 'text', geom: 'geometry',
    },
    refs: { village_id: 'village', project_id: 'project' },
  },
  resettlement_site: {
    versioned: true,
    columns: {
      name: 'text', command_area_id: 'int', is_shantytown: 'boolean', units_planned: 'int', units_delivered: 'int', households_waiting: 'int',
      construction_start_on: 'date', planned_delivery_on: 'date', actual_delivery_on: 'date', geom: 'geometry',
    },
    refs: { command_area_id: 'command_area' },
  },
  fund_transfer: {
    versioned: true, columns: { project_id: 'int', amount_yuan: 'numeric', requested_on: 'date', received_on: 'date', source: 'text' }, refs: { project_id: 'project' },
  },
  problem: {
    versioned: true,
    columns: {
      project_id: 'int', resettlement_site_id: 'int', kind: 'text', title: 'text', description: 'text', status: 'text', owner: 'text',
      opened_on: 'date', resolved_on: 'date', geom: 'geometry',
    },
    refs: { project_id: 'project', resettlement_site_id: 'resettlement_site' },
  },
  procedure_step: {
    versioned: true,
    columns: {
      project_id: 'int', step: 'text', planned_start_on: 'date', planned_end_on: 'date', started_on: 'date', completed_on: 'date',
      doc_no: 'text', waived: 'boolean', note: 'text',
    },
    refs: { project_id: 'project' },
  },
  project_quota: {
    versioned: true, columns: { project_id: 'int', kind: 'text', source: 'text', mu: 'numeric', doc_no: 'text', secured_on: 'date' }, refs: { project_id: 'project' },
  },
  water: { versioned: false, columns: { name: 'text', kind: 'text', geom: 'geometry' } },
  road: { versioned: false, columns: { name: 'text', class: 'text', geom: 'geometry' } },
  built_up: { versioned: false, columns: { name: 'text', geom: 'geometry' } },
  place: { versioned: false, columns: { name: 'text', kind: 'text', rank: 'int', geom: 'geometry' } },
  // 三区三线 do not overlap: the ecological red line leaves out the 永久基本农田 (and, as the 2022 划定 moved
  // cultivated land out of it, every field: farmland and cane bases), the urban development boundary
  // the 永久基本农田 and the ecological red line (data/demo/planning.ts draws the outlines)
  eco_redline: {
    versioned: true, columns: { code: 'text', name: 'text', kind: 'text', geom: 'geometry' },
    storeGeometry: leavingOut(`SELECT geom FROM farmland WHERE ST_Intersects(geom, $g) UNION ALL SELECT geom FROM cane_base WHERE ST_Intersects(geom, $g)`),
  },
  urban_boundary: {
    versioned: true, columns: { code: 'text', name: 'text', geom: 'geometry' },
    storeGeometry: leavingOut(`SELECT geom FROM farmland WHERE kind = 'permanent_basic' AND ST_Intersects(geom, $g)
      UNION ALL SELECT geom FROM eco_redline WHERE ST_Intersects(geom, $g)`),
  },
};

/** `$g` less the union of what `others` selects (itself if they select nothing). */
function leavingOut(others: string): string {
  return `ST_Multi(ST_CollectionExtract(coalesce(ST_Difference($g, (SELECT ST_Union(o.geom) FROM (${others}) o)), $g), 3))`;
}

type Offsets = Record<TableName, number>;

/** Load a district in one transaction; returns rows written per table (and change_log entries). */
export async function loadDistrict(pool: pg.Pool, district: District, log: Log = () => {}): Promise<Record<string, number>> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const counts = await writeDistrict(client, district, log);
    await client.query('COMMIT');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The body of loadDistrict for a caller that holds the transaction (see seed.ts). */
export async function writeDistrict(client: pg.PoolClient, district: District, log: Log = () => {}): Promise<Record<string, number>> {
  await client.query(`SET LOCAL zs.bulk_load = 'on'`);
  await client.query(`SELECT set_config('zs.changed_by', $1, true)`, [DEMO_USER]);
  // Ids are the generator's 1…n, shifted past whatever a table already holds.
  const offsets = {} as Offsets;
  for (const table of TABLE_ORDER) {
    const { rows } = await client.query<{ max: number }>(`SELECT coalesce(max(id), 0)::int AS max FROM ${table}`);
    offsets[table] = rows[0].max;
  }
  const counts: Record<string, number> = {};
  for (const table of TABLE_ORDER) {
    const started = performance.now();
    counts[table] = await insertTable(client, table, district[table], offsets);
    log(`${table}: ${counts[table]} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const landUseOffset = (await client.query<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM land_use')).rows[0].max;
  let started = performance.now();
  counts.land_use = await deriveLandUse(client, { village: offsets.village, land_use: landUseOffset }, stampOf(CREATED_ON), DEMO_USER, log);
  log(`land_use: ${counts.land_use} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  counts.change_log = await writeHistory(client, offsets, landUseOffset);
  log(`change_log: ${counts.change_log} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const table of TABLE_ORDER) {
    await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), greatest((SELECT max(id) FROM ${table}), 1))`);
  }
  return counts;
}

function selectList(table: TableName, spec: TableSpec, offsets: Offsets): { columns: string[]; values: string[]; recordType: string } {
  const columns = ['id'];
  const values = [`r.id + ${offsets[table]}`];
  const types = ['id int'];
  for (const [name, type] of Object.entries(spec.columns)) {
    columns.push(name);
    const ref = spec.refs?.[name];
    if (type === 'geometry') {
      types.push(`${name} jsonb`);
      const g = `ST_SetSRID(ST_GeomFromGeoJSON(r.${name}), 4490)`;
      values.push(spec.storeGeometry ? spec.storeGeometry.replaceAll('$g', g) : g);
    } else {
      types.push(`${name} ${type}`);
      values.push(ref ? `r.${name} + ${offsets[ref]}` : `r.${name}`);
    }
  }
  if (spec.versioned) {
    for (const [name, type] of Object.entries(VERSIONED)) {
      columns.push(name);
      types.push(`${name} ${type}`);
      values.push(`r.${name}`);
    }
    columns.push('updated_by');
    values.push(`'${DEMO_USER}'`);
  }
  return { columns, values, recordType: types.join(', ') };
}

async function insertTable(client: pg.PoolClient, table: TableName, rows: readonly object[], offsets: Offsets): Promise<number> {
  const spec = SPECS[table];
  const { columns, values, recordType } = selectList(table, spec, offsets);
  const sql = `INSERT INTO ${table} (${columns.join(', ')})
    SELECT ${values.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})`;
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    await client.query(sql, [JSON.stringify(rows.slice(i, i + BATCH_ROWS))]);
  }
  return rows.length;
}

// ---- history ----

const stepAt = (dateExpr: string) => `((${dateExpr})::text || ' 09:00:00+08')::timestamptz`;

/**
 * One 'insert' entry per row at its creation; for parcels and houses then one 'update' per dated
 * step (signed, paid, court, handed over, demolished), each carrying the whole row as it was then.
 * The generator gave every row version = its number of entries and updated_at = the last one, so the
 * final entry equals the row. Parcels and houses were entered when their project started.
 */
async function writeHistory(client: pg.PoolClient, offsets: Offsets, landUseOffset: number): Promise<number> {
  let total = 0;
  const inserted: [string, number][] = [...TABLE_ORDER.filter((t) => SPECS[t].versioned && t !== 'parcel' && t !== 'house')
    .map((t): [string, number] => [t, offsets[t]]), ['land_use', landUseOffset]];
  for (const [table, offset] of inserted) {
    const res = await client.query(
      `INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, before, after)
       SELECT '${table}', t.id, 'insert', t.version, t.updated_at, $2, NULL, zs_row_json(t) FROM ${table} t WHERE t.id > $1`,
      [offset, DEMO_USER],
    );
    total += res.rowCount ?? 0;
  }
  total += await writeTakeHistory(client, 'parcel', offsets.parcel);
  total += await writeTakeHistory(client, 'house', offsets.house);
  return total;
}

async function writeTakeHistory(client: pg.PoolClient, table: 'parcel' | 'house', offset: number): Promise<number> {
  const demolished = table === 'house' ? `, (5, 'handed_over', t.demolished_on)` : '';
  const demolishedField = table === 'house' ? `, 'demolished_on', CASE WHEN s.ord >= 5 THEN s.cur->'demolished_on' ELSE 'null'::jsonb END` : '';
  // The state after step `ord` is the final row with the later steps' fields taken back out.
  const sql = `
    WITH current AS MATERIALIZED ( -- each row's JSON once, not once per step
      SELECT t.*, zs_row_json(t) AS cur FROM ${table} t WHERE t.id > $1
    ), steps AS (
      SELECT t.id, s.ord, s.status, ${stepAt('s.on_date')} AS at, t.cur
      FROM current t
      JOIN project p ON p.id = t.project_id
      CROSS JOIN LATERAL (VALUES
        (0, 'unsigned', p.started_on), (1, 'signed', t.signed_on), (2, 'paid', t.paid_on),
        (3, 'court', t.court_filed_on), (4, 'handed_over', t.handed_over_on)${demolished}
      ) AS s(ord, status, on_date)
      WHERE s.on_date IS NOT NULL
    ), states AS (
      SELECT s.id, s.ord, s.at, row_number() OVER w AS version,
        s.cur || jsonb_build_object(
          'status', s.status,
          'version', row_number() OVER w,
          'updated_at', to_jsonb(s.at),
          'updated_by', $2::text,
          'agreed_compensation_yuan', CASE WHEN s.ord >= 1 THEN s.cur->'agreed_compensation_yuan' ELSE 'null'::jsonb END,
          'signed_on', CASE WHEN s.ord >= 1 THEN s.cur->'signed_on' ELSE 'null'::jsonb END,
          'paid_on', CASE WHEN s.ord >= 2 THEN s.cur->'paid_on' ELSE 'null'::jsonb END,
          'paid_yuan', CASE WHEN s.ord >= 2 THEN s.cur->'paid_yuan' ELSE '0'::jsonb END,
          'court_filed_on', CASE WHEN s.ord >= 3 THEN s.cur->'court_filed_on' ELSE 'null'::jsonb END,
          'handed_over_on', CASE WHEN s.ord >= 4 THEN s.cur->'handed_over_on' ELSE 'null'::jsonb END
          ${demolishedField}
        ) AS after
      FROM steps s
      WINDOW w AS (PARTITION BY s.id ORDER BY s.ord)
    )
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, before, after)
    SELECT '${table}', id, CASE WHEN ord = 0 THEN 'insert' ELSE 'update' END, version, at, $2,
      lag(after) OVER (PARTITION BY id ORDER BY ord), after
    FROM states`;
  const res = await client.query(sql, [offset, DEMO_USER]);
  return res.rowCount ?? 0;
}
