// The rows the generator produces: one interface per table of migrations/002_domain.sql, keys spelled
// as the columns are, geometry as GeoJSON in EPSG:4490 lon/lat. Ids are assigned by the generator
// (1, 2, 3 … per table) and references use them; the loader shifts them past any existing rows.
// `version` and `updated_at` are what the rows carry after their dated history (see load.ts).
import type { OwnerType, ProblemKind, TakeStatus } from '../../geo/domain.ts';
import type { MultiLineStringGeom, MultiPolygonGeom, PointGeom } from './geometry.ts';

export type { OwnerType, ProblemKind, TakeStatus };

interface Versioned {
  id: number;
  version: number;
  /** ISO timestamp of the row's last change (its creation for rows without a workflow) */
  updated_at: string;
}

export interface CommandAreaRow extends Versioned {
  code: 'guicheng' | 'gangcheng' | 'outer';
  name: string;
  commander: string | null;
  geom: MultiPolygonGeom;
}
export interface TownshipRow extends Versioned {
  name: string;
  kind: 'town' | 'subdistrict';
  command_area_id: number;
  geom: MultiPolygonGeom;
}
export interface VillageRow extends Versioned {
  name: string;
  kind: 'village' | 'community';
  township_id: number;
  geom: MultiPolygonGeom;
}
export interface ParkRow extends Versioned {
  name: string;
  geom: MultiPolygonGeom;
}
export type ProjectKind = 'road' | 'bridge' | 'industrial_park' | 'residential' | 'old_town_renewal' | 'riverfront'
  | 'public_facility' | 'resettlement' | 'other';
export interface ProjectRow extends Versioned {
  code: string;
  name: string;
  kind: ProjectKind;
  source: 'city_assigned' | 'district_coordinated' | 'key';
  year: number;
  command_area_id: number;
  park_id: number | null;
  land_target_mu: number;
  house_target_m2: number;
  approval_stage: 'pre_expropriation' | 'submitted' | 'approved';
  approval_doc_no: string | null;
  approved_on: string | null;
  approved_by_region: boolean;
  owner_unit: string | null;
  /** also the date the project's parcels and houses were entered (their history starts here) */
  started_on: string | null;
  red_line: MultiPolygonGeom | null;
}
export interface ProjectMilestoneRow extends Versioned {
  project_id: number;
  kind: 'construction_start' | 'land_cleared' | 'half_opened' | 'opened_to_traffic' | 'completed' | 'other';
  name: string;
  planned_on: string | null;
  occurred_on: string | null;
}
/** The fields parcels and houses share: one agreement each, unsigned → signed → paid → handed over, or court. */
export interface TakeFields {
  status: TakeStatus;
  agreed_compensation_yuan: number | null;
  paid_yuan: number;
  signed_on: string | null;
  paid_on: string | null;
  handed_over_on: string | null;
  court_filed_on: string | null;
}
export interface ParcelRow extends Versioned, TakeFields {
  project_id: number;
  village_id: number | null;
  code: string;
  owner_type: OwnerType;
  owner_name: string;
  land_class: string;
  geom: MultiPolygonGeom;
}
export interface HouseRow extends Versioned, TakeFields {
  project_id: number;
  parcel_id: number | null;
  code: string;
  owner_name: string;
  owner_type: OwnerType;
  building_area_m2: number;
  structure: string | null;
  floors: number | null;
  demolished_on: string | null;
  geom: MultiPolygonGeom;
}
export interface FarmlandRow extends Versioned {
  code: string;
  kind: 'permanent_basic' | 'cultivated';
  land_class: string;
  village_id: number | null;
  geom: MultiPolygonGeom;
}
export interface CaneBaseRow extends Versioned {
  code: string;
  name: string;
  village_id: number | null;
  grower: string | null;
  geom: MultiPolygonGeom;
}
export interface MilitaryLandRow extends Versioned {
  code: string;
  name: string;
  unit: string | null;
  use: 'training_ground' | 'dependents_housing' | 'compound' | 'other';
  notes: string | null;
  geom: MultiPolygonGeom;
}
export interface DisputedLandRow extends Versioned {
  code: string;
  name: string;
  parties: string;
  status: 'open' | 'mediating' | 'resolved';
  description: string | null;
  geom: MultiPolygonGeom;
}
export interface ReservedLandRow extends Versioned {
  code: string;
  village_id: number;
  project_id: number | null;
  year: number;
  owed_mu: number;
  delivered_mu: number;
  due_on: string | null;
  delivered_on: string | null;
  notes: string | null;
  geom: MultiPolygonGeom | null;
}
export interface ResettlementSiteRow extends Versioned {
  name: string;
  command_area_id: number;
  is_shantytown: boolean;
  units_planned: number;
  units_delivered: number;
  households_waiting: number;
  construction_start_on: string | null;
  planned_delivery_on: string;
  actual_delivery_on: string | null;
  geom: MultiPolygonGeom;
}
export interface ProcedureStepRow extends Versioned {
  project_id: number;
  step: string;
  planned_start_on: string | null;
  planned_end_on: string | null;
  started_on: string | null;
  completed_on: string | null;
  doc_no: string | null;
  waived: boolean;
  note: string | null;
}
export interface ProjectQuotaRow extends Versioned {
  project_id: number;
  kind: 'construction' | 'cultivated';
  source: 'annual_plan' | 'linkage' | 'balance';
  mu: number;
  doc_no: string | null;
  secured_on: string | null;
}
export interface FundTransferRow extends Versioned {
  project_id: number;
  amount_yuan: number;
  requested_on: string;
  received_on: string | null;
  source: string | null;
}
export interface ProblemRow extends Versioned {
  project_id: number | null;
  resettlement_site_id: number | null;
  kind: ProblemKind;
  title: string;
  description: string | null;
  status: 'open' | 'in_progress' | 'resolved';
  owner: string | null;
  opened_on: string;
  resolved_on: string | null;
  geom: PointGeom | null;
}
export interface WaterRow { id: number; name: string | null; kind: 'river' | 'lake' | 'pond'; geom: MultiPolygonGeom }
export interface RoadRow {
  id: number;
  name: string | null;
  class: 'expressway' | 'arterial' | 'secondary' | 'local' | 'railway';
  geom: MultiLineStringGeom;
}
/** 生态保护红线 */
export interface EcoRedlineRow extends Versioned {
  code: string;
  name: string;
  kind: 'water_conservation' | 'biodiversity' | 'soil_conservation';
  geom: MultiPolygonGeom;
}
/** 城镇开发边界 */
export interface UrbanBoundaryRow extends Versioned {
  code: string;
  name: string;
  geom: MultiPolygonGeom;
}
export interface BuiltUpRow { id: number; name: string | null; geom: MultiPolygonGeom }
export interface PlaceRow { id: number; name: string; kind: 'city' | 'town' | 'village' | 'landmark' | 'station'; rank: number; geom: PointGeom }

export interface District {
  scale: number;
  seed: number;
  /** the date the demo describes ("today" in the story): the end of the seed's 2022 plan */
  asOf: string;
  command_area: CommandAreaRow[];
  township: TownshipRow[];
  village: VillageRow[];
  park: ParkRow[];
  project: ProjectRow[];
  project_milestone: ProjectMilestoneRow[];
  parcel: ParcelRow[];
  house: HouseRow[];
  farmland: FarmlandRow[];
  cane_base: CaneBaseRow[];
  military_land: MilitaryLandRow[];
  disputed_land: DisputedLandRow[];
  reserved_land: ReservedLandRow[];
  resettlement_site: ResettlementSiteRow[];
  fund_transfer: FundTransferRow[];
  problem: ProblemRow[];
  procedure_step: ProcedureStepRow[];
  project_quota: ProjectQuotaRow[];
  water: WaterRow[];
  road: RoadRow[];
  built_up: BuiltUpRow[];
  place: PlaceRow[];
  eco_redline: EcoRedlineRow[];
  urban_boundary: UrbanBoundaryRow[];
}

/** Tables in an order that satisfies the foreign keys. */
export const TABLE_ORDER = [
  'command_area', 'township', 'village', 'park', 'project', 'project_milestone', 'parcel', 'house', 'farmland',
  'cane_base', 'military_land', 'disputed_land', 'reserved_land', 'resettlement_site', 'fund_transfer', 'problem',
  'water', 'road', 'built_up', 'place', 'eco_redline', 'urban_boundary', 'procedure_step', 'project_quota',
] as const satisfies readonly (keyof District)[];
export type TableName = (typeof TABLE_ORDER)[number];
