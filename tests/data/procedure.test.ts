// The demo's procedure (projects the tests made are left out) agrees with the rest of the district (data/demo/procedure.ts): every project's
// steps in the law's order, its 报批 ending on its approval, and no agreement signed before the 方案公告 ran its 30 days.
import { describe, expect, it } from 'vitest';
import { orderViolation, signingOpensOn, type StepRecord } from '../../geo/procedure.ts';
import { stepsByProject } from '../../server/core/procedure.ts';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

describe('the demo procedure', () => {
  it('keeps every project\'s steps in the law\'s order', async () => {
    const steps = await stepsByProject(pool, null);
    expect(steps.size).toBeGreaterThan(20);
    for (const [project, own] of steps) expect({ project, violation: orderViolation(own) }).toEqual({ project, violation: null });
  });

  it('signs no parcel or house before its project\'s plan notice ran 30 days', async () => {
    const steps = await stepsByProject(pool, null);
    const { rows } = await pool.query<{ project_id: number; first: string }>(
      `SELECT project_id, min(signed_on)::text AS first FROM (SELECT project_id, signed_on FROM parcel UNION ALL SELECT project_id, signed_on FROM house) t
        WHERE signed_on IS NOT NULL AND project_id IN (SELECT id FROM project WHERE code NOT LIKE 'TEST%') GROUP BY project_id`);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      const opens = signingOpensOn(steps.get(r.project_id) ?? ([] as StepRecord[]));
      expect({ project: r.project_id, early: opens === null || r.first < opens }).toEqual({ project: r.project_id, early: false });
    }
  });

  it('ends the 报批 of every approved project on its approval, with its number', async () => {
    const { rows } = await pool.query(
      `SELECT p.id, p.approved_on::text = s.completed_on::text AS same_day, p.approval_doc_no = s.doc_no AS same_no
         FROM project p JOIN procedure_step s ON s.project_id = p.id AND s.step = 'application' WHERE p.approval_stage = 'approved'`);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(r).toMatchObject({ same_day: true, same_no: true });
  });
});
