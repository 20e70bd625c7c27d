// The legal procedure of a land expropriation (征地程序: 土地管理法 2019 art. 47, 实施条例 2021 arts.
// 26–31): eight steps in order, the minimum periods the law sets, and what follows for signing. One
// rule for the server, which refuses an out-of-order step and a too-early signing, and for the client
// and the reports, which show the same warnings. The facts: ../shared/reference/domain.md.
import type { Label } from './domain.ts';
import { addDays, addWorkingDays, dayNumber, workingDaysBetween } from './time.ts';

export const PROCEDURE_STEPS = [
  'pre_notice', 'survey', 'risk_assessment', 'plan_notice', 'hearing', 'agreement', 'application', 'expropriation_notice',
] as const;
export type ProcedureStepId = (typeof PROCEDURE_STEPS)[number];

export const PROCEDURE_STEP: Record<ProcedureStepId, Label & { short: Label; notice?: true }> = {
  pre_notice: { zh: '征收土地预公告', en: 'Pre-notice of expropriation', short: { zh: '预公告', en: 'Pre-notice' }, notice: true },
  survey: { zh: '土地现状调查', en: 'Survey of the land', short: { zh: '现状调查', en: 'Survey' } },
  risk_assessment: { zh: '社会稳定风险评估', en: 'Social stability risk assessment', short: { zh: '风险评估', en: 'Risk assessment' } },
  plan_notice: { zh: '征地补偿安置方案公告', en: 'Notice of the compensation plan', short: { zh: '方案公告', en: 'Plan notice' }, notice: true },
  hearing: { zh: '听证', en: 'Hearing', short: { zh: '听证', en: 'Hearing' } },
  agreement: { zh: '签订征地补偿安置协议', en: 'Compensation agreements', short: { zh: '签订协议', en: 'Agreements' } },
  application: { zh: '申请征收土地（报批）', en: 'Application for approval', short: { zh: '报批', en: 'Application' } },
  expropriation_notice: { zh: '征收土地公告', en: 'Notice of expropriation', short: { zh: '征收公告', en: 'Expropriation notice' }, notice: true },
};

/** The law's periods: 预公告 posted ≥ 10 working days, 方案公告 ≥ 30 days, 征收公告 within 15 working days of the approval. */
export const PRE_NOTICE_MIN_WORKING_DAYS = 10;
export const PLAN_NOTICE_MIN_DAYS = 30;
export const EXPROPRIATION_NOTICE_MAX_WORKING_DAYS = 15;

/** One step as recorded (null where nothing is). Dates YYYY-MM-DD. */
export interface StepRecord {
  step: ProcedureStepId;
  plannedStartOn: string | null;
  plannedEndOn: string | null;
  /** a notice: the day it was posted */
  startedOn: string | null;
  /** a notice: the last day it was up; 报批: the day of the approval (批复) */
  completedOn: string | null;
  docNo: string | null;
  /** 听证 not asked for (its reason in `note`) */
  waived: boolean;
  note: string | null;
}

export type StepState = 'not_started' | 'in_progress' | 'done' | 'waived';

/** A step's state, as of a day when given (dates after it not yet happened). */
export function stepState(r: StepRecord | undefined, asOf?: string): StepState {
  if (!r) return 'not_started';
  if (r.waived) return 'waived';
  const happened = (d: string | null) => d !== null && (asOf === undefined || d <= asOf);
  return happened(r.completedOn) ? 'done' : happened(r.startedOn) ? 'in_progress' : 'not_started';
}

/** A step's state in words (the 听证 is the one step that may be waived: 不需听证). */
export const STEP_STATE: Record<StepState, Label> = {
  not_started: { zh: '未开始', en: 'Not started' },
  in_progress: { zh: '进行中', en: 'In progress' },
  done: { zh: '已完成', en: 'Done' },
  waived: { zh: '不需听证', en: 'Not required' },
};

/** The fields of a step's record and of a quota entry, as forms and refusals name them. */
export const PROCEDURE_FIELD = {
  plannedStartOn: { zh: '计划开始', en: 'Planned start' },
  plannedEndOn: { zh: '计划完成', en: 'Planned end' },
  startedOn: { zh: '实际开始', en: 'Started on' },
  completedOn: { zh: '实际完成', en: 'Completed on' },
  docNo: { zh: '文号', en: 'Document no.' },
  waived: { zh: '不需听证', en: 'Hearing not required' },
  note: { zh: '备注', en: 'Note' },
  mu: { zh: '指标（亩）', en: 'Quota (mu)' },
  securedOn: { zh: '落实日期', en: 'Secured on' },
  file: { zh: '附件', en: 'Attachment' },
} as const satisfies Record<string, Label>;

export const emptyStep = (step: ProcedureStepId): StepRecord =>
  ({ step, plannedStartOn: null, plannedEndOn: null, startedOn: null, completedOn: null, docNo: null, waived: false, note: null });

/** A project's steps in the law's order, an empty record where none is kept. */
export function inOrder(records: readonly StepRecord[]): StepRecord[] {
  const by = new Map(records.map((r) => [r.step, r]));
  return PROCEDURE_STEPS.map((s) => by.get(s) ?? emptyStep(s));
}

/** Why a project's steps are out of order, or null. */
export interface OrderViolation {
  step: ProcedureStepId;
  /** the earlier step that is not finished, or that finished after this one began */
  before: ProcedureStepId;
  reason: 'earlier_not_done' | 'starts_before_earlier_ends';
  message: string;
}

/**
 * The law's order: a step begins (or a 听证 is waived) only once every earlier step is done or
 * waived, and not before the day the last of them ended. Checked on the whole sequence as it would
 * be after a change, so taking back an earlier step's end under a later one is refused too.
 */
export function orderViolation(records: readonly StepRecord[]): OrderViolation | null {
  const steps = inOrder(records);
  for (const [k, r] of steps.entries()) {
    const state = stepState(r);
    if (state === 'not_started') continue;
    for (const earlier of steps.slice(0, k)) {
      const es = stepState(earlier);
      if (es !== 'done' && es !== 'waived') {
        return {
          step: r.step, before: earlier.step, reason: 'earlier_not_done',
          message: `${PROCEDURE_STEP[r.step].zh} (${r.step}) cannot ${state === 'waived' ? 'be waived' : 'begin'} before ${PROCEDURE_STEP[earlier.step].zh} (${earlier.step}) is done`,
        };
      }
      if (r.startedOn && earlier.completedOn && r.startedOn < earlier.completedOn) {
        return {
          step: r.step, before: earlier.step, reason: 'starts_before_earlier_ends',
          message: `${PROCEDURE_STEP[r.step].zh} (${r.step}) starts on ${r.startedOn}, before ${PROCEDURE_STEP[earlier.step].zh} (${earlier.step}) ended on ${earlier.completedOn}`,
        };
      }
    }
  }
  return null;
}

/** The step a project is at: the first one neither done nor waived ('complete' after the last). */
export function currentStep(records: readonly StepRecord[], asOf?: string): ProcedureStepId | 'complete' {
  return inOrder(records).find((r) => !['done', 'waived'].includes(stepState(r, asOf)))?.step ?? 'complete';
}

export type WarningCode = 'pre_notice_short' | 'plan_notice_short' | 'expropriation_notice_late' | 'step_overdue';

export interface ProcedureWarning {
  code: WarningCode;
  step: ProcedureStepId;
  /** the figure the law sets and the one recorded (days or working days), or the date the step was due */
  params: { required?: number; actual?: number; due?: string };
}

/** The last day a notice is (or was planned to be) up: its end, else its planned end, else null. */
const noticeEnd = (r: StepRecord): string | null => r.completedOn ?? r.plannedEndOn;

/**
 * The law's minimum periods and the plan's dates, as warnings (they do not stop a write: a notice
 * recorded too short is a fact to put right, not one to hide):
 * - 预公告 up fewer than 10 working days (both ends counted);
 * - 方案公告 up fewer than 30 days (both ends counted);
 * - 征收公告 not posted within 15 working days of the approval (报批's end), or still not posted after them;
 * - a step not finished by its planned end.
 */
export function procedureWarnings(records: readonly StepRecord[], asOf: string): ProcedureWarning[] {
  const steps = inOrder(records);
  const by = new Map(steps.map((r) => [r.step, r]));
  const out: ProcedureWarning[] = [];
  const pre = by.get('pre_notice')!;
  const preEnd = noticeEnd(pre);
  if (pre.startedOn && preEnd) {
    const actual = workingDaysBetween(pre.startedOn, preEnd);
    if (actual < PRE_NOTICE_MIN_WORKING_DAYS) out.push({ code: 'pre_notice_short', step: 'pre_notice', params: { required: PRE_NOTICE_MIN_WORKING_DAYS, actual } });
  }
  const plan = by.get('plan_notice')!;
  const planEnd = noticeEnd(plan);
  if (plan.startedOn && planEnd) {
    const actual = dayNumber(planEnd) - dayNumber(plan.startedOn) + 1;
    if (actual < PLAN_NOTICE_MIN_DAYS) out.push({ code: 'plan_notice_short', step: 'plan_notice', params: { required: PLAN_NOTICE_MIN_DAYS, actual } });
  }
  const approvedOn = by.get('application')!.completedOn;
  if (approvedOn && approvedOn <= asOf) {
    const due = addWorkingDays(approvedOn, EXPROPRIATION_NOTICE_MAX_WORKING_DAYS);
    const posted = by.get('expropriation_notice')!.startedOn;
    if (posted ? posted > due : asOf > due) {
      out.push({ code: 'expropriation_notice_late', step: 'expropriation_notice',
        params: { required: EXPROPRIATION_NOTICE_MAX_WORKING_DAYS, due, ...(posted ? { actual: workingDaysBetween(addDays(approvedOn, 1), posted) } : {}) } });
    }
  }
  for (const r of steps) {
    const state = stepState(r, asOf);
    if (r.plannedEndOn && r.plannedEndOn < asOf && state !== 'done' && state !== 'waived') out.push({ code: 'step_overdue', step: r.step, params: { due: r.plannedEndOn } });
  }
  return out;
}

/** The warning in words. */
export function warningText(w: ProcedureWarning, lang: 'zh' | 'en'): string {
  const step = PROCEDURE_STEP[w.step];
  const p = w.params;
  switch (w.code) {
    case 'pre_notice_short':
      return lang === 'zh' ? `预公告仅张贴 ${p.actual} 个工作日，法定不少于 ${p.required} 个工作日` : `pre-notice up ${p.actual} working days; the law asks at least ${p.required}`;
    case 'plan_notice_short':
      return lang === 'zh' ? `方案公告仅 ${p.actual} 日，法定不少于 ${p.required} 日` : `compensation plan notice up ${p.actual} days; the law asks at least ${p.required}`;
    case 'expropriation_notice_late':
      return lang === 'zh'
        ? `征收公告应在批复后 ${p.required} 个工作日内发布（${p.due} 前）${p.actual !== undefined ? `，实际为第 ${p.actual} 个工作日` : '，尚未发布'}`
        : `the expropriation notice is due within ${p.required} working days of the approval (by ${p.due})${p.actual !== undefined ? `; posted on working day ${p.actual}` : '; not posted yet'}`;
    case 'step_overdue':
      return lang === 'zh' ? `${step.short.zh}计划 ${p.due} 完成，已逾期` : `${step.short.en} was due by ${p.due}`;
  }
}

/**
 * The first day a parcel or house may be signed (已签约): once the 方案公告 has run its 30 days,
 * counted from the day it was posted. Null while it has not been posted.
 */
export function signingOpensOn(records: readonly StepRecord[]): string | null {
  const plan = records.find((r) => r.step === 'plan_notice');
  return plan?.startedOn ? addDays(plan.startedOn, PLAN_NOTICE_MIN_DAYS) : null;
}

/** A notice still up on `asOf`: posted on or before it and its (planned) end not yet passed. */
export function runningNotices(records: readonly StepRecord[], asOf: string): { step: ProcedureStepId; startedOn: string; endsOn: string | null }[] {
  return inOrder(records).flatMap((r) => {
    if (!PROCEDURE_STEP[r.step].notice || !r.startedOn || r.startedOn > asOf) return [];
    const end = noticeEnd(r);
    if (end && end < asOf) return [];
    return [{ step: r.step, startedOn: r.startedOn, endsOn: end }];
  });
}

// ---- 用地指标: the land quota a project needs and secures ----

export const QUOTA_KINDS = ['construction', 'cultivated'] as const;
export type QuotaKind = (typeof QUOTA_KINDS)[number];
export const QUOTA_SOURCES = ['annual_plan', 'linkage', 'balance'] as const;
export type QuotaSource = (typeof QUOTA_SOURCES)[number];

/** 新增建设用地 (the 农用地 and 未利用地 a red line turns into construction land) and 耕地 (to be balanced). */
export const QUOTA_KIND: Record<QuotaKind, Label> = {
  construction: { zh: '新增建设用地', en: 'New construction land' },
  cultivated: { zh: '耕地', en: 'Cultivated land' },
};

/** Where a quota comes from: the year's land-use plan, the urban–rural linkage (增减挂钩), cultivated-land balancing (占补平衡). */
export const QUOTA_SOURCE: Record<QuotaSource, Label> = {
  annual_plan: { zh: '年度计划', en: 'Annual plan' },
  linkage: { zh: '增减挂钩', en: 'Urban–rural linkage' },
  balance: { zh: '占补平衡', en: 'Farmland balance' },
};
