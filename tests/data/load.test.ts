// The loader against a real PostgreSQL + PostGIS: a throwaway database per run, migrated, the demo
// district loaded once, then each rule checked in SQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict, countRows } from '../../data/demo/index.ts';
import { loadDistrict } from '../../data/load.ts';
import { seedDemoIfEmpty } from '../../data/seed.ts';
import { migrate } from '../../server/db/migrate.ts';

const ADMIN_URL = process.env.DATA_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `zs_data_test_${process.pid}_${Math.floor(performance.now())}`;
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let pool: pg.Pool;
let loaded: Record<string, number>;
const district = generateDistrict();

beforeAll(async () => {
  await admin(`CREATE DATABASE ${dbName}`);
  pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  await migrate(pool);
  loaded = await loadDistrict(pool, district);
});

afterAll(async () => {
  await pool?.end();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

const one = async <T = Record<string, unknown>>(sql: string): Promise<T> => (await pool.query(sql)).rows[0] as T;

describe('loadDistrict into PostgreSQL + PostGIS', () => {
  it('writes every generated row', async () => {
    const expected = countRows(district);
    for (const [table, n] of Object.entries(expected)) {
      const { count } = await one<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
      expect({ table, count }).toEqual({ table, count: n });
      expect(loaded[table]).toBe(n);
    }
  });

  it('stores only valid geometries', async () => {
    const tables: [string, string][] = [['command_area', 'geom'], ['township', 'geom'], ['village', 'geom'], ['park', 'geom'], ['project', 'red_line'],
      ['parcel', 'geom'], ['house', 'geom'], ['farmland', 'geom'], ['cane_base', 'geom'], ['military_land', 'geom'], ['disputed_land', 'geom'],
      ['reserved_land', 'geom'], ['resettlement_site', 'geom'], ['water', 'geom'], ['built_up', 'geom'], ['road', 'geom']];
    for (const [table, col] of tables) {
      const { invalid } = await one<{ invalid: number }>(`SELECT count(*)::int AS invalid FROM ${table} WHERE ${col} IS NOT NULL AND NOT ST_IsValid(${col})`);
      expect({ table, invalid }).toEqual({ table, invalid: 0 });
    }
  });

  it('tiles each red line with its parcels without gaps (union equals the red line)', async () => {
    const { worst } = await one<{ worst: number }>(`
      SELECT max(ST_Area(ST_SymDifference(pr.red_line, u.geom)::geography)) AS worst
      FROM project pr JOIN (SELECT project_id, ST_Union(geom) AS geom FROM parcel GROUP BY project_id) u ON u.project_id = pr.id`);
    expect(worst).toBeLessThan(0.01); // m²
  });

  it('tiles each red line with its parcels without overlaps', async () => {
    const { pairs } = await one<{ pairs: number }>(`
      SELECT count(*)::int AS pairs FROM parcel a JOIN parcel b
        ON a.project_id = b.project_id AND a.id < b.id AND a.geom && b.geom AND ST_Overlaps(a.geom, b.geom)`);
    expect(pairs).toBe(0);
  });

  it('puts cane bases on the red lines of exactly 15 projects, with positive area', async () => {
    const { touched } = await one<{ touched: number }>(`
      SELECT count(DISTINCT pr.id)::int AS touched FROM project pr JOIN cane_base c ON pr.red_line && c.geom AND ST_Intersects(pr.red_line, c.geom)`);
    const { withArea } = await one<{ withArea: number }>(`
      SELECT count(*)::int AS "withArea" FROM (
        SELECT pr.id FROM project pr JOIN cane_base c ON pr.red_line && c.geom AND ST_Intersects(pr.red_line, c.geom)
        GROUP BY pr.id HAVING sum(ST_Area(ST_Intersection(pr.red_line, c.geom)::geography)) > 1) x`);
    expect(touched).toBe(15);
    expect(withArea).toBe(15);
  });

  it('has military land overlapping 港区大道’s red line', async () => {
    const { m2 } = await one<{ m2: number }>(`
      SELECT sum(ST_Area(ST_Intersection(m.geom, pr.red_line)::geography)) AS m2
      FROM military_land m JOIN project pr ON pr.name LIKE '港区大道%' AND ST_Intersects(m.geom, pr.red_line)`);
    expect(m2).toBeGreaterThan(1_000);
  });

  it('has at least two resettlement sites more than 3 years overdue at 2022-12-31', async () => {
    const { overdue } = await one<{ overdue: number }>(`
      SELECT count(*)::int AS overdue FROM resettlement_site
      WHERE planned_delivery_on < date '2022-12-31' - interval '3 years'
        AND (actual_delivery_on IS NULL OR actual_delivery_on > date '2022-12-31')`);
    expect(overdue).toBeGreaterThanOrEqual(2);
  });

  it('ends every parcel’s history in change_log with its current status', async () => {
    const { mismatched } = await one<{ mismatched: number }>(`
      SELECT count(*)::int AS mismatched FROM parcel p
      LEFT JOIN LATERAL (SELECT after FROM change_log l WHERE l.layer = 'parcel' AND l.feature_id = p.id
                         ORDER BY changed_at DESC, version DESC LIMIT 1) last ON true
      WHERE last.after IS NULL OR last.after->>'status' <> p.status`);
    expect(mismatched).toBe(0);
  });

  it('gives each parcel and house a version equal to its number of history entries', async () => {
    for (const table of ['parcel', 'house']) {
      const { off } = await one<{ off: number }>(`
        SELECT count(*)::int AS off FROM ${table} t
        WHERE t.version <> (SELECT count(*) FROM change_log l WHERE l.layer = '${table}' AND l.feature_id = t.id)`);
      expect({ table, off }).toEqual({ table, off: 0 });
    }
  });

  it('dates the history: parcels handed over by the end of 2021 are fewer than by the end of 2022', async () => {
    const { y2021, y2022 } = await one<{ y2021: number; y2022: number }>(`
      WITH state AS (
        SELECT DISTINCT ON (feature_id, cut) feature_id, cut, after->>'status' AS status
        FROM change_log, (VALUES (timestamptz '2021-12-31 23:59+08'), (timestamptz '2022-12-31 23:59+08')) c(cut)
        WHERE layer = 'parcel' AND changed_at <= cut ORDER BY feature_id, cut, changed_at DESC, version DESC)
      SELECT count(*) FILTER (WHERE status = 'handed_over' AND cut < '2022-06-01')::int AS y2021,
             count(*) FILTER (WHERE status = 'handed_over' AND cut > '2022-06-01')::int AS y2022 FROM state`);
    expect(y2021).toBeGreaterThan(0);
    expect(y2022).toBeGreaterThan(y2021);
  });

  it('leaves the sequences ready for new rows', async () => {
    const { id } = await one<{ id: number }>(`INSERT INTO place (name, kind, geom) VALUES ('测试', 'landmark', ST_SetSRID(ST_MakePoint(109.6, 23.09), 4490)) RETURNING id`);
    expect(id).toBe(district.place.length + 1);
    await pool.query('DELETE FROM place WHERE id = $1', [id]);
  });

  it('does not seed the demo again once projects exist', async () => {
    expect(await seedDemoIfEmpty(pool)).toBe(false);
  });
});
