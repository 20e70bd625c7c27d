// generateDistrict: the synthetic demo district (征收一张图's demo data), placed at Guigang and named
// from the district's 2021 work summary. Pure and deterministic: the same scale and seed give the
// same rows, byte for byte (the 三调 land use is derived from them in PostGIS as they are loaded:
// data/land-use.ts). The data is SYNTHETIC: no real parcel, red line or farmland is public.
//
// scale 1 is the demo (≈ 31 projects, ≈ 4–5 thousand parcels). BENCHMARK_SCALE gives at least 200,000
// farmland polygons, 50,000 cane-base polygons and 100,000 parcels: more villages (√scale per side),
// more generated projects and fields, the same rules.
import { buildAdmin } from './admin.ts';
import { buildBaseMap } from './basemap.ts';
import { buildDisputedLand, buildMilitaryLand, buildReservedLand } from './constraints.ts';
import { buildFields } from './fields.ts';
import { buildEcoRedline, buildUrbanBoundary } from './planning.ts';
import { buildProcedure } from './procedure.ts';
import { AS_OF, buildProjects } from './projects.ts';
import { createRng } from './random.ts';
import { buildFundTransfers, buildProblems, buildResettlementSites } from './social.ts';
import type { District } from './types.ts';

export type { District } from './types.ts';
export { TABLE_ORDER, type TableName } from './types.ts';

export const DEFAULT_SEED = 20210101;
export const BENCHMARK_SCALE = 25;

export interface GenerateOptions { scale?: number; seed?: number }

export function generateDistrict({ scale = 1, seed = DEFAULT_SEED }: GenerateOptions = {}): District {
  if (!(scale >= 1) || !Number.isFinite(scale)) throw new RangeError(`scale must be a number ≥ 1 (got ${scale})`);
  const rng = createRng(seed);
  const admin = buildAdmin(scale, rng.fork('admin'));
  const base = buildBaseMap(admin, rng.fork('basemap'));
  const military = buildMilitaryLand();
  const projects = buildProjects(admin, military, scale, rng.fork('projects'));
  const fields = buildFields(admin, projects, scale, rng.fork('fields'));
  const projectIdByName = new Map(projects.projects.map((p) => [p.name, p.id]));
  const sites = buildResettlementSites(admin);
  const procedure = buildProcedure(projects.projects, projects.parcels, projects.houses, rng.fork('procedure'));
  const roads = [...base.road, ...projects.roads.map((r, i) => ({ ...r, id: base.road.length + i + 1 }))];
  return {
    scale,
    seed,
    asOf: AS_OF,
    command_area: admin.commandAreas,
    township: admin.townships,
    village: admin.villages,
    park: admin.parks,
    project: projects.projects,
    project_milestone: projects.milestones,
    parcel: projects.parcels,
    house: projects.houses,
    farmland: fields.farmland,
    cane_base: fields.caneBases,
    military_land: military.map((m) => m.row),
    disputed_land: buildDisputedLand(),
    reserved_land: buildReservedLand(admin, projectIdByName),
    resettlement_site: sites,
    fund_transfer: buildFundTransfers(projects, rng.fork('funds')),
    problem: buildProblems(projects, sites, rng.fork('problems')),
    water: base.water,
    road: roads,
    built_up: base.built_up,
    place: base.place,
    eco_redline: buildEcoRedline(rng.fork('planning')),
    urban_boundary: buildUrbanBoundary(admin),
    procedure_step: procedure.steps,
    project_quota: procedure.quotas,
  };
}

/** Rows per table. */
export function countRows(district: District): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(district)) if (Array.isArray(v)) counts[k] = v.length;
  return counts;
}
