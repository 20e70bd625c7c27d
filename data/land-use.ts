// The demo's 三调 land use (地类图斑), derived in PostGIS from the layers just loaded, so that it agrees
// with them: the river is 1101 河流水面, military land 0901, roads 10xx, each farmland field its own
// class (01xx), each cane-base field 0103 旱地, the rest of each field's plot 1203 田坎, built-up areas
// 05–08, and the rest of the countryside forest, orchards, grass, homesteads… chosen per square
// kilometre from seeded weights. The polygons tile the villages (and so the district) without gaps or
// overlaps: every class takes only what the classes before it left (ST_Difference), square by square.
//
// Deterministic: the same district gives the same land use (no random numbers; the choice per square
// is a hash of its grid position). Runs inside the loader's transaction.
import type pg from 'pg';
import { CITY_CENTRE } from '../geo/layers.ts';
import { DISTRICT_BOX } from './demo/admin.ts';
import { CELL as FIELD_PLOT } from './demo/fields.ts';
import { M_PER_DEG_LAT, M_PER_DEG_LON } from './demo/geometry.ts';

/** The grid (degrees of CGCS2000 lon/lat) the work is done in: ~1 km squares, cut by the villages. */
const GRID = 0.01;
const ORIGIN = [109.2, 22.65];
const COS_LAT = Math.cos((CITY_CENTRE[1] * Math.PI) / 180);
/**
 * Every overlay snaps to this grid (degrees, ≈ 0.1 mm; the generator rounds to 1e-7°): OverlayNG with
 * a precision is robust, the pieces meet exactly, and PGlite's PostGIS needs it — without one, an
 * ST_Difference whose result is empty makes the whole statement return no rows, silently (PostGIS 3.6.2
 * in PGlite 0.5.8).
 */
const SNAP = 1e-9;

/** Weights (per cent) of the classes of land that is neither field, water, road nor built-up. */
const RURAL_REST: Record<string, number> = {
  '0301': 30, '0305': 8, '0307': 4, '0201': 12, '0204': 4, '0404': 8, '0702': 10, '1006': 5, '1107': 3, '1202': 4,
  '1104': 3, '1201': 2, '1206': 3, '1207': 2, '0602': 2,
};
const URBAN_REST: Record<string, number> = {
  '0701': 30, '0810': 12, '0803': 8, '0805': 4, '0501': 10, '0505': 4, '0601': 10, '0604': 4, '1201': 6, '0301': 6, '0404': 6,
};
const CITY_BLOCKS: Record<string, number> = {
  '0701': 35, '0501': 12, '0505': 6, '0504': 3, '0601': 10, '0604': 5, '0801': 5, '0803': 7, '0805': 4, '0807': 2, '0808': 2,
  '0810': 6, '1005': 3,
};
const TOWN_SEAT_BLOCKS: Record<string, number> = { '0702': 45, '0701': 20, '0501': 15, '0803': 8, '0801': 5, '0805': 4, '1005': 3 };

/** 100 codes, each as often as its weight: the class of hash h is the (h % 100 + 1)th. */
function wheel(weights: Record<string, number>): string[] {
  const out = Object.entries(weights).flatMap(([code, w]) => Array.from({ length: w }, () => code));
  if (out.length !== 100) throw new Error(`land-use weights sum to ${out.length}, not 100`);
  return out;
}

/** 0…99 from a square's grid position and a salt (integers only: the same on every PostgreSQL). */
const hashOf = (salt: number) => `(abs((c.i::bigint * 73856093) # (c.j::bigint * 19349663) # ${salt}::bigint) % 100 + 1)::int`;

/**
 * Candidate pieces of each class in turn, as (cell_id, class_code, geom), earlier ones winning. Within
 * a step the pieces never overlap (one feature each, or one corridor per road class).
 */
const STEPS: { name: string; sql: string }[] = [
  { name: 'river', sql: `SELECT c.id, '1101', ST_Intersection(w.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN water w ON w.kind = 'river' AND ST_Intersects(w.geom, c.geom)` },
  { name: 'lakes', sql: `SELECT c.id, '1102', ST_Intersection(w.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN water w ON w.kind = 'lake' AND ST_Intersects(w.geom, c.geom)` },
  { name: 'ponds', sql: `SELECT c.id, '1104', ST_Intersection(w.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN water w ON w.kind = 'pond' AND ST_Intersects(w.geom, c.geom)` },
  { name: 'military land', sql: `SELECT c.id, '0901', ST_Intersection(m.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN military_land m ON ST_Intersects(m.geom, c.geom)` },
  { name: 'railways', sql: `SELECT c.id, '1001', ST_Intersection(r.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN lu_road r ON r.class_code = '1001' AND ST_Intersects(r.geom, c.geom)` },
  { name: 'highways', sql: `SELECT c.id, '1003', ST_Intersection(r.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN lu_road r ON r.class_code = '1003' AND ST_Intersects(r.geom, c.geom)` },
  { name: 'streets', sql: `SELECT c.id, '1004', ST_Intersection(r.geom, c.geom, ${SNAP}) FROM lu_cell c JOIN lu_road r ON r.class_code = '1004' AND ST_Intersects(r.geom, c.geom)` },
  {
    // each field, and the rest of its 80 m plot as 田坎 (data/demo/fields.ts insets every field in its
    // own plot): one step, as the two never overlap
    name: 'fields and ridges',
    sql: `SELECT c.id, f.class_code, CASE WHEN ST_Within(f.geom, c.geom) THEN f.geom ELSE ST_Intersection(f.geom, c.geom, ${SNAP}) END
            FROM lu_cell c JOIN lu_field f ON ST_Intersects(f.geom, c.geom)
          UNION ALL
          SELECT c.id, '1203', CASE WHEN ST_Within(f.plot, c.geom) THEN f.ridge ELSE ST_Intersection(f.ridge, c.geom, ${SNAP}) END
            FROM lu_cell c JOIN lu_field f ON ST_Intersects(f.plot, c.geom)`,
  },
  {
    name: 'built-up areas',
    sql: `SELECT c.id, CASE WHEN b.name LIKE '%圩镇' THEN ($2::text[])[${hashOf(7)}] ELSE ($1::text[])[${hashOf(5)}] END, ST_Intersection(b.geom, c.geom, ${SNAP})
            FROM lu_cell c JOIN built_up b ON ST_Intersects(b.geom, c.geom)`,
  },
];

/**
 * Derives the land use of the villages with ids above `villageOffset` (those just loaded) into
 * `land_use`, ids and codes following `offset`; returns the number of polygons.
 */
export async function deriveLandUse(client: pg.PoolClient, offsets: { village: number; land_use: number }, stamp: string, user: string,
  log: (msg: string) => void = () => {}): Promise<number> {
  const timed = async (what: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const res = await client.query(sql, params);
    log(`  land use: ${what} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return res;
  };
  await timed('squares', `CREATE TEMP TABLE lu_cell ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY v.id, g.i, g.j)::int AS id, v.id AS village_id, v.kind = 'village' AS rural, g.i, g.j, g.geom
      FROM village v
      CROSS JOIN LATERAL (
        SELECT i, j, ST_ClipByBox2D(v.geom, ST_MakeEnvelope(${ORIGIN[0]} + i * ${GRID}, ${ORIGIN[1]} + j * ${GRID},
                                                            ${ORIGIN[0]} + (i + 1) * ${GRID}, ${ORIGIN[1]} + (j + 1) * ${GRID}, 4490)) AS geom
          FROM generate_series(floor((ST_XMin(v.geom) - ${ORIGIN[0]}) / ${GRID})::int, ceil((ST_XMax(v.geom) - ${ORIGIN[0]}) / ${GRID})::int - 1) i,
               generate_series(floor((ST_YMin(v.geom) - ${ORIGIN[1]}) / ${GRID})::int, ceil((ST_YMax(v.geom) - ${ORIGIN[1]}) / ${GRID})::int - 1) j
      ) g
     WHERE v.id > $1 AND ST_Dimension(g.geom) = 2 AND NOT ST_IsEmpty(g.geom)`, [offsets.village]);
  await client.query('CREATE INDEX ON lu_cell USING gist (geom)');
  await client.query('ANALYZE lu_cell');
  // roads as the land they take: a corridor per class, buffered in a frame where a degree of longitude
  // is as long as one of latitude (x · cos φ), so metres are metres both ways
  await timed('road corridors', `CREATE TEMP TABLE lu_road ON COMMIT DROP AS
    SELECT class_code, ST_Union(ST_Scale(ST_Buffer(ST_Scale(geom, ${COS_LAT}, 1), half_width::float8 / ${M_PER_DEG_LAT}, 'quad_segs=4'), ${1 / COS_LAT}, 1), ${SNAP}) AS geom
      FROM (SELECT geom, CASE class WHEN 'railway' THEN '1001' WHEN 'expressway' THEN '1003' ELSE '1004' END AS class_code,
                   CASE class WHEN 'railway' THEN 12 WHEN 'expressway' THEN 20 WHEN 'arterial' THEN 15 WHEN 'secondary' THEN 9 ELSE 5 END AS half_width
              FROM road) r
     GROUP BY class_code`);
  // the fields with their class, their 80 m plot (the generator's field grid, rebuilt from the centroid
  // in its metre frame; neighbouring plots share their edges exactly) and the ridge: plot less field
  const lon = (k: string) => `${CITY_CENTRE[0]} + (${DISTRICT_BOX.x0} + (${k}) * ${FIELD_PLOT}) / ${M_PER_DEG_LON}`;
  const lat = (k: string) => `${CITY_CENTRE[1]} + (${DISTRICT_BOX.y0} + (${k}) * ${FIELD_PLOT}) / ${M_PER_DEG_LAT}`;
  await timed('field plots', `CREATE TEMP TABLE lu_field ON COMMIT DROP AS
    SELECT geom, class_code, plot, ST_CollectionExtract(ST_Difference(plot, geom, ${SNAP}), 3) AS ridge
      FROM (SELECT f.geom, f.class_code, ST_MakeEnvelope(${lon('p.i')}, ${lat('p.j')}, ${lon('p.i + 1')}, ${lat('p.j + 1')}, 4490) AS plot
              FROM (SELECT geom, CASE WHEN land_class ~ '^01[0-9]{2}$' THEN land_class ELSE '0103' END AS class_code FROM farmland
                    UNION ALL SELECT geom, '0103' FROM cane_base) f
              CROSS JOIN LATERAL (SELECT floor(((ST_X(ST_Centroid(f.geom)) - ${CITY_CENTRE[0]}) * ${M_PER_DEG_LON} - ${DISTRICT_BOX.x0}) / ${FIELD_PLOT})::int AS i,
                                         floor(((ST_Y(ST_Centroid(f.geom)) - ${CITY_CENTRE[1]}) * ${M_PER_DEG_LAT} - ${DISTRICT_BOX.y0}) / ${FIELD_PLOT})::int AS j) p
             WHERE ST_Intersects(f.geom, (SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4490) FROM lu_cell))) s`);
  await client.query('CREATE INDEX ON lu_field USING gist (geom)');
  await client.query('CREATE INDEX ON lu_field USING gist (plot)');
  await client.query('ANALYZE lu_field');
  await client.query(`CREATE TEMP TABLE lu_piece (cell_id int NOT NULL, class_code text NOT NULL, geom geometry NOT NULL) ON COMMIT DROP`);
  await client.query(`CREATE TEMP TABLE lu_taken (cell_id int PRIMARY KEY, geom geometry NOT NULL) ON COMMIT DROP`);
  const params = [wheel(CITY_BLOCKS), wheel(TOWN_SEAT_BLOCKS)];
  for (const step of STEPS) {
    // this class's pieces per square, less what the classes before took there
    await timed(step.name, `WITH candidate (cell_id, class_code, geom) AS (${step.sql}),
        kept AS (
          INSERT INTO lu_piece (cell_id, class_code, geom)
          SELECT p.cell_id, p.class_code, CASE WHEN t.geom IS NULL OR NOT ST_Intersects(p.geom, t.geom) THEN p.geom
                                               ELSE ST_CollectionExtract(ST_Difference(p.geom, t.geom, ${SNAP}), 3) END
            FROM (SELECT cell_id, class_code, ST_CollectionExtract(geom, 3) AS geom FROM candidate) p
            LEFT JOIN lu_taken t ON t.cell_id = p.cell_id
           WHERE NOT ST_IsEmpty(p.geom)
          RETURNING cell_id, geom)
      INSERT INTO lu_taken (cell_id, geom)
      SELECT cell_id, ST_Union(geom, ${SNAP}) FROM kept GROUP BY cell_id
      ON CONFLICT (cell_id) DO UPDATE SET geom = ST_Union(lu_taken.geom, excluded.geom, ${SNAP})`, step.sql.includes('$1') ? params : []);
  }
  // the rest of each square
  await timed('the rest', `INSERT INTO lu_piece (cell_id, class_code, geom)
    SELECT c.id, CASE WHEN c.rural THEN ($1::text[])[${hashOf(11)}] ELSE ($2::text[])[${hashOf(13)}] END,
           ST_CollectionExtract(CASE WHEN t.geom IS NULL THEN c.geom ELSE ST_Difference(c.geom, t.geom, ${SNAP}) END, 3)
      FROM lu_cell c LEFT JOIN lu_taken t ON t.cell_id = c.id`, [wheel(RURAL_REST), wheel(URBAN_REST)]);
  // one polygon per 图斑: each class's part of a square, split into its polygons (the demo's 图斑 are
  // cut at the grid; merging them across it cost more than the rest of the derivation together); the
  // ridges of neighbouring plots join into one network per square
  const res = await timed('polygons', `INSERT INTO land_use (id, code, class_code, village_id, geom, version, updated_at, updated_by)
    SELECT $1::int + n, 'TB' || lpad(($1::int + n)::text, 8, '0'), class_code, village_id, ST_Multi(geom), 1, $2::timestamptz, $3
      FROM (SELECT row_number() OVER (ORDER BY p.cell_id, p.class_code, p.k, d.path)::int AS n, c.village_id, p.class_code, d.geom
              FROM (SELECT cell_id, class_code, 0 AS k, ST_Union(geom, ${SNAP}) AS geom FROM lu_piece WHERE class_code = '1203' GROUP BY cell_id, class_code
                    UNION ALL
                    SELECT cell_id, class_code, row_number() OVER (PARTITION BY cell_id, class_code ORDER BY ST_XMin(geom), ST_YMin(geom)), geom
                      FROM lu_piece WHERE class_code <> '1203') p
              JOIN lu_cell c ON c.id = p.cell_id, ST_Dump(p.geom) d
             WHERE ST_Area(d.geom) > 0) s`, [offsets.land_use, stamp, user]);
  await client.query(`SELECT setval(pg_get_serial_sequence('land_use', 'id'), greatest((SELECT max(id) FROM land_use), 1))`);
  return res.rowCount ?? 0;
}
