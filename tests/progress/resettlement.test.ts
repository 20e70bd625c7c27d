// Resettlement sites (late delivery, households waiting, transitional allowance) and reserved land.
import { describe, expect, it } from 'vitest';
import { getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

describe('GET /api/progress/resettlement', () => {
  it('months overdue per site equal PostgreSQL age() from planned delivery to delivery or the date', async () => {
    const asOf = '2021-12-31';
    const { body } = await getJson(`/api/progress/resettlement?asOf=${asOf}`);
    const { rows } = await pool.query(`SELECT id, greatest(0, (extract(year FROM a) * 12 + extract(month FROM a))::int) AS months
      FROM (SELECT id, age(CASE WHEN actual_delivery_on <= $1 THEN actual_delivery_on ELSE $1::date END, planned_delivery_on) AS a FROM resettlement_site) s`, [asOf]);
    expect(body.sites).toHaveLength(rows.length);
    for (const r of rows) expect(body.sites.find((s: { id: number }) => s.id === r.id).overdueMonths, String(r.id)).toBe(r.months);
  });

  it('flags the seed’s sites more than three years late', async () => {
    const { body } = await getJson('/api/progress/resettlement?asOf=2021-12-31');
    const flagged = body.sites.filter((s: { overThreeYears: boolean }) => s.overThreeYears).map((s: { name: string }) => s.name);
    expect(flagged).toContain('三合安置区');
    expect(flagged).toContain('蓝田安置区');
    for (const s of body.sites) expect(s.overThreeYears).toBe(s.overdueMonths > 36);
  });

  it('accrues the transitional allowance as households × months × the configured rate', async () => {
    const { body } = await getJson('/api/progress/resettlement?asOf=2021-12-31');
    const { rows } = await pool.query(`SELECT value FROM app_setting WHERE key = 'transitional_allowance_yuan_per_household_month'`);
    expect(body.rate.yuanPerHouseholdMonth).toBe(Number(rows[0]?.value ?? 600));
    for (const s of body.sites) {
      expect(s.allowanceAccruedYuan).toBe(s.householdsWaiting * s.monthsWaiting * body.rate.yuanPerHouseholdMonth);
      expect(s.allowanceOverdueYuan).toBe(s.householdsWaiting * s.overdueMonths * body.rate.yuanPerHouseholdMonth);
    }
  });

  it('does not count a delivery that had not happened yet', async () => {
    const { body } = await getJson('/api/progress/resettlement?asOf=2021-01-31');
    const jiangnan = body.sites.find((s: { name: string }) => s.name === '江南安置区');
    expect(jiangnan.delivered).toBe(false); // delivered 2021-06-20
    const later = (await getJson('/api/progress/resettlement?asOf=2021-07-31')).body.sites.find((s: { name: string }) => s.name === '江南安置区');
    expect(later.delivered).toBe(true);
  });
});

describe('GET /api/progress/reserved-land', () => {
  it('owed and delivered per village and year equal the table', async () => {
    const asOf = '2022-12-31';
    const { body } = await getJson(`/api/progress/reserved-land?asOf=${asOf}`);
    const { rows } = await pool.query(`SELECT village_id, year, sum(owed_mu)::float8 AS owed,
        sum(CASE WHEN delivered_on IS NULL OR delivered_on <= $1 THEN delivered_mu ELSE 0 END)::float8 AS delivered
      FROM reserved_land GROUP BY 1, 2`, [asOf]);
    expect(body.groups).toHaveLength(rows.length);
    for (const r of rows) {
      const g = body.groups.find((x: { villageId: number; year: number }) => x.villageId === r.village_id && x.year === r.year);
      expect(g.owedMu).toBeCloseTo(r.owed, 9);
      expect(g.deliveredMu).toBeCloseTo(r.delivered, 9);
      expect(g.villageName).toBeTruthy();
    }
  });

  it('a delivery after the date is still owed then', async () => {
    const { rows } = await pool.query(`SELECT village_id, year, delivered_on::text AS on FROM reserved_land WHERE delivered_mu > 0 AND delivered_on IS NOT NULL ORDER BY delivered_on DESC LIMIT 1`);
    const r = rows[0];
    const dayBefore = new Date(Date.parse(r.on) - 86_400_000).toISOString().slice(0, 10);
    const g = (await getJson(`/api/progress/reserved-land?asOf=${dayBefore}`)).body.groups
      .find((x: { villageId: number; year: number }) => x.villageId === r.village_id && x.year === r.year);
    expect(g.deliveredMu).toBe(0);
    expect(g.outstandingMu).toBe(g.owedMu);
  });
});
