// The problem log: read (now and as of a date), create and update with history and optimistic concurrency.
import { describe, expect, it } from 'vitest';
import { PROBLEM_KIND } from '../../geo/domain.ts';
import { api, appUrl, getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

async function send(method: string, path: string, body: unknown) {
  const res = await api(appUrl() + path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('GET /api/problems', () => {
  it('lists every problem of the table with its Chinese type label', async () => {
    const { body } = await getJson('/api/problems');
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM problem');
    expect(body.count).toBe(rows[0].n);
    for (const p of body.problems) expect(p.kindLabel).toBe(PROBLEM_KIND[p.kind as keyof typeof PROBLEM_KIND].zh);
  });

  it('as of a date leaves out problems opened later', async () => {
    const asOf = '2020-06-30';
    const { body } = await getJson(`/api/problems?asOf=${asOf}`);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM problem WHERE opened_on <= $1 AND id IN (
      SELECT feature_id FROM change_log WHERE layer = 'problem' AND changed_at < ($1::date + 1)::text::timestamptz)`, [asOf]);
    expect(body.count).toBeGreaterThan(0);
    expect(body.count).toBeLessThanOrEqual(rows[0].n);
    for (const p of body.problems) expect(p.openedOn <= asOf).toBe(true);
  });

  it('filters by command area through the project', async () => {
    const { body } = await getJson('/api/problems?areaId=2');
    expect(body.count).toBeGreaterThan(0);
    for (const p of body.problems) expect(p.commandAreaId).toBe(2);
  });
});

describe('POST /api/problems', () => {
  it('creates a problem and records who and when in the history', async () => {
    const { rows: [project] } = await pool.query('SELECT id FROM project ORDER BY id LIMIT 1');
    const { status, body } = await send('POST', '/api/problems', {
      kind: 'irrigation_damage', title: '测试：灌溉渠被施工破坏', owner: '区水利局', projectId: project.id, lon: 109.61, lat: 23.1, openedOn: '2022-03-01',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'irrigation_damage', kindLabel: '灌溉设施破坏', status: 'open', projectId: project.id, version: 1 });
    expect(body.lon).toBeCloseTo(109.61, 9);
    const { rows } = await pool.query(`SELECT op, changed_by, after->>'title' AS title FROM change_log WHERE layer = 'problem' AND feature_id = $1`, [body.id]);
    expect(rows).toEqual([{ op: 'insert', changed_by: 'tester', title: '测试：灌溉渠被施工破坏' }]);
  });

  it('refuses an unknown type', async () => {
    const { status } = await send('POST', '/api/problems', { kind: 'weather', title: 'x' });
    expect(status).toBe(400);
  });

  it('refuses an unknown project (422 unknown_reference naming the field)', async () => {
    const { status, body } = await send('POST', '/api/problems', { kind: 'funding', title: 'x', projectId: 999999 });
    expect(status).toBe(422);
    expect(body).toMatchObject({ error: 'unknown_reference', field: 'project_id' });
  });
});

describe('PATCH /api/problems/:id', () => {
  it('resolves a problem: status, date, version and an update in the history', async () => {
    const created = (await send('POST', '/api/problems', { kind: 'funding', title: '测试：资金缺口', openedOn: '2022-01-10' })).body;
    const { status, body } = await send('PATCH', `/api/problems/${created.id}`, { version: created.version, status: 'resolved', resolvedOn: '2022-04-20' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'resolved', resolvedOn: '2022-04-20', version: 2 });
    const { rows } = await pool.query(`SELECT op, before->>'status' AS b, after->>'status' AS a FROM change_log
      WHERE layer = 'problem' AND feature_id = $1 ORDER BY id`, [created.id]);
    expect(rows.map((r) => r.op)).toEqual(['insert', 'update']);
    expect(rows[1]).toMatchObject({ b: 'open', a: 'resolved' });
  });

  it('refuses a stale version with 412 stale_version', async () => {
    const created = (await send('POST', '/api/problems', { kind: 'reserved_land', title: '测试：留用地' })).body;
    expect((await send('PATCH', `/api/problems/${created.id}`, { version: 1, owner: '甲' })).status).toBe(200);
    const stale = await send('PATCH', `/api/problems/${created.id}`, { version: 1, owner: '乙' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: 'stale_version', params: { currentVersion: 2 } });
  });

  it('404 for a problem that does not exist', async () => {
    expect((await send('PATCH', '/api/problems/999999', { version: 1, owner: '甲' })).status).toBe(404);
  });
});
