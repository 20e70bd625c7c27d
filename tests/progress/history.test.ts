// Hand-built history inside a project made for the test: a parcel and a house signed, then paid,
// then handed over across three months (dated with zs.changed_at), a back-dated correction, and a
// change made today that must not move yesterday's figures.
import { beforeAll, describe, expect, it } from 'vitest';
import { getJson, useTestPool } from '../helpers/db.ts';
import { writeAt } from './helpers.ts';

const pool = useTestPool();
const CODE = 'TEST-P7';
// a 100 m × 100 m-ish square near 贵港 (CGCS2000 lon/lat)
const SQUARE = 'MULTIPOLYGON(((109.6300 23.1500, 109.6310 23.1500, 109.6310 23.1509, 109.6300 23.1509, 109.6300 23.1500)))';
let projectId = 0;
let parcelId = 0;
let houseId = 0;
let areaMu = 0;

const projectOn = async (asOf: string) => {
  const { body } = await getJson(`/api/progress?asOf=${asOf}&groupBy=project`);
  return body.groups.find((g: { id: number }) => g.id === projectId);
};

beforeAll(async () => {
  await pool.query(`DELETE FROM house WHERE code LIKE '${CODE}%'; DELETE FROM parcel WHERE code LIKE '${CODE}%'; DELETE FROM project WHERE code = '${CODE}'`);
  const [, created] = await writeAt(pool, '2021-03-01 09:00+08', `
    INSERT INTO project (code, name, kind, source, year, command_area_id, land_target_mu, house_target_m2, started_on)
    VALUES ('${CODE}', '测试项目（进度）', 'road', 'key', 2021, (SELECT min(id) FROM command_area), 20, 240, '2021-03-01') RETURNING id`);
  projectId = created.rows[0].id;
  const [, p, h] = await writeAt(pool, '2021-03-05 09:00+08', `
    INSERT INTO parcel (project_id, code, owner_type, owner_name, land_class, geom)
    VALUES (${projectId}, '${CODE}-1', 'household', '测试户', '0101', ST_GeomFromText('${SQUARE}', 4490)) RETURNING id;
    INSERT INTO house (project_id, code, owner_name, owner_type, building_area_m2, geom)
    VALUES (${projectId}, '${CODE}-H1', '测试户', 'household', 120, ST_GeomFromText('${SQUARE}', 4490)) RETURNING id`);
  parcelId = p.rows[0].id;
  houseId = h.rows[0].id;
  const { rows } = await pool.query('SELECT ST_Area(geom::geography) * 15 / 10000 AS mu FROM parcel WHERE id = $1', [parcelId]);
  areaMu = rows[0].mu;
  await writeAt(pool, '2021-04-10 09:00+08', `
    UPDATE parcel SET status = 'signed', signed_on = '2021-04-10', agreed_compensation_yuan = 80000 WHERE id = ${parcelId};
    UPDATE house SET status = 'signed', signed_on = '2021-04-10', agreed_compensation_yuan = 300000 WHERE id = ${houseId}`);
  await writeAt(pool, '2021-05-12 09:00+08', `
    UPDATE parcel SET status = 'paid', paid_on = '2021-05-12', paid_yuan = 80000 WHERE id = ${parcelId};
    UPDATE house SET status = 'paid', paid_on = '2021-05-12', paid_yuan = 200000 WHERE id = ${houseId}`);
  await writeAt(pool, '2021-06-15 09:00+08', `
    UPDATE parcel SET status = 'handed_over', handed_over_on = '2021-06-15' WHERE id = ${parcelId};
    UPDATE house SET status = 'handed_over', handed_over_on = '2021-06-15' WHERE id = ${houseId}`);
});

describe('a parcel and a house signed, paid, handed over across three months', () => {
  it('before the project started, the project is not there', async () => {
    expect(await projectOn('2021-02-28')).toBeUndefined();
  });

  it('on entry (March) everything is unsigned and nothing is owed', async () => {
    const g = await projectOn('2021-03-31');
    expect(g.parcels).toEqual({ unsigned: 1, signed: 0, paid: 0, handed_over: 0, court: 0, total: 1 });
    expect(g.land.totalMu).toBeCloseTo(areaMu, 6);
    expect(g.land.completedMu).toBe(0);
    expect(g.money.unpaidYuan).toBe(0);
    expect(g.land.targetMu).toBe(20);
  });

  it('signed in April: land signed, the whole agreed sum unpaid (资金缺口)', async () => {
    const g = await projectOn('2021-04-30');
    expect(g.parcels.signed).toBe(1);
    expect(g.land.signedMu).toBeCloseTo(areaMu, 6);
    expect(g.house.signedM2).toBe(120);
    expect(g.money).toEqual({ agreedYuan: 380000, paidYuan: 0, unpaidYuan: 380000 });
  });

  it('paid in May: the parcel is settled, the house still owes 100,000 元', async () => {
    const g = await projectOn('2021-05-31');
    expect(g.parcels.paid).toBe(1);
    expect(g.land.completedMu).toBe(0);
    expect(g.money).toEqual({ agreedYuan: 380000, paidYuan: 280000, unpaidYuan: 100000 });
  });

  it('handed over in June: completed 亩 and m², % against the targets', async () => {
    const g = await projectOn('2021-06-30');
    expect(g.parcels.handed_over).toBe(1);
    expect(g.land.completedMu).toBeCloseTo(areaMu, 6);
    expect(g.land.pct).toBeCloseTo((areaMu / 20) * 100, 6);
    expect(g.house.completedM2).toBe(120);
    expect(g.house.pct).toBeCloseTo(50, 9);
    expect(g.pct).toBeCloseTo(((areaMu / 20) * 100 + 50) / 2, 6);
  });

  it('the day before a change still shows the state before it (changes count from 09:00 on their day)', async () => {
    expect((await projectOn('2021-06-14')).parcels.paid).toBe(1);
    expect((await projectOn('2021-06-15')).parcels.handed_over).toBe(1);
  });

  it('the dispatch report for June shows it done this month, and the transition', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=2021-06`);
    const row = body.rows.find((r: { projectId: number }) => r.projectId === projectId);
    expect(row.landMonthMu).toBeCloseTo(areaMu, 6);
    expect(row.houseMonthM2).toBe(120);
    const change = body.changes.filter((c: { projectId: number }) => c.projectId === projectId);
    expect(change.map((c: { label: string }) => c.label).sort()).toEqual(['宗地 已付款 → 已交地', '房屋 已付款 → 已交地']);
  });

  it('a back-dated correction lands on its own date, later figures follow exactly', async () => {
    // recorded now, dated 20 May: the house was paid in full then
    await writeAt(pool, '2021-05-20 09:00+08', `UPDATE house SET paid_yuan = 300000 WHERE id = ${houseId}`);
    // the June entry still carries paid_yuan = 200000: at the end of June it is the latest entry
    expect((await projectOn('2021-05-19')).money.unpaidYuan).toBe(100000);
    expect((await projectOn('2021-05-31')).money.unpaidYuan).toBe(0);
    expect((await projectOn('2021-06-30')).money.unpaidYuan).toBe(100000);
  });
});

describe('a change made today', () => {
  it('does not move yesterday’s figures', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    const before = await getJson(`/api/progress?asOf=${yesterday}&groupBy=district`);
    // other suites may have changed things today too: today's figures are compared with today's
    const todayBefore = await getJson(`/api/progress?asOf=${today}&groupBy=district`);
    const { rows } = await pool.query(`SELECT id FROM parcel WHERE status = 'unsigned' AND code NOT LIKE '${CODE}%' ORDER BY id LIMIT 1`);
    await pool.query(`UPDATE parcel SET status = 'signed', signed_on = $2, agreed_compensation_yuan = 12345 WHERE id = $1`, [rows[0].id, today]);
    const after = await getJson(`/api/progress?asOf=${yesterday}&groupBy=district`);
    expect(after.body).toEqual(before.body);
    const now = await getJson(`/api/progress?asOf=${today}&groupBy=district`);
    expect(now.body.total.parcels.signed).toBe(todayBefore.body.total.parcels.signed + 1);
    expect(now.body.total.money.unpaidYuan).toBeCloseTo(todayBefore.body.total.money.unpaidYuan + 12345, 2);
  });
});

describe('a deleted parcel', () => {
  it('counts until the day it was deleted, not after', async () => {
    const [, ins] = await writeAt(pool, '2021-07-01 09:00+08', `
      INSERT INTO parcel (project_id, code, owner_type, owner_name, land_class, geom)
      VALUES (${projectId}, '${CODE}-2', 'household', '测试户二', '0101', ST_GeomFromText('${SQUARE}', 4490)) RETURNING id`);
    await writeAt(pool, '2021-08-01 09:00+08', `DELETE FROM parcel WHERE id = ${ins.rows[0].id}`);
    expect((await projectOn('2021-07-31')).parcels.total).toBe(2);
    expect((await projectOn('2021-08-01')).parcels.total).toBe(1);
  });
});
