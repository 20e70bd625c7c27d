// Independent SQL for the progress tests: the state at a date straight from change_log (per feature
// the latest entry with changed_at before the end of that Beijing day), areas with ST_Area on
// geography — none of the server's derived tables (progress_take_history / progress_delta) is read.
import type pg from 'pg';

export interface IndependentProject {
  id: number;
  area: number;
  year: number;
  landTargetMu: number;
  houseTargetM2: number;
  landCompletedMu: number;
  landSignedMu: number;
  houseCompletedM2: number;
  parcels: Record<string, number>;
  unpaidYuan: number;
  agreedYuan: number;
  paidYuan: number;
}

export async function independentByProject(pool: pg.Pool, asOf: string): Promise<IndependentProject[]> {
  const { rows } = await pool.query(
    `WITH b AS (SELECT (($1::date + 1)::text || ' 00:00:00+08')::timestamptz AS t),
     last AS (
       SELECT DISTINCT ON (c.layer, c.feature_id) c.layer, c.feature_id, c.op, c.after
         FROM change_log c, b WHERE c.layer IN ('parcel', 'house') AND c.changed_at < b.t
        ORDER BY c.layer, c.feature_id, c.changed_at DESC, c.id DESC
     ), st AS (
       SELECT layer, (after->>'project_id')::int AS pid, after->>'status' AS status,
              CASE WHEN layer = 'parcel' THEN ST_Area(ST_GeomFromGeoJSON(after->'geom')::geography)
                   ELSE (after->>'building_area_m2')::float8 END AS area,
              coalesce((after->>'agreed_compensation_yuan')::numeric, 0) AS agreed, (after->>'paid_yuan')::numeric AS paid
         FROM last WHERE op <> 'delete'
     ), proj AS (
       SELECT DISTINCT ON (c.feature_id) c.feature_id AS id, c.op, c.after
         FROM change_log c, b WHERE c.layer = 'project' AND c.changed_at < b.t
        ORDER BY c.feature_id, c.changed_at DESC, c.id DESC
     )
     SELECT p.id::int, (p.after->>'command_area_id')::int AS area, (p.after->>'year')::int AS year,
            (p.after->>'land_target_mu')::float8 AS land_target, (p.after->>'house_target_m2')::float8 AS house_target,
            coalesce(sum(st.area) FILTER (WHERE st.layer = 'parcel' AND st.status = 'handed_over'), 0) * 15 / 10000 AS land_done_mu,
            coalesce(sum(st.area) FILTER (WHERE st.layer = 'parcel' AND st.status IN ('signed', 'paid', 'handed_over')), 0) * 15 / 10000 AS land_signed_mu,
            coalesce(sum(st.area) FILTER (WHERE st.layer = 'house' AND st.status = 'handed_over'), 0) AS house_done_m2,
            count(*) FILTER (WHERE st.layer = 'parcel' AND st.status = 'unsigned')::int AS unsigned,
            count(*) FILTER (WHERE st.layer = 'parcel' AND st.status = 'signed')::int AS signed,
            count(*) FILTER (WHERE st.layer = 'parcel' AND st.status = 'paid')::int AS paid,
            count(*) FILTER (WHERE st.layer = 'parcel' AND st.status = 'handed_over')::int AS handed_over,
            count(*) FILTER (WHERE st.layer = 'parcel' AND st.status = 'court')::int AS court,
            coalesce(sum(greatest(st.agreed - st.paid, 0)) FILTER (WHERE st.status IN ('signed', 'paid', 'handed_over')), 0)::float8 AS unpaid,
            coalesce(sum(st.agreed), 0)::float8 AS agreed, coalesce(sum(st.paid), 0)::float8 AS paid_yuan
       FROM proj p LEFT JOIN st ON st.pid = p.id
      WHERE p.op <> 'delete'
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1`,
    [asOf],
  );
  return rows.map((r) => ({
    id: r.id, area: r.area, year: r.year, landTargetMu: r.land_target, houseTargetM2: r.house_target,
    landCompletedMu: r.land_done_mu, landSignedMu: r.land_signed_mu, houseCompletedM2: r.house_done_m2,
    parcels: { unsigned: r.unsigned, signed: r.signed, paid: r.paid, handed_over: r.handed_over, court: r.court },
    unpaidYuan: r.unpaid, agreedYuan: r.agreed, paidYuan: r.paid_yuan,
  }));
}

export const sum = <T>(xs: T[], f: (x: T) => number): number => xs.reduce((s, x) => s + f(x), 0);

const lit = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);

/**
 * Run statements as ONE simple-protocol message (an implicit transaction), dated by zs.changed_at:
 * on the embedded backend the test's connection shares PGlite's single session with the app, so a
 * transaction must not span several round trips.
 */
export async function writeAt(pool: pg.Pool, changedAt: string, statements: string, by = 'progress-test'): Promise<pg.QueryResult[]> {
  const res = await pool.query(
    `SELECT set_config('zs.changed_at', ${lit(changedAt)}, true), set_config('zs.changed_by', ${lit(by)}, true); ${statements}`,
  );
  return (Array.isArray(res) ? res : [res]) as pg.QueryResult[];
}

export { lit };
