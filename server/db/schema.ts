// Kysely's view of the schema in migrations/. The ordinary tables (accounts, history, settings,
// milestones, funds, problems, imports) are generated from the live schema into types.ts
// (`npm run db:types`; tests/server/db-types.test.ts fails when it is out of date); the map layers'
// tables below are written by hand (keep them in step with migrations/). Geometry columns are typed
// as the hex EWKB string pg returns; queries that need geometry use PostGIS functions through sql``.
import type { ColumnType, Generated } from 'kysely';
import type { DB } from './types.ts';

type Geometry = string;
type Numeric = ColumnType<string, string | number, string | number>; // pg returns numeric as string
type DateCol = ColumnType<string, string | Date, string | Date>;      // date columns are parsed to 'YYYY-MM-DD'
type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;

interface Versioned {
  version: Generated<number>;
  updated_at: Stamp;
  updated_by: Generated<string>;
}

export type OwnerType = 'village_collective' | 'household' | 'public_institution' | 'enterprise' | 'military' | 'state_farm';
export type TakeStatus = 'unsigned' | 'signed' | 'paid' | 'handed_over' | 'court';

export interface CommandAreaTable extends Versioned {
  id: Generated<number>;
  code: 'guicheng' | 'gangcheng' | 'outer';
  name: string;
  commander: string | null;
  geom: Geometry;
}
export interface TownshipTable extends Versioned {
  id: Generated<number>;
  name: string;
  kind: 'town' | 'subdistrict';
  command_area_id: number;
  geom: Geometry;
}
export interface VillageTable extends Versioned {
  id: Generated<number>;
  name: string;
  kind: 'village' | 'community';
  township_id: number;
  geom: Geometry;
}
export interface ParkTable extends Versioned {
  id: Generated<number>;
  name: string;
  geom: Geometry;
}
export interface ProjectTable extends Versioned {
  id: Generated<number>;
  code: string;
  name: string;
  kind: 'road' | 'bridge' | 'industrial_park' | 'residential' | 'old_town_renewal' | 'riverfront' | 'public_facility' | 'resettlement' | 'other';
  source: 'city_assigned' | 'district_coordinated' | 'key';
  year: number;
  command_area_id: number;
  park_id: number | null;
  land_target_mu: Numeric;
  house_target_m2: Numeric;
  approval_stage: 'pre_expropriation' | 'submitted' | 'approved';
  approval_doc_no: string | null;
  approved_on: DateCol | null;
  approved_by_region: boolean;
  owner_unit: string | null;
  started_on: DateCol | null;
  red_line: Geometry | null;
}
export interface ParcelTable extends Versioned {
  id: Generated<number>;
  project_id: number;
  village_id: number | null;
  code: string;
  owner_type: OwnerType;
  owner_name: string;
  land_class: string;
  status: TakeStatus;
  agreed_compensation_yuan: Numeric | null;
  paid_yuan: Numeric;
  signed_on: DateCol | null;
  paid_on: DateCol | null;
  handed_over_on: DateCol | null;
  court_filed_on: DateCol | null;
  geom: Geometry;
  /** ellipsoidal m², generated from geom (migration 005) */
  area_m2: ColumnType<number, never, never>;
}
export interface HouseTable extends Versioned {
  id: Generated<number>;
  project_id: number;
  parcel_id: number | null;
  code: string;
  owner_name: string;
  owner_type: OwnerType;
  building_area_m2: Numeric;
  structure: string | null;
  floors: number | null;
  status: TakeStatus;
  agreed_compensation_yuan: Numeric | null;
  paid_yuan: Numeric;
  signed_on: DateCol | null;
  paid_on: DateCol | null;
  handed_over_on: DateCol | null;
  court_filed_on: DateCol | null;
  demolished_on: DateCol | null;
  geom: Geometry;
}
export interface FarmlandTable extends Versioned {
  id: Generated<number>;
  code: string;
  kind: 'permanent_basic' | 'cultivated';
  land_class: string;
  village_id: number | null;
  geom: Geometry;
  area_m2: ColumnType<number, never, never>;
}
export interface CaneBaseTable extends Versioned {
  id: Generated<number>;
  code: string;
  name: string;
  village_id: number | null;
  grower: string | null;
  geom: Geometry;
  area_m2: ColumnType<number, never, never>;
}
export interface MilitaryLandTable extends Versioned {
  id: Generated<number>;
  code: string;
  name: string;
  unit: string | null;
  use: 'training_ground' | 'dependents_housing' | 'compound' | 'other';
  notes: string | null;
  geom: Geometry;
}
export interface DisputedLandTable extends Versioned {
  id: Generated<number>;
  code: string;
  name: string;
  parties: string;
  status: 'open' | 'mediating' | 'resolved';
  description: string | null;
  geom: Geometry;
}
export interface ReservedLandTable extends Versioned {
  id: Generated<number>;
  code: string;
  village_id: number;
  project_id: number | null;
  year: number;
  owed_mu: Numeric;
  delivered_mu: Numeric;
  due_on: DateCol | null;
  delivered_on: DateCol | null;
  notes: string | null;
  geom: Geometry | null;
}
export interface ResettlementSiteTable extends Versioned {
  id: Generated<number>;
  name: string;
  command_area_id: number;
  is_shantytown: boolean;
  units_planned: number;
  units_delivered: number;
  households_waiting: number;
  construction_start_on: DateCol | null;
  planned_delivery_on: DateCol;
  actual_delivery_on: DateCol | null;
  geom: Geometry;
}
export type ProblemKind = 'funding' | 'public_institution' | 'military_land' | 'cane_base_replacement' | 'resettlement_delay'
  | 'irrigation_damage' | 'reserved_land' | 'pension_eligibility' | 'illegal_building';
export interface WaterTable { id: Generated<number>; name: string | null; kind: 'river' | 'lake' | 'pond'; geom: Geometry }
export interface RoadTable { id: Generated<number>; name: string | null; class: 'expressway' | 'arterial' | 'secondary' | 'local' | 'railway'; geom: Geometry }
export interface BuiltUpTable { id: Generated<number>; name: string | null; geom: Geometry }
export interface PlaceTable { id: Generated<number>; name: string; kind: 'city' | 'town' | 'village' | 'landmark' | 'station'; rank: Generated<number>; geom: Geometry }

// the generated tables under the names this file used to give them
export type ProjectMilestoneTable = DB['project_milestone'];
export type FundTransferTable = DB['fund_transfer'];
export type ProblemTable = DB['problem'];
export type ChangeLogTable = DB['change_log'];
export type AppSettingTable = DB['app_setting'];

/** every table: the generated ones (types.ts) and the map layers' */
export interface Database extends DB {
  command_area: CommandAreaTable;
  township: TownshipTable;
  village: VillageTable;
  park: ParkTable;
  project: ProjectTable;
  parcel: ParcelTable;
  house: HouseTable;
  farmland: FarmlandTable;
  cane_base: CaneBaseTable;
  military_land: MilitaryLandTable;
  disputed_land: DisputedLandTable;
  reserved_land: ReservedLandTable;
  resettlement_site: ResettlementSiteTable;
  water: WaterTable;
  road: RoadTable;
  built_up: BuiltUpTable;
  place: PlaceTable;
}
