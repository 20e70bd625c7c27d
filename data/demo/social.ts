// The people side of the seed: resettlement sites (安置区) and their delays, money asked for and
// received late (资金拨付), and the problem log (问题台账) with every kind the seed names.
import type { AdminLayout } from './admin.ts';
import { CREATED_ON } from './admin.ts';
import { type Ring, type XY, centroid, pointGeom, polygonGeom, rect } from './geometry.ts';
import { AS_OF, PUBLIC_INSTITUTION, type ProjectsResult } from './projects.ts';
import { type Rng, addDays, dayNumber, isoDate, stampOf } from './random.ts';
import type { FundTransferRow, ProblemKind, ProblemRow, ProjectRow, ResettlementSiteRow } from './types.ts';

interface SitePlan { name: string; at: XY; size: [number, number]; shanty: boolean; units: number; delivered: number; waiting: number; start: string; planned: string; actual: string | null }

// The seed: 蓝田, 文华雅苑, 堤路园（二）A, 白凹窝 and 三合 are over three years late; others on time.
const SITES: SitePlan[] = [
  { name: '蓝田安置区', at: [-6_800, -2_400], size: [260, 200], shanty: true, units: 860, delivered: 0, waiting: 640, start: '2015-06-01', planned: '2018-06-30', actual: null },
  { name: '文华雅苑', at: [-5_200, 3_900], size: [220, 180], shanty: true, units: 540, delivered: 0, waiting: 410, start: '2016-03-01', planned: '2019-03-31', actual: null },
  { name: '堤路园（二）A安置区', at: [5_000, 1_300], size: [240, 160], shanty: true, units: 620, delivered: 0, waiting: 455, start: '2015-10-01', planned: '2018-12-31', actual: null },
  { name: '白凹窝安置区', at: [7_800, 2_700], size: [200, 200], shanty: true, units: 380, delivered: 0, waiting: 300, start: '2016-06-01', planned: '2019-06-30', actual: null },
  { name: '三合安置区', at: [8_300, 1_500], size: [280, 220], shanty: true, units: 980, delivered: 0, waiting: 760, start: '2014-09-01', planned: '2017-12-31', actual: null },
  { name: '港城棚户第一安置区', at: [6_200, 1_900], size: [260, 200], shanty: true, units: 720, delivered: 540, waiting: 180, start: '2012-10-01', planned: '2016-12-31', actual: '2020-08-15' },
  { name: '江南安置区', at: [0, -2_600], size: [240, 200], shanty: false, units: 450, delivered: 450, waiting: 0, start: '2018-05-01', planned: '2021-06-30', actual: '2021-06-20' },
  { name: '城北安置区（一期）', at: [3_300, 6_150], size: [300, 250], shanty: false, units: 600, delivered: 600, waiting: 0, start: '2019-03-01', planned: '2022-03-31', actual: '2022-03-28' },
  { name: '龙岭安置区', at: [11_500, 3_500], size: [220, 180], shanty: false, units: 320, delivered: 0, waiting: 260, start: '2019-08-01', planned: '2022-10-31', actual: null },
  { name: '西江农场安置小区', at: [-25_500, -4_500], size: [260, 200], shanty: false, units: 400, delivered: 0, waiting: 0, start: '2021-04-01', planned: '2023-06-30', actual: null },
];

const siteRing = (s: SitePlan): Ring => rect(s.at[0] - s.size[0] / 2, s.at[1] - s.size[1] / 2, s.at[0] + s.size[0] / 2, s.at[1] + s.size[1] / 2);

export function buildResettlementSites(admin: AdminLayout): ResettlementSiteRow[] {
  return SITES.map((s, i) => ({
    id: i + 1,
    name: s.name,
    command_area_id: admin.commandAreaAt(s.at),
    is_shantytown: s.shanty,
    units_planned: s.units,
    units_delivered: s.delivered,
    households_waiting: s.waiting,
    construction_start_on: s.start,
    planned_delivery_on: s.planned,
    actual_delivery_on: s.actual,
    geom: polygonGeom(siteRing(s)),
    version: 1,
    updated_at: stampOf(s.actual ?? CREATED_ON),
  }));
}

const FUND_SOURCES = ['市财政', '项目业主', '上级资金', '市财政'];

/** Compensation money per project: asked for in tranches, received months late or not yet. */
export function buildFundTransfers(projects: ProjectsResult, rng: Rng): FundTransferRow[] {
  const rows: FundTransferRow[] = [];
  const owed = new Map<number, number>();
  for (const p of projects.parcels) owed.set(p.project_id, (owed.get(p.project_id) ?? 0) + (p.agreed_compensation_yuan ?? 0));
  for (const h of projects.houses) owed.set(h.project_id, (owed.get(h.project_id) ?? 0) + (h.agreed_compensation_yuan ?? 0));
  for (const project of projects.projects) {
    const total = owed.get(project.id) ?? 0;
    if (total <= 0) continue;
    const tranches = rng.int(2, 5);
    const first = Math.max(dayNumber('2021-01-10'), dayNumber(project.started_on ?? '2021-01-10'));
    const span = dayNumber('2022-11-30') - first;
    for (let t = 0; t < tranches; t++) {
      const requested = isoDate(first + Math.round((span * (t + rng.range(0.1, 0.9))) / tranches));
      const received = rng.chance(0.78) ? addDays(requested, rng.int(25, 320)) : null;
      const amount = Math.round((total / tranches) * rng.range(0.85, 1.1) / 1000) * 1000;
      rows.push({
        id: rows.length + 1, project_id: project.id, amount_yuan: Math.max(1000, amount), requested_on: requested,
        received_on: received && received <= AS_OF ? received : null, source: rng.pick(FUND_SOURCES),
        version: 1, updated_at: stampOf(requested),
      });
    }
  }
  return rows;
}

interface ProblemDraft { kind: ProblemKind; title: string; description: string; projectId?: number; siteId?: number; at: XY | null; owner: string; openedOn: string; status?: ProblemRow['status']; resolvedOn?: string }

export function buildProblems(projects: ProjectsResult, sites: ResettlementSiteRow[], rng: Rng): ProblemRow[] {
  const byName = new Map(projects.projects.map((p) => [p.name, p]));
  const centreOf = (p: ProjectRow | undefined): XY | null => {
    const mesh = p ? projects.meshes.get(p.id) : undefined;
    return mesh ? centroid(mesh.redLine) : null;
  };
  const drafts: ProblemDraft[] = [];
  const add = (d: ProblemDraft) => drafts.push(d);
  const project = (name: string): ProjectRow => {
    const p = byName.get(name);
    if (!p) throw new Error(`no project ${name}`);
    return p;
  };

  add({ kind: 'funding', title: '征拆资金到位不及时', description: '征拆资金一直不足、到位不及时，项目工作经费、过渡安置费拖欠时间长；已签协议待付款存在资金缺口', at: null, owner: '区财政局', openedOn: '2021-03-15' });
  for (const name of ['港区大道（金港大道－城东大道）', '粤桂产业园区（华电片区）', '西江产业园区标准厂房（一期）']) {
    add({ kind: 'funding', title: `${name}征收补偿资金未到位`, description: '已签协议未付款，被征收户多次催问', projectId: project(name).id, at: centreOf(project(name)), owner: '项目业主', openedOn: '2021-08-20' });
  }
  // 公建单位: 市农投集团（原市西郊苗圃）, enterprise restructuring plan not settled
  const publicLand: [string, number][] = [['富源商住小区', 16], ['中港华府（三）A区', 21], ['中港华府（三）A－2区', 12], ['仙衣路（建设路—西环路）改造工程', 8]];
  for (const [name, mu] of publicLand) {
    add({ kind: 'public_institution', title: `${name}涉及${PUBLIC_INSTITUTION}用地${mu}亩`, description: `涉及${PUBLIC_INSTITUTION}${mu}亩，因企业改制方案未明确而未完成征收任务`,
      projectId: project(name).id, at: centreOf(project(name)), owner: '市国资委、市农投集团', openedOn: '2021-04-12', status: 'in_progress' });
  }
  const ganqu = project('港区大道（金港大道－城东大道）');
  add({ kind: 'military_land', title: '港区大道涉及军事管辖范围', description: '涉及第X集团军X师训练场、军属宿舍楼及贵港军分区大院内外花圃带土地，需市政府协调军事用地征收',
    projectId: ganqu.id, at: [4_500, 4_500], owner: '市政府、贵港军分区', openedOn: '2021-02-25', status: 'in_progress' });
  for (const p of projects.projects.filter((p) => projects.plans.get(p.id)?.caneBase)) {
    add({ kind: 'cane_base_replacement', title: `${p.name}涉及“双高”糖料蔗基地`, description: '需调整置换同等面积糖料蔗基地，难度大、耗时长',
      projectId: p.id, at: centreOf(p), owner: '区农业农村局', openedOn: addDays(p.started_on ?? '2021-03-01', 30) });
  }
  for (const site of sites.filter((s) => !s.actual_delivery_on && s.planned_delivery_on < '2020-01-01')) {
    add({ kind: 'resettlement_delay', title: `${site.name}超期未交付`, description: '在建安置区建设进展缓慢，超过3年未能交付，影响回迁安置并增加过渡安置费支付压力',
      siteId: site.id, at: centroid(siteRingOf(site)), owner: '区住房城乡建设局', openedOn: addDays(site.planned_delivery_on, 30) });
  }
  const gangcheng = sites.find((s) => s.name === '港城棚户第一安置区');
  if (gangcheng) add({ kind: 'resettlement_delay', title: '港城棚户第一安置区未按协议约定交房', description: '部分安置户未能按协议约定交房，出现信访、诉讼', siteId: gangcheng.id, at: centroid(siteRingOf(gangcheng)), owner: '区住房城乡建设局', openedOn: '2020-09-01', status: 'in_progress' });
  for (const name of ['富安居（碧桂园城市之光）', '龚州路（江南大道－南山路）', '美家居建材城']) {
    add({ kind: 'irrigation_damage', title: '碧桂园城市之光西北面灌溉设施被破坏', description: `${name}开工后破坏原有灌溉设施，碧桂园城市之光西北面约X多亩土地无法耕种，群众要求补偿和修复`,
      projectId: project(name).id, at: [-4_800, -4_300], owner: '区农业农村局、项目业主', openedOn: '2021-05-10' });
  }
  add({ kind: 'reserved_land', title: '粤桂产业园区未落实留用地', description: '粤桂产业园区生产生活安置留用地未落实', projectId: project('粤桂产业园区（华电片区）').id, at: [20_500, 1_450], owner: '粤桂产业园区管委会', openedOn: '2021-06-01' });
  const sanhe = sites.find((s) => s.name === '三合安置区');
  add({ kind: 'reserved_land', title: '港城棚户第一安置区和三合棚户区留用地未落实', description: '两个棚户区原称解放路安置区，2012年至今未落实留用地，群众对周边项目征地积极性不高',
    siteId: sanhe?.id, at: [7_500, 2_175], owner: '区自然资源局', openedOn: '2021-01-20' });
  const unapproved = projects.projects.filter((p) => !p.approved_by_region && projects.meshes.has(p.id));
  for (const p of unapproved.slice(0, Math.max(4, Math.round(unapproved.length / 4)))) {
    add({ kind: 'pension_eligibility', title: `${p.name}被征地农民养老保险无法办理`, description: '项目用地未获自治区批复，按市文件不能办理失地农民养老保险；托低人数难以确定，市人社局未答复',
      projectId: p.id, at: centreOf(p), owner: '市人力资源社会保障局', openedOn: addDays(p.started_on ?? '2021-06-01', 60) });
  }
  for (const name of ['港区大道（金港大道－城东大道）', '猫儿山至武乐公路', '骑楼街区综合改造', '郁江两岸综合治理工程']) {
    const resolved = rng.chance(0.5);
    const opened = isoDate(dayNumber('2021-03-01') + rng.int(0, 500));
    add({ kind: 'illegal_building', title: `${name}范围内抢建抢种`, description: '巡查发现红线范围内违法占地、违法建设（“双违”），已责令停工',
      projectId: project(name).id, at: centreOf(project(name)), owner: '区“双违”整治办', openedOn: opened,
      status: resolved ? 'resolved' : 'in_progress', resolvedOn: resolved ? addDays(opened, rng.int(10, 90)) : undefined });
  }
  return drafts.map((d, i) => {
    const resolvedOn = d.resolvedOn && d.resolvedOn <= AS_OF ? d.resolvedOn : null;
    return {
      id: i + 1, project_id: d.projectId ?? null, resettlement_site_id: d.siteId ?? null, kind: d.kind, title: d.title, description: d.description,
      status: resolvedOn ? 'resolved' : d.status ?? 'open', owner: d.owner, opened_on: d.openedOn, resolved_on: resolvedOn,
      geom: d.at ? pointGeom(d.at) : null, version: 1, updated_at: stampOf(resolvedOn ?? d.openedOn),
    };
  });
}

function siteRingOf(site: ResettlementSiteRow): Ring {
  const plan = SITES.find((s) => s.name === site.name);
  if (!plan) throw new Error(`no site ${site.name}`);
  return siteRing(plan);
}
