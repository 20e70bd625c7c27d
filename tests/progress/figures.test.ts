// GET /api/progress against SQL computed independently from change_log (tests/progress/helpers.ts),
// over the demo district at several dates, grouped by district, command area and project.
import { describe, expect, it } from 'vitest';
import { getJson, useTestPool } from '../helpers/db.ts';
import { independentByProject, sum } from './helpers.ts';

const pool = useTestPool();
const DATES = ['2020-06-30', '2021-03-31', '2021-12-31', '2022-09-15'];

describe('GET /api/progress over the demo district', () => {
  it.each(DATES)('district totals on %s equal the state rebuilt from change_log', async (asOf) => {
    const [{ body }, ind] = await Promise.all([getJson(`/api/progress?asOf=${asOf}&groupBy=district`), independentByProject(pool, asOf)]);
    const t = body.total;
    expect(body.groups).toHaveLength(1);
    expect(t.projects).toBe(ind.length);
    expect(t.land.targetMu).toBeCloseTo(sum(ind, (p) => p.landTargetMu), 6);
    expect(t.land.completedMu).toBeCloseTo(sum(ind, (p) => p.landCompletedMu), 4);
    expect(t.land.signedMu).toBeCloseTo(sum(ind, (p) => p.landSignedMu), 4);
    expect(t.house.completedM2).toBeCloseTo(sum(ind, (p) => p.houseCompletedM2), 4);
    expect(t.parcels.handed_over).toBe(sum(ind, (p) => p.parcels.handed_over));
    expect(t.parcels.signed).toBe(sum(ind, (p) => p.parcels.signed));
    expect(t.money.unpaidYuan).toBeCloseTo(sum(ind, (p) => p.unpaidYuan), 2);
    expect(t.money.agreedYuan).toBeCloseTo(sum(ind, (p) => p.agreedYuan), 2);
  });

  it('has real progress to show: land handed over grows between 2021 and 2022', async () => {
    const a = (await getJson('/api/progress?asOf=2021-01-31')).body.total;
    const b = (await getJson('/api/progress?asOf=2022-12-31')).body.total;
    expect(a.land.completedMu).toBeGreaterThan(0);
    expect(b.land.completedMu).toBeGreaterThan(a.land.completedMu);
    expect(b.house.completedM2).toBeGreaterThan(a.house.completedM2);
  });

  it('per command area equals the independent sums of its projects', async () => {
    const asOf = '2021-12-31';
    const [{ body }, ind] = await Promise.all([getJson(`/api/progress?asOf=${asOf}&groupBy=area`), independentByProject(pool, asOf)]);
    expect(body.groups.map((g: { code: string }) => g.code)).toEqual(['guicheng', 'gangcheng', 'outer']);
    for (const g of body.groups) {
      const mine = ind.filter((p) => p.area === g.id);
      expect(g.projects, g.name).toBe(mine.length);
      expect(g.land.completedMu, g.name).toBeCloseTo(sum(mine, (p) => p.landCompletedMu), 4);
      expect(g.land.targetMu, g.name).toBeCloseTo(sum(mine, (p) => p.landTargetMu), 6);
      expect(g.money.unpaidYuan, g.name).toBeCloseTo(sum(mine, (p) => p.unpaidYuan), 2);
      expect(g.land.pct, g.name).toBeCloseTo((100 * sum(mine, (p) => p.landCompletedMu)) / sum(mine, (p) => p.landTargetMu), 6);
    }
  });

  it('per project equals the independent figures, project by project', async () => {
    const asOf = '2022-06-30';
    const [{ body }, ind] = await Promise.all([getJson(`/api/progress?asOf=${asOf}&groupBy=project`), independentByProject(pool, asOf)]);
    const byId = new Map(ind.map((p) => [p.id, p]));
    expect(body.groups.length).toBe(ind.length);
    for (const g of body.groups) {
      const p = byId.get(g.id)!;
      expect(g.land.completedMu, g.name).toBeCloseTo(p.landCompletedMu, 4);
      expect(g.house.completedM2, g.name).toBeCloseTo(p.houseCompletedM2, 4);
      expect(g.parcels.unsigned + g.parcels.signed + g.parcels.paid + g.parcels.handed_over + g.parcels.court, g.name).toBe(g.parcels.total);
      expect({ ...g.parcels, total: undefined }, g.name).toEqual({ ...p.parcels, total: undefined });
      expect(g.money.unpaidYuan, g.name).toBeCloseTo(p.unpaidYuan, 2);
      expect(g.money.paidYuan, g.name).toBeCloseTo(p.paidYuan, 2);
    }
  });

  it('filters by target year', async () => {
    const asOf = '2022-12-31';
    const [{ body }, ind] = await Promise.all([getJson(`/api/progress?asOf=${asOf}&year=2021`), independentByProject(pool, asOf)]);
    const mine = ind.filter((p) => p.year === 2021);
    expect(body.year).toBe(2021);
    expect(body.total.projects).toBe(mine.length);
    expect(body.total.land.targetMu).toBeCloseTo(sum(mine, (p) => p.landTargetMu), 6);
    expect(body.total.land.completedMu).toBeCloseTo(sum(mine, (p) => p.landCompletedMu), 4);
  });

  it('today equals the current tables (the history ends where the rows are)', async () => {
    const { body } = await getJson('/api/progress?groupBy=district');
    const { rows } = await pool.query(`SELECT
        coalesce(sum(ST_Area(geom::geography)) FILTER (WHERE status = 'handed_over'), 0) * 15 / 10000 AS done_mu,
        count(*) FILTER (WHERE status = 'court')::int AS court,
        (SELECT coalesce(sum(building_area_m2), 0)::float8 FROM house WHERE status = 'handed_over') AS house_m2,
        (SELECT sum(land_target_mu)::float8 FROM project) AS target
      FROM parcel`);
    expect(body.total.land.completedMu).toBeCloseTo(rows[0].done_mu, 4);
    expect(body.total.parcels.court).toBe(rows[0].court);
    expect(body.total.house.completedM2).toBeCloseTo(rows[0].house_m2, 4);
    expect(body.total.land.targetMu).toBeCloseTo(rows[0].target, 6);
  });

  it('is in 亩 = m² × 15 / 10000 of ellipsoidal area', async () => {
    const { body } = await getJson('/api/progress?asOf=2022-12-31&groupBy=project');
    const g = body.groups.find((x: { parcels: { handed_over: number } }) => x.parcels.handed_over > 0);
    const { rows } = await pool.query(`SELECT sum(ST_Area(geom::geography)) AS m2 FROM parcel
      WHERE project_id = $1 AND status = 'handed_over' AND handed_over_on <= '2022-12-31'`, [g.id]);
    expect(g.land.completedMu).toBeCloseTo((rows[0].m2 * 15) / 10000, 4);
  });

  it('rejects a date that is not one', async () => {
    expect((await getJson('/api/progress?asOf=2021-02-30')).status).toBe(400);
    expect((await getJson('/api/progress?asOf=yesterday')).status).toBe(400);
    expect((await getJson('/api/progress?groupBy=village')).status).toBe(400);
  });
});

describe('GET /api/progress/map', () => {
  it('gives every red line and command area a % keyed by feature id, equal to /api/progress', async () => {
    const asOf = '2021-09-30';
    const [{ body: m }, { body: p }, { body: a }] = await Promise.all([
      getJson(`/api/progress/map?asOf=${asOf}`), getJson(`/api/progress?asOf=${asOf}&groupBy=project`), getJson(`/api/progress?asOf=${asOf}&groupBy=area`),
    ]);
    expect(m.projects.map((x: { id: number }) => x.id)).toEqual(p.groups.map((g: { id: number }) => g.id));
    for (const g of p.groups) expect(m.projects.find((x: { id: number }) => x.id === g.id).pct).toBe(g.pct);
    for (const g of a.groups) expect(m.areas.find((x: { id: number }) => x.id === g.id).pct).toBe(g.pct);
    const { rows } = await pool.query('SELECT id FROM command_area ORDER BY id');
    expect(m.areas.map((x: { id: number }) => x.id)).toEqual(rows.map((r) => r.id));
  });
});

describe('GET /api/progress/series', () => {
  it('gives month-end figures equal to asOf on each month end', async () => {
    const { body } = await getJson('/api/progress/series?from=2021-01&to=2021-06-30');
    expect(body.points.map((x: { month: string }) => x.month)).toEqual(['2021-01', '2021-02', '2021-03', '2021-04', '2021-05', '2021-06']);
    for (const point of [body.points[0], body.points[3], body.points[5]]) {
      const ind = await independentByProject(pool, point.asOf);
      const ids = new Set((await getJson('/api/progress?asOf=2021-06-30&groupBy=project')).body.groups.map((g: { id: number }) => g.id));
      const mine = ind.filter((p) => ids.has(p.id));
      expect(point.landCompletedMu, point.month).toBeCloseTo(sum(mine, (p) => p.landCompletedMu), 4);
      expect(point.houseCompletedM2, point.month).toBeCloseTo(sum(mine, (p) => p.houseCompletedM2), 4);
    }
  });
});
