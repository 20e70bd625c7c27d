// Fields: farmland (耕地 / 永久基本农田) and the 双高糖料蔗基地 (high-yield, high-sugar cane bases).
// The countryside is a grid of 80 m cells; each cell holds at most one field (the cell inset by a
// few metres, corners wobbled), so fields never overlap each other and always lie inside one village.
// Fields come in clusters (a 片 of paddies, a cane base), not sprinkled one by one.
import type { AdminLayout, VillageCell } from './admin.ts';
import { CREATED_ON, DISTRICT_BOX } from './admin.ts';
import { inBuiltUp, nearRiver } from './basemap.ts';
import { type Ring, type XY, bboxOf, centroid, convexOverlap, polygonGeom } from './geometry.ts';
import type { ProjectsResult } from './projects.ts';
import { type Rng, stampOf } from './random.ts';
import type { CaneBaseRow, FarmlandRow } from './types.ts';

/** the side of the field grid's plots (m): one field per plot (data/land-use.ts rebuilds them) */
export const CELL = 80;

class FieldGrid {
  readonly cols = Math.ceil((DISTRICT_BOX.x1 - DISTRICT_BOX.x0) / CELL);
  readonly rows = Math.ceil((DISTRICT_BOX.y1 - DISTRICT_BOX.y0) / CELL);
  private readonly used = new Uint8Array(this.cols * this.rows);

  cellOf([x, y]: XY): [number, number] {
    return [Math.floor((x - DISTRICT_BOX.x0) / CELL), Math.floor((y - DISTRICT_BOX.y0) / CELL)];
  }

  isFree(i: number, j: number): boolean {
    return i >= 0 && j >= 0 && i < this.cols && j < this.rows && this.used[j * this.cols + i] === 0;
  }

  take(i: number, j: number): void {
    this.used[j * this.cols + i] = 1;
  }

  /** the field a cell would hold: inset 3–9 m on each corner, so neighbours never touch */
  field(i: number, j: number, rng: Rng): Ring {
    const x0 = DISTRICT_BOX.x0 + i * CELL;
    const y0 = DISTRICT_BOX.y0 + j * CELL;
    const inset = () => rng.range(3, 9);
    return [
      [x0 + inset(), y0 + inset()], [x0 + CELL - inset(), y0 + inset()],
      [x0 + CELL - inset(), y0 + CELL - inset()], [x0 + inset(), y0 + CELL - inset()],
    ];
  }
}

const inside = (ring: Ring, v: VillageCell): boolean =>
  ring.every(([x, y]) => x > v.box.x0 && x < v.box.x1 && y > v.box.y0 && y < v.box.y1);

/** Open country: not in the river, not in a built-up area. */
const openCountry = (p: XY): boolean => !nearRiver(p, 120) && !inBuiltUp(p, 100);

/**
 * Grows one cluster of fields around `centre` (a noisy disc), calling `accept` on each candidate;
 * returns the fields kept.
 */
function growCluster(grid: FieldGrid, centre: XY, size: number, rng: Rng, accept: (ring: Ring, c: XY) => boolean): Ring[] {
  const [ci, cj] = grid.cellOf(centre);
  const radius = Math.ceil(Math.sqrt(size / Math.PI) * 1.3) + 1;
  const fields: Ring[] = [];
  for (let r = 0; r <= radius && fields.length < size; r++) {
    for (let di = -r; di <= r && fields.length < size; di++) {
      for (let dj = -r; dj <= r && fields.length < size; dj++) {
        if (Math.max(Math.abs(di), Math.abs(dj)) !== r) continue; // ring by ring, outwards
        if (rng.chance(0.18)) continue; // gaps: tracks, ditches, a house
        const i = ci + di;
        const j = cj + dj;
        if (!grid.isFree(i, j)) continue;
        const ring = grid.field(i, j, rng);
        const c = centroid(ring);
        if (!openCountry(c) || !accept(ring, c)) continue;
        grid.take(i, j);
        fields.push(ring);
      }
    }
  }
  return fields;
}

export interface FieldsResult { farmland: FarmlandRow[]; caneBases: CaneBaseRow[] }

export function buildFields(admin: AdminLayout, projects: ProjectsResult, scale: number, rng: Rng): FieldsResult {
  const grid = new FieldGrid();
  const caneBases = buildCaneBases(grid, admin, projects, scale, rng.fork('cane'));
  const farmland = buildFarmland(grid, admin, rng.fork('farmland'));
  return { farmland, caneBases };
}

// ---- cane bases ----

const GROWERS = ['广西农垦糖业集团', '贵港甘化股份有限公司', '种植专业合作社', '家庭农场', '村集体'];

/** True when the field touches the red line of a project that must stay clear of cane bases. */
function hitsClearRedLine(projects: ProjectsResult, ring: Ring): boolean {
  for (const ref of projects.cellIndex.query(bboxOf(ring))) {
    if (!ref.caneBase && convexOverlap(ref.ring, ring, -2)) return true;
  }
  return false;
}

function buildCaneBases(grid: FieldGrid, admin: AdminLayout, projects: ProjectsResult, scale: number, rng: Rng): CaneBaseRow[] {
  const rows: CaneBaseRow[] = [];
  const stamp = stampOf(CREATED_ON);
  let baseNo = 0;
  const addCluster = (fields: Ring[], village: VillageCell | null) => {
    baseNo++;
    const town = village ? admin.townshipCells[village.townshipId - 1].name : '';
    const name = `${town}${village?.name ?? ''}双高糖料蔗基地（${baseNo}号片）`;
    const grower = rng.pick(GROWERS);
    for (const ring of fields) {
      const v = admin.villageAt(centroid(ring));
      rows.push({ id: rows.length + 1, code: `SG-${String(rows.length + 1).padStart(6, '0')}`, name, village_id: v?.id ?? null, grower: grower === '村集体' ? `${v?.name ?? ''}村集体` : grower, geom: polygonGeom(ring), version: 1, updated_at: stamp });
    }
  };

  // 1. One base astride each cane-base project's red line (the seed's 15 projects).
  for (const project of projects.projects) {
    const plan = projects.plans.get(project.id);
    const mesh = projects.meshes.get(project.id);
    if (!plan?.caneBase || !mesh) continue;
    const cells = mesh.pieces.flatMap((p) => p.cells);
    let placed = false;
    for (let attempt = 0; attempt < 12 && !placed; attempt++) {
      const cell = cells[Math.floor(cells.length * (0.5 + (attempt % 2 ? 1 : -1) * attempt * 0.035))] ?? cells[0];
      const village = admin.villageAt(centroid(cell));
      const fields = growCluster(grid, centroid(cell), rng.int(25, 45), rng, (ring) => !!village && inside(ring, village) && !hitsClearRedLine(projects, ring));
      const onRedLine = fields.some((f) => cells.some((c) => convexOverlap(c, f, 1)));
      if (fields.length > 0) addCluster(fields, village);
      placed = onRedLine;
    }
    if (!placed) throw new Error(`could not put a cane base on ${project.name}`);
  }

  // 2. The rest in the outer towns' villages, clear of the other red lines.
  const rural = admin.townshipCells.filter((t) => t.area === 'outer').flatMap((t) => t.villages);
  const target = Math.round(2_200 * scale);
  for (let guard = 0; rows.length < target && guard < target; guard++) {
    const village = rng.pick(rural);
    const centre: XY = [rng.range(village.box.x0, village.box.x1), rng.range(village.box.y0, village.box.y1)];
    const fields = growCluster(grid, centre, rng.int(20, 45), rng, (ring) => inside(ring, village) && !hitsClearRedLine(projects, ring));
    if (fields.length > 0) addCluster(fields, village);
  }
  return rows;
}

// ---- farmland ----

function buildFarmland(grid: FieldGrid, admin: AdminLayout, rng: Rng): FarmlandRow[] {
  const rows: FarmlandRow[] = [];
  const stamp = stampOf(CREATED_ON);
  for (const town of admin.townshipCells) {
    // the city's communities keep a little farmland on their fringes; the towns a lot
    const perVillage = town.area === 'outer' ? 140 : 25;
    for (const village of town.villages) {
      let placed = 0;
      for (let cluster = 0; placed < perVillage && cluster < 12; cluster++) {
        const centre: XY = [rng.range(village.box.x0, village.box.x1), rng.range(village.box.y0, village.box.y1)];
        const permanent = rng.chance(0.6); // 永久基本农田 come in whole protected blocks
        const fields = growCluster(grid, centre, Math.min(perVillage - placed, rng.int(25, 50)), rng, (ring) => inside(ring, village));
        for (const ring of fields) {
          rows.push({
            id: rows.length + 1,
            code: `GD-${String(rows.length + 1).padStart(7, '0')}`,
            kind: permanent ? 'permanent_basic' : 'cultivated',
            land_class: permanent ? (rng.chance(0.85) ? '0101' : '0102') : rng.pick(['0101', '0103', '0103', '0102']),
            village_id: village.id,
            geom: polygonGeom(ring),
            version: 1,
            updated_at: stamp,
          });
        }
        placed += fields.length;
      }
    }
  }
  return rows;
}
