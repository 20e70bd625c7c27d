// Each demo project's legal procedure (征地程序) and its quotas (用地指标), made to agree with the rest
// of the district: the 方案公告 ran its 30 days before the project's first agreement was signed, the
// 报批 ended on the project's approval date with its 批复文号, and the steps follow the law's order
// (geo/procedure.ts checks all three; tests/data/procedure.test.ts holds the demo to them). A few
// projects carry what the district's summary complains of: a notice posted too short, a 征收公告
// posted late, a step past its planned date.
import { addWorkingDays, dayNumber } from '../../geo/time.ts';
import type { ProcedureStepId } from '../../geo/procedure.ts';
import { AS_OF } from './projects.ts';
import { type Rng, addDays, stampOf } from './random.ts';
import type { HouseRow, ParcelRow, ProcedureStepRow, ProjectQuotaRow, ProjectRow } from './types.ts';

interface Dated { started: string | null; completed: string | null; doc?: string | null; waived?: string }

const minDate = (ds: (string | null)[]): string | null => ds.filter((d): d is string => d !== null).sort()[0] ?? null;

export function buildProcedure(projects: ProjectRow[], parcels: ParcelRow[], houses: HouseRow[], rng: Rng): { steps: ProcedureStepRow[]; quotas: ProjectQuotaRow[] } {
  const firstSigned = new Map<number, string>();
  for (const t of [...parcels, ...houses]) {
    if (!t.signed_on) continue;
    const had = firstSigned.get(t.project_id);
    if (!had || t.signed_on < had) firstSigned.set(t.project_id, t.signed_on);
  }
  const steps: ProcedureStepRow[] = [];
  const quotas: ProjectQuotaRow[] = [];
  for (const p of projects) {
    const dated = projectSteps(p, firstSigned.get(p.id) ?? null, rng.fork(p.code));
    for (const [step, d] of dated) {
      // a waived hearing was never planned; a step not reached is planned after the demo's date
      const plannedStart = d.waived !== undefined ? null : d.started ? addDays(d.started, -rng.int(0, 20)) : addDays(AS_OF, rng.int(10, 120));
      const plannedEnd = plannedStart === null ? null : d.completed ? addDays(d.completed, rng.int(-10, 15)) : addDays(plannedStart, rng.int(20, 90));
      const last = minDate([d.completed ?? d.started ?? null, AS_OF]) ?? p.updated_at.slice(0, 10);
      steps.push({
        id: steps.length + 1, project_id: p.id, step,
        planned_start_on: plannedStart, planned_end_on: plannedEnd !== null && plannedStart !== null && plannedEnd < plannedStart ? plannedStart : plannedEnd,
        started_on: d.started, completed_on: d.completed, doc_no: d.doc ?? null,
        waived: d.waived !== undefined, note: d.waived ?? null,
        version: 1, updated_at: stampOf(last),
      });
    }
    if (p.approval_stage !== 'pre_expropriation' && p.red_line) {
      const mu = Number(p.land_target_mu);
      const on = p.approved_on ?? addDays(AS_OF, -rng.int(30, 200));
      const year = on.slice(0, 4);
      const add = (kind: ProjectQuotaRow['kind'], source: ProjectQuotaRow['source'], share: number, doc: string) =>
        quotas.push({ id: quotas.length + 1, project_id: p.id, kind, source, mu: Math.round(mu * share * 100) / 100, doc_no: doc, secured_on: on, version: 1, updated_at: stampOf(on) });
      add('construction', 'annual_plan', rng.range(0.45, 0.8), `${year}年度土地利用计划 贵自然资〔${year}〕${rng.int(10, 99)}号`);
      if (rng.chance(0.5)) add('construction', 'linkage', rng.range(0.05, 0.25), `增减挂钩节余指标 ${year}-${rng.int(1, 40)}`);
      add('cultivated', 'balance', rng.range(0.2, 0.5), `占补平衡 补充耕地指标 ${year}-${rng.int(100, 999)}`);
    }
  }
  return { steps, quotas };
}

/**
 * The steps a project has reached, dated backwards from the day its agreements began (E): no later
 * than its first signing, and for an approved project well before the approval (agreements, then
 * 报批, then 批复). A project with neither signing nor approval has reached an earlier step.
 */
function projectSteps(p: ProjectRow, signed: string | null, rng: Rng): [ProcedureStepId, Dated][] {
  const year = (d: string) => d.slice(0, 4);
  const n = () => rng.int(2, 60);
  const out: [ProcedureStepId, Dated][] = [];
  if (!p.red_line) return [['pre_notice', { started: null, completed: null }]];
  const approved = p.approval_stage === 'approved' ? p.approved_on : null;
  const submitted = p.approval_stage === 'submitted';
  // how far the project has got
  const reached: 'survey' | 'plan_notice' | 'agreement' | 'application' | 'complete' =
    approved ? 'complete' : submitted ? 'application' : signed ? 'agreement' : rng.pick(['survey', 'plan_notice'] as const);
  const latest = approved ? addDays(approved, -rng.int(95, 140)) : submitted ? addDays(AS_OF, -rng.int(120, 200)) : AS_OF;
  const E = signed ? minDate([addDays(signed, -rng.int(0, 5)), latest])! : reached === 'plan_notice' ? addDays(AS_OF, rng.int(5, 20)) : latest;
  // 方案公告 ends before E, posted at least 30 days before it; a few were taken down before their 30 days (the warning)
  const short = rng.chance(0.08);
  const planStart = addDays(E, -30 - rng.int(0, short ? 5 : 12));
  const planEnd = short ? addDays(planStart, rng.int(19, 25)) : minDate([addDays(planStart, 29 + rng.int(0, 6)), addDays(E, -1)])!;
  const hearingHeld = rng.chance(0.15);
  const riskEnd = addDays(planStart, -rng.int(1, 10));
  const riskStart = addDays(riskEnd, -rng.int(15, 40));
  const surveyEnd = addDays(riskStart, -rng.int(0, 5));
  const surveyStart = addDays(surveyEnd, -rng.int(20, 60));
  const preEnd = addDays(surveyStart, -rng.int(0, 3));
  // ≥ 10 working days, except now and then (12 calendar days can hold fewer)
  const preStart = rng.chance(0.06) ? addDays(preEnd, -rng.int(8, 11)) : addDays(preEnd, -rng.int(15, 25));
  out.push(['pre_notice', { started: preStart, completed: preEnd, doc: `贵征预〔${year(preStart)}〕${n()}号` }]);
  if (reached === 'survey') {
    out.push(['survey', { started: surveyStart, completed: null }]);
    return out;
  }
  out.push(['survey', { started: surveyStart, completed: surveyEnd }]);
  out.push(['risk_assessment', { started: riskStart, completed: riskEnd, doc: `稳评〔${year(riskEnd)}〕${n()}号` }]);
  if (reached === 'plan_notice') {
    // posted before the demo's date and still up on it
    out.push(['plan_notice', { started: planStart, completed: null, doc: `贵征方〔${year(planStart)}〕${n()}号` }]);
    return out;
  }
  out.push(['plan_notice', { started: planStart, completed: planEnd, doc: `贵征方〔${year(planStart)}〕${n()}号` }]);
  if (hearingHeld && dayNumber(E) - dayNumber(planEnd) >= 3) out.push(['hearing', { started: addDays(planEnd, 1), completed: addDays(planEnd, 1), doc: `听证笔录 ${year(planEnd)}-${n()}` }]);
  else out.push(['hearing', { started: null, completed: null, waived: '方案公告期内未有过半数集体经济组织成员申请听证' }]);
  if (reached === 'agreement') {
    out.push(['agreement', { started: E, completed: null }]);
    return out;
  }
  const appStart = approved ? addDays(approved, -rng.int(30, 90)) : addDays(E, rng.int(40, 90));
  out.push(['agreement', { started: E, completed: addDays(appStart, -rng.int(0, 3)) }]);
  out.push(['application', { started: appStart, completed: approved, doc: approved ? p.approval_doc_no : null }]);
  if (approved) {
    const late = rng.chance(0.1);
    const posted = addWorkingDays(approved, late ? rng.int(16, 30) : rng.int(3, 14));
    if (posted <= AS_OF) out.push(['expropriation_notice', { started: posted, completed: minDate([addDays(posted, rng.int(10, 20)), AS_OF]), doc: `贵征告〔${year(posted)}〕${n()}号` }]);
    else out.push(['expropriation_notice', { started: null, completed: null }]);
  }
  return out;
}
