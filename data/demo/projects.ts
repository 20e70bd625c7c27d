// Projects (项目) with their red lines (红线) cut into parcels (宗地), the houses (房屋) on them, and
// each parcel's agreement history: signed, paid, handed over, or sent to court, dated 2021–2022 so
// the monthly progress curves (一月一调度) have something to show.
import { m2ToMu } from '../../geo/units.ts';
import { type AdminLayout, CORE_BOX, DISTRICT_BOX } from './admin.ts';
import { inBuiltUp, nearRiver, riverHalfWidth, riverLine } from './basemap.ts';
import { type Tempo, type ProjectPlan, SEED_PROJECTS } from './catalogue.ts';
import { DISPUTED_RING, type MilitaryZone } from './constraints.ts';
import {
  type Mesh, type MeshPiece, type Ring, type XY, GridIndex, area, bboxOf, blockMesh, centroid, convexOverlap, corridorMesh,
  lineGeom, pointInRing, polygonGeom, shrink, smooth,
} from './geometry.ts';
import { type Rng, addDays, dayNumber, isoDate, maxDate, stampOf } from './random.ts';
import type { HouseRow, OwnerType, ParcelRow, ProjectMilestoneRow, ProjectRow, RoadRow, TakeFields } from './types.ts';

export const AS_OF = '2022-12-31';
export const PUBLIC_INSTITUTION = '市农投集团（原市西郊苗圃）';
const STATE_FARM = '广西农垦国有西江农场';

/** A parcel's convex cells, indexed for overlap tests (cane bases must keep off most red lines). */
export interface CellRef { projectId: number; caneBase: boolean; ring: Ring }

export interface ProjectsResult {
  projects: ProjectRow[];
  milestones: ProjectMilestoneRow[];
  parcels: ParcelRow[];
  houses: HouseRow[];
  /** road centre lines of road projects, for the base map */
  roads: Omit<RoadRow, 'id'>[];
  cellIndex: GridIndex<CellRef>;
  meshes: Map<number, Mesh>;
  plans: Map<number, ProjectPlan>;
}

export function buildProjects(admin: AdminLayout, military: MilitaryZone[], scale: number, rng: Rng): ProjectsResult {
  const out: ProjectsResult = {
    projects: [], milestones: [], parcels: [], houses: [], roads: [], cellIndex: new GridIndex(400), meshes: new Map(), plans: new Map(),
  };
  for (const plan of SEED_PROJECTS) addProject(out, plan, meshOf(plan, rng.fork(plan.name)), admin, military, rng.fork(`p:${plan.name}`));
  // Larger scales add generated projects in the outer towns, half of them on cane bases (the seed's
  // "15 of ~30" ratio), each kept clear of the red lines already placed.
  const extraRng = rng.fork('extra-projects');
  const extras = Math.round(SEED_PROJECTS.length * (scale - 1));
  for (let i = 0; i < extras; i++) {
    const placed = placeExtraProject(out, admin, i, extraRng);
    if (placed) addProject(out, placed.plan, placed.mesh, admin, military, extraRng.fork(`x${i}`));
  }
  return out;
}

// ---- red lines ----

function meshOf(plan: ProjectPlan, rng: Rng): Mesh | null {
  if (plan.kind === 'riverfront') {
    // 郁江两岸: a 80 m strip along the north bank, 60–140 m from the water
    const line = riverLine(-8_000, 6_000, (x) => riverHalfWidth(x) + 100);
    return corridorMesh(line, 80, 60, 2, rng);
  }
  const shape = plan.shape;
  if (!shape) return null;
  if ('road' in shape) return corridorMesh(smoothRoad(shape.road), shape.width, shape.spacing, shape.lanes, rng);
  const [cx, cy] = shape.block;
  const [w, h] = shape.size;
  const a = (shape.rotation * Math.PI) / 180;
  const corner = (dx: number, dy: number): XY => [cx + dx * Math.cos(a) - dy * Math.sin(a), cy + dx * Math.sin(a) + dy * Math.cos(a)];
  // a little skew so blocks are not perfect rectangles
  const skew = rng.range(-0.06, 0.06) * w;
  const corners: [XY, XY, XY, XY] = [corner(-w / 2, -h / 2), corner(w / 2, -h / 2), corner(w / 2 + skew, h / 2), corner(-w / 2 + skew, h / 2)];
  return blockMesh(corners, Math.max(1, Math.round(w / shape.cell)), Math.max(1, Math.round(h / shape.cell)), rng);
}

const smoothRoad = (points: XY[]): XY[] => (points.length > 2 ? smooth(points, 3) : points);

const EXTRA_ROAD_SUFFIX = ['道路工程', '公路改造工程', '连接线工程', '村道硬化工程'];
const EXTRA_BLOCK_KIND: { kind: ProjectPlan['kind']; suffix: string }[] = [
  { kind: 'industrial_park', suffix: '产业项目用地' },
  { kind: 'public_facility', suffix: '学校建设用地' },
  { kind: 'resettlement', suffix: '安置点建设用地' },
  { kind: 'other', suffix: '物流仓储用地' },
  { kind: 'residential', suffix: '商住项目用地' },
];

function placeExtraProject(out: ProjectsResult, admin: AdminLayout, i: number, rng: Rng): { plan: ProjectPlan; mesh: Mesh } | null {
  const outer = admin.townshipCells.filter((t) => t.area === 'outer');
  for (let attempt = 0; attempt < 40; attempt++) {
    const town = rng.pick(outer);
    const start: XY = [rng.range(town.box.x0 + 500, town.box.x1 - 500), rng.range(town.box.y0 + 500, town.box.y1 - 500)];
    const isRoad = rng.chance(0.55);
    const year = rng.chance(0.5) ? 2021 : 2022;
    const villageA = admin.villageAt(start)?.name.replace(/村|社区$/, '') ?? town.name;
    let plan: ProjectPlan;
    let mesh: Mesh;
    if (isRoad) {
      const heading = rng.range(0, 2 * Math.PI);
      const len = rng.range(2_500, 5_500);
      const bend = rng.range(-0.3, 0.3);
      const mid: XY = [start[0] + Math.cos(heading) * len / 2, start[1] + Math.sin(heading) * len / 2];
      const end: XY = [mid[0] + Math.cos(heading + bend) * len / 2, mid[1] + Math.sin(heading + bend) * len / 2];
      const villageB = admin.villageAt(end)?.name.replace(/村|社区$/, '') ?? '';
      plan = extraPlan(`${town.name}${villageA}至${villageB}${rng.pick(EXTRA_ROAD_SUFFIX)}`, 'road', year, i, rng);
      const width = rng.pick([30, 40, 50]);
      mesh = corridorMesh(smooth([start, mid, end], 3), width, rng.range(40, 60), width >= 50 ? 3 : 2, rng);
    } else {
      const { kind, suffix } = rng.pick(EXTRA_BLOCK_KIND);
      plan = extraPlan(`${town.name}${villageA}${suffix}（${i + 1}号）`, kind, year, i, rng);
      const w = rng.range(400, 1_000);
      const h = rng.range(300, 800);
      const a = rng.range(-0.3, 0.3);
      const c = (dx: number, dy: number): XY => [start[0] + dx * Math.cos(a) - dy * Math.sin(a), start[1] + dx * Math.sin(a) + dy * Math.cos(a)];
      const cell = rng.range(35, 50);
      mesh = blockMesh([c(-w / 2, -h / 2), c(w / 2, -h / 2), c(w / 2, h / 2), c(-w / 2, h / 2)], Math.round(w / cell), Math.round(h / cell), rng);
    }
    if (fitsFreely(out, mesh)) return { plan, mesh };
  }
  return null;
}

function extraPlan(name: string, kind: ProjectPlan['kind'], year: number, i: number, rng: Rng): ProjectPlan {
  return {
    name, kind, year,
    source: rng.pick(['city_assigned', 'district_coordinated', 'district_coordinated'] as const),
    shape: null,
    startedOn: isoDate(dayNumber(year === 2021 ? '2020-03-01' : '2021-01-15') + rng.int(0, 300)),
    approval: rng.pick(['region', 'city', 'submitted', 'pre'] as const),
    tempo: year === 2021 ? 'steady' : 'late',
    houseShare: kind === 'residential' || kind === 'resettlement' ? 0.2 : 0.04,
    caneBase: i % 2 === 0,
    ownerUnit: kind === 'road' ? '贵港市交通投资发展集团有限公司' : '贵港市港北区人民政府',
  };
}

/** Away from the river, the city and every red line already placed. */
function fitsFreely(out: ProjectsResult, mesh: Mesh): boolean {
  const box = bboxOf(mesh.redLine);
  const d = DISTRICT_BOX;
  if (box.x0 < d.x0 + 200 || box.y0 < d.y0 + 200 || box.x1 > d.x1 - 200 || box.y1 > d.y1 - 200) return false;
  const c = CORE_BOX;
  if (box.x0 < c.x1 + 300 && box.x1 > c.x0 - 300 && box.y0 < c.y1 + 300 && box.y1 > c.y0 - 300) return false;
  for (const p of mesh.redLine) if (nearRiver(p, 300) || inBuiltUp(p, 300)) return false;
  for (const piece of mesh.pieces) {
    for (const cell of piece.cells) {
      for (const ref of out.cellIndex.query(bboxOf(cell))) if (convexOverlap(ref.ring, cell, -30)) return false;
    }
  }
  return true;
}

// ---- one project ----

function addProject(out: ProjectsResult, plan: ProjectPlan, mesh: Mesh | null, admin: AdminLayout, military: MilitaryZone[], rng: Rng): void {
  const id = out.projects.length + 1;
  const redLineM2 = mesh ? area(mesh.redLine) : 0;
  const where = mesh ? centroid(mesh.redLine) : ([6_500, -300] as XY); // 旺华大桥 crosses east of the port
  const park = plan.park ? admin.parkBoxes.get(plan.park) : undefined;
  const project: ProjectRow = {
    id,
    code: `XM${plan.year}-${String(id).padStart(3, '0')}`,
    name: plan.name,
    kind: plan.kind,
    source: plan.source,
    year: plan.year,
    command_area_id: admin.commandAreaAt(where),
    park_id: park?.id ?? null,
    land_target_mu: plan.landTargetMu ?? landTarget(redLineM2, rng),
    house_target_m2: plan.houseTargetM2 ?? 0,
    ...approvalOf(plan, id, rng),
    owner_unit: plan.ownerUnit,
    started_on: plan.startedOn,
    red_line: mesh ? polygonGeom(mesh.redLine) : null,
    version: 1,
    updated_at: stampOf(plan.startedOn),
  };
  out.projects.push(project);
  out.plans.set(id, plan);
  for (const m of plan.milestones ?? []) {
    out.milestones.push({ id: out.milestones.length + 1, project_id: id, kind: m.kind, name: m.name, planned_on: addDays(m.on, -rng.int(0, 40)), occurred_on: m.on, version: 1, updated_at: stampOf(m.on) });
  }
  addStartMilestone(out, project, rng);
  if (!mesh) return;
  out.meshes.set(id, mesh);
  if (plan.kind === 'road' || plan.kind === 'riverfront') {
    const line = plan.kind === 'road' && plan.shape && 'road' in plan.shape ? smoothRoad(plan.shape.road) : null;
    if (line) out.roads.push({ name: plan.name.replace(/（.*$/, ''), class: plan.name.startsWith('G358') ? 'arterial' : 'secondary', geom: lineGeom([line]) });
  }
  const publicInstitution = plan.publicInstitutionMu ? pickContiguous(mesh.pieces, plan.publicInstitutionMu) : new Set<number>();
  let houseArea = 0;
  for (const [k, piece] of mesh.pieces.entries()) {
    const parcel = makeParcel(out, project, plan, piece, k, publicInstitution.has(k), military, admin, rng);
    for (const cell of piece.cells) out.cellIndex.insert(bboxOf(cell), { projectId: id, caneBase: plan.caneBase, ring: cell });
    if (rng.chance(plan.houseShare) || parcel.owner_type === 'military' && rng.chance(0.5)) houseArea += makeHouse(out, parcel, piece, plan, rng);
  }
  if (houseArea > 0) project.house_target_m2 = Math.round(houseArea * rng.range(1.0, 1.12) * 100) / 100;
}

/** Close to the red line's area in 亩, not always equal: targets are set before the survey. */
function landTarget(m2: number, rng: Rng): number {
  const mu = m2ToMu(m2);
  const factor = rng.chance(0.3) ? 1 : rng.range(0.95, 1.05);
  return Math.round(mu * factor * 100) / 100;
}

function approvalOf(plan: ProjectPlan, id: number, rng: Rng): Pick<ProjectRow, 'approval_stage' | 'approval_doc_no' | 'approved_on' | 'approved_by_region'> {
  if (plan.approval === 'region' || plan.approval === 'city') {
    const on = addDays(plan.startedOn, -rng.int(30, 200));
    const year = on.slice(0, 4);
    const doc = plan.approval === 'region' ? `桂政土批〔${year}〕${100 + id}号` : `贵政土批〔${year}〕${20 + id}号`;
    return { approval_stage: 'approved', approval_doc_no: doc, approved_on: on, approved_by_region: plan.approval === 'region' };
  }
  return { approval_stage: plan.approval === 'submitted' ? 'submitted' : 'pre_expropriation', approval_doc_no: null, approved_on: null, approved_by_region: false };
}

function addStartMilestone(out: ProjectsResult, project: ProjectRow, rng: Rng): void {
  const planned = addDays(project.started_on ?? '2021-06-01', rng.int(60, 240));
  const occurred = planned <= AS_OF && project.kind !== 'bridge' ? addDays(planned, rng.int(0, 90)) : null;
  out.milestones.push({
    id: out.milestones.length + 1, project_id: project.id, kind: 'construction_start', name: '开工建设',
    planned_on: planned, occurred_on: occurred && occurred <= AS_OF ? occurred : null, version: 1, updated_at: project.updated_at,
  });
}

/** A run of neighbouring pieces whose area adds up closest to `mu` 亩. */
function pickContiguous(pieces: MeshPiece[], mu: number): Set<number> {
  const target = (mu * 10_000) / 15;
  const picked = new Set<number>();
  let sum = 0;
  for (let k = 0; k < pieces.length; k++) {
    const a = area(pieces[k].ring);
    if (Math.abs(sum + a - target) > Math.abs(sum - target)) break;
    picked.add(k);
    sum += a;
  }
  return picked;
}

// ---- parcels and houses ----

const SURNAMES = ['李', '黄', '梁', '陈', '覃', '韦', '刘', '林', '张', '莫', '邓', '罗', '杨', '甘', '蒙', '卢', '周', '何', '谢', '潘'];
const GIVEN = ['志', '永', '建', '国', '明', '华', '秀', '英', '春', '海', '桂', '兰', '福', '强', '伟', '芳', '德', '成', '玉', '荣'];
const personName = (rng: Rng): string => rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '');

function makeParcel(out: ProjectsResult, project: ProjectRow, plan: ProjectPlan, piece: MeshPiece, k: number, publicInstitution: boolean,
  military: MilitaryZone[], admin: AdminLayout, rng: Rng): ParcelRow {
  const c = centroid(piece.ring);
  const village = admin.villageAt(c);
  const urban = village ? !village.rural : false;
  const militaryZone = plan.name.startsWith('港区大道') ? military.find((z) => pointInRing(c, z.ring)) : undefined;
  const disputed = pointInRing(c, DISPUTED_RING);
  let owner: { type: OwnerType; name: string; landClass: string };
  if (publicInstitution) owner = { type: 'public_institution', name: PUBLIC_INSTITUTION, landClass: '0201' };
  else if (militaryZone) owner = { type: 'military', name: militaryZone.row.unit ?? '部队', landClass: militaryZone.row.use === 'dependents_housing' ? '0701' : '1201' };
  else if (disputed) owner = { type: 'state_farm', name: STATE_FARM, landClass: rng.pick(['0103', '0201', '0103']) };
  else owner = ordinaryOwner(plan, urban, village?.name ?? '', rng);
  // Public-institution, military and disputed land is exactly what the seed says is stuck.
  const stuck = publicInstitution || !!militaryZone || disputed;
  const m2 = area(piece.ring);
  const rate = owner.landClass.startsWith('07') || owner.landClass === '0601' ? rng.range(180_000, 320_000) : rng.range(46_000, 68_000);
  const compensation = Math.round(m2ToMu(m2) * rate);
  const take = stuck ? unsignedTake() : takeHistory(plan.tempo, plan.startedOn, compensation, rng);
  const parcel: ParcelRow = {
    id: out.parcels.length + 1,
    project_id: project.id,
    village_id: village?.id ?? null,
    code: `${project.code}-${String(k + 1).padStart(4, '0')}`,
    owner_type: owner.type,
    owner_name: owner.name,
    land_class: owner.landClass,
    ...take,
    geom: polygonGeom(piece.ring),
    ...versionOf(plan.startedOn, take, null),
  };
  out.parcels.push(parcel);
  return parcel;
}

function ordinaryOwner(plan: ProjectPlan, urban: boolean, village: string, rng: Rng): { type: OwnerType; name: string; landClass: string } {
  if (plan.kind === 'old_town_renewal' || (urban && rng.chance(0.6))) {
    return rng.chance(0.9)
      ? { type: 'household', name: personName(rng), landClass: '0701' }
      : { type: 'enterprise', name: `贵港市${rng.pick(['荷城', '港城', '贵城', '南江'])}${rng.pick(['商贸', '建材', '运输', '食品'])}有限公司`, landClass: '0601' };
  }
  if (rng.chance(0.12)) return { type: 'household', name: personName(rng), landClass: '0702' };
  if (plan.kind === 'industrial_park' && rng.chance(0.08)) return { type: 'enterprise', name: `贵港市${rng.pick(['西江', '粤桂', '富硒'])}${rng.pick(['糖业', '农业', '建材'])}有限公司`, landClass: '0601' };
  const landClass = rng.pick(['0101', '0101', '0103', '0103', '0201', '0301', '1104', '1006']);
  return { type: 'village_collective', name: `${village}集体经济组织`, landClass };
}

function unsignedTake(): TakeFields {
  return { status: 'unsigned', agreed_compensation_yuan: null, paid_yuan: 0, signed_on: null, paid_on: null, handed_over_on: null, court_filed_on: null };
}

interface TempoProfile { signShare: number; from: string; to: string; paidShare: number; handShare: number; courtShare: number; lag: number }

// early: the 2021 openings (land cleared by spring 2021); steady: the 2021 targets; late: the 2022 plan.
const TEMPO: Record<Tempo, TempoProfile> = {
  early: { signShare: 0.97, from: '2020-10-01', to: '2021-04-30', paidShare: 0.97, handShare: 0.97, courtShare: 0.02, lag: 40 },
  steady: { signShare: 0.86, from: '2021-01-04', to: '2022-09-30', paidShare: 0.8, handShare: 0.85, courtShare: 0.04, lag: 90 },
  late: { signShare: 0.6, from: '2021-06-01', to: '2022-12-15', paidShare: 0.62, handShare: 0.75, courtShare: 0.03, lag: 120 },
  stalled: { signShare: 0, from: '2022-01-01', to: '2022-12-31', paidShare: 0, handShare: 0, courtShare: 0, lag: 0 },
};

/**
 * One agreement's dates. Money arrives late (the seed's first problem), so a share of signed
 * agreements stay unpaid at the end of 2022; a few holdouts go the court route (司法征收).
 */
function takeHistory(tempo: Tempo, startedOn: string, compensation: number, rng: Rng): TakeFields {
  const t = TEMPO[tempo];
  const take = unsignedTake();
  const from = maxDate(t.from, addDays(startedOn, 14));
  const span = Math.max(1, dayNumber(t.to) - dayNumber(from));
  const within = (d: string | null): string | null => (d && d <= AS_OF ? d : null);
  if (rng.chance(t.signShare)) {
    // earlier months busier than later ones (√ skews towards the start)
    take.signed_on = within(addDays(from, span * (1 - Math.sqrt(rng.next()))));
  } else if (rng.chance(t.courtShare * 4)) {
    take.court_filed_on = within(addDays(maxDate(from, '2021-09-01'), rng.int(0, 400)));
    take.handed_over_on = take.court_filed_on && rng.chance(0.4) ? within(addDays(take.court_filed_on, rng.int(60, 240))) : null;
    if (take.court_filed_on) take.agreed_compensation_yuan = compensation;
  }
  if (take.signed_on) {
    take.agreed_compensation_yuan = compensation;
    take.paid_on = rng.chance(t.paidShare) ? within(addDays(take.signed_on, rng.int(10, t.lag + 60))) : null;
    take.handed_over_on = take.paid_on && rng.chance(t.handShare) ? within(addDays(take.paid_on, rng.int(5, 50))) : null;
  }
  if (take.paid_on) take.paid_yuan = compensation;
  take.status = take.handed_over_on ? 'handed_over' : take.court_filed_on ? 'court' : take.paid_on ? 'paid' : take.signed_on ? 'signed' : 'unsigned';
  return take;
}

/**
 * version = number of history entries (the insert, then one update per dated step), updated_at = the
 * last one; load.ts writes exactly these entries into change_log.
 */
function versionOf(createdOn: string, take: TakeFields, demolishedOn: string | null): { version: number; updated_at: string } {
  const dates = [take.signed_on, take.paid_on, take.court_filed_on, take.handed_over_on, demolishedOn].filter((d): d is string => d !== null);
  const last = dates.reduce((a, b) => (a > b ? a : b), createdOn);
  return { version: 1 + dates.length, updated_at: stampOf(last) };
}

const STRUCTURES = ['砖混', '框架', '砖木', '土木'];

function makeHouse(out: ProjectsResult, parcel: ParcelRow, piece: MeshPiece, plan: ProjectPlan, rng: Rng): number {
  const oldTown = plan.kind === 'old_town_renewal';
  const footprint = shrink(piece.cells[0], oldTown ? rng.range(0.75, 0.9) : rng.range(0.35, 0.6));
  const floors = oldTown ? rng.int(2, 4) : parcel.land_class === '0701' ? rng.int(2, 6) : rng.int(1, 3);
  const buildingArea = Math.round(area(footprint) * floors * 100) / 100;
  const owner = parcel.owner_type === 'village_collective' ? { type: 'household' as const, name: personName(rng) } : { type: parcel.owner_type, name: parcel.owner_name };
  const perM2 = oldTown ? rng.range(5_500, 7_500) : rng.range(2_800, 4_500);
  const take = followParcel(parcel, Math.round(buildingArea * perM2), rng);
  const demolished = take.handed_over_on && rng.chance(0.7) ? addDays(take.handed_over_on, rng.int(10, 120)) : null;
  const demolishedOn = demolished && demolished <= AS_OF ? demolished : null;
  out.houses.push({
    id: out.houses.length + 1,
    project_id: parcel.project_id,
    parcel_id: parcel.id,
    code: `FW-${parcel.code}`,
    owner_name: owner.name,
    owner_type: owner.type,
    building_area_m2: buildingArea,
    structure: oldTown ? rng.pick(['砖木', '砖混']) : rng.pick(STRUCTURES),
    floors,
    ...take,
    demolished_on: demolishedOn,
    geom: polygonGeom(footprint),
    ...versionOf(plan.startedOn, take, demolishedOn),
  });
  return buildingArea;
}

/** A house's agreement goes with its parcel's, a few days apart, in the same order. */
function followParcel(parcel: ParcelRow, compensation: number, rng: Rng): TakeFields {
  const shift = (d: string | null, after: string | null): string | null => {
    if (!d) return null;
    const moved = addDays(d, rng.int(0, 6));
    const ordered = after && moved <= after ? addDays(after, 1) : moved; // never the same day: history stays ordered
    return ordered <= AS_OF ? ordered : null;
  };
  const signed = shift(parcel.signed_on, null);
  const paid = signed ? shift(parcel.paid_on, signed) : null;
  const court = shift(parcel.court_filed_on, null);
  const handed = paid || court ? shift(parcel.handed_over_on, paid ?? court) : null;
  const status = handed ? 'handed_over' : court ? 'court' : paid ? 'paid' : signed ? 'signed' : 'unsigned';
  return {
    status, signed_on: signed, paid_on: paid, court_filed_on: court, handed_over_on: handed,
    agreed_compensation_yuan: signed || court ? compensation : null,
    paid_yuan: paid ? compensation : 0,
  };
}
