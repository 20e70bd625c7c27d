// The map's layers: which table each comes from, its geometry, and its name in both languages.
// Server (map data, tiles, exports) and web (layer list, legend) read the same list.
import type { Label } from './domain.ts';
import type { Role } from './roles.ts';

export type GeometryKind = 'polygon' | 'line' | 'point';

/** The layer panel's and the legend's groups, top first. */
export const LAYER_GROUPS = ['project', 'resettlement', 'constraint', 'planning', 'admin', 'base'] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];

export interface LayerDef {
  id: string;
  table: string;
  geometryColumn: string;
  geometry: GeometryKind;
  title: Label;
  group: LayerGroup;
  /** columns shown in popups and tiles (beyond id) */
  attributes: string[];
  /** columns only readers with the military grant see (geo/roles.ts); left out for everyone else */
  sensitive?: string[];
  /** columns sensitive on some rows only: a parcel owned by an army unit names the unit (部队) */
  sensitiveWhere?: { column: string; value: string; fields: string[] };
  /** lowest zoom with features in tiles: dense layers start late so low-zoom tiles stay small */
  minZoom: number;
  /**
   * The role that writes this layer (every write, whatever its route: feature API, import, problem
   * log, CLI). Parcels, houses, problems and resettlement sites are the command posts' work, limited
   * to their areas; red lines the planners'; the rest reference data the land bureau keeps. None:
   * the offline base map (water, roads, built-up areas, place names) is not written by anyone.
   */
  writer?: Role;
  /** the rule a write's status change follows (server/core/write.ts) */
  workflow?: 'take' | 'problem';
  /**
   * other tables whose rows change this layer's features (a red line's progress from its parcels),
   * each through its foreign key to this layer's table: a change of such a row is also a change of
   * the feature it points to, at that feature's place (migrations/functions/30_layer_notify.sql)
   */
  dependsOn?: string[];
  /** too large to fetch whole: the map reads it as vector tiles (otherwise as GeoJSON) */
  tiled?: true;
  /** polygons labelled from one point per feature (GET /api/layers/{id}/labels) */
  labelPoints?: true;
  /** the ellipsoidal area is stored on write in `area_m2` (migration 005): ranked and shown in 亩 from it */
  storesArea?: true;
  /** the date column `datetime` filters on (OGC API) */
  temporal?: { column: string; title: Label };
  /**
   * Columns the legal procedure writes (server/core/procedure.ts: the 报批 step's end sets a project's
   * approval), each with the value a new feature starts with. A feature write may send them back as they
   * are, never change them: one writer per fact (server/core/write.ts checkProcedureOwned).
   */
  procedureOwned?: Record<string, string | null>;
}

/**
 * Columns that name a feature of another layer (their foreign keys), and that layer: forms pick it by
 * name (所属项目, 所在村, 片区指挥部), never by typing its id. Every referenced layer is small (read
 * whole, as GeoJSON).
 */
export const REFERENCE_LAYER: Readonly<Record<string, string>> = {
  project_id: 'red_line',
  village_id: 'village',
  township_id: 'township',
  command_area_id: 'command_area',
  park_id: 'park',
};

export const LAYERS: LayerDef[] = [
  { id: 'water', labelPoints: true, minZoom: 0, table: 'water', geometryColumn: 'geom', geometry: 'polygon', group: 'base',
    title: { zh: '水系', en: 'Water' }, attributes: ['name', 'kind'] },
  { id: 'built_up', minZoom: 6, table: 'built_up', geometryColumn: 'geom', geometry: 'polygon', group: 'base',
    title: { zh: '建成区', en: 'Built-up areas' }, attributes: ['name'] },
  { id: 'road', minZoom: 6, table: 'road', geometryColumn: 'geom', geometry: 'line', group: 'base',
    title: { zh: '道路', en: 'Roads' }, attributes: ['name', 'class'] },
  { id: 'place', minZoom: 6, table: 'place', geometryColumn: 'geom', geometry: 'point', group: 'base',
    title: { zh: '地名', en: 'Place names' }, attributes: ['name', 'kind', 'rank'] },
  { id: 'command_area', labelPoints: true, writer: 'land_bureau', minZoom: 0, table: 'command_area', geometryColumn: 'geom', geometry: 'polygon', group: 'admin',
    title: { zh: '片区指挥部', en: 'Command areas' }, attributes: ['code', 'name', 'commander'] },
  { id: 'township', labelPoints: true, writer: 'land_bureau', minZoom: 8, table: 'township', geometryColumn: 'geom', geometry: 'polygon', group: 'admin',
    title: { zh: '乡镇（街道）', en: 'Townships' }, attributes: ['name', 'kind', 'command_area_id'] },
  { id: 'village', labelPoints: true, writer: 'land_bureau', minZoom: 11, table: 'village', geometryColumn: 'geom', geometry: 'polygon', group: 'admin',
    title: { zh: '行政村（社区）', en: 'Villages' }, attributes: ['name', 'kind', 'township_id'] },
  { id: 'park', labelPoints: true, writer: 'land_bureau', minZoom: 8, table: 'park', geometryColumn: 'geom', geometry: 'polygon', group: 'admin',
    title: { zh: '产业园区', en: 'Parks' }, attributes: ['name'] },
  { id: 'farmland', tiled: true, storesArea: true, writer: 'land_bureau', minZoom: 12, table: 'farmland', geometryColumn: 'geom', geometry: 'polygon', group: 'constraint',
    title: { zh: '耕地/永久基本农田', en: 'Farmland' }, attributes: ['code', 'kind', 'land_class', 'village_id'] },
  { id: 'cane_base', tiled: true, storesArea: true, writer: 'land_bureau', minZoom: 11, table: 'cane_base', geometryColumn: 'geom', geometry: 'polygon', group: 'constraint',
    title: { zh: '双高糖料蔗基地', en: 'Cane bases' }, attributes: ['code', 'name', 'grower', 'village_id'] },
  { id: 'military_land', labelPoints: true, writer: 'land_bureau', minZoom: 8, table: 'military_land', geometryColumn: 'geom', geometry: 'polygon', group: 'constraint',
    title: { zh: '军事用地', en: 'Military land' }, attributes: ['code', 'name', 'unit', 'use', 'notes'],
    sensitive: ['name', 'unit', 'use', 'notes'] },
  { id: 'disputed_land', labelPoints: true, writer: 'land_bureau', minZoom: 8, table: 'disputed_land', geometryColumn: 'geom', geometry: 'polygon', group: 'constraint',
    title: { zh: '争议地', en: 'Disputed land' }, attributes: ['code', 'name', 'parties', 'status'] },
  { id: 'reserved_land', writer: 'land_bureau', minZoom: 10, table: 'reserved_land', geometryColumn: 'geom', geometry: 'polygon', group: 'constraint',
    title: { zh: '留用地', en: 'Reserved land' },
    temporal: { column: 'due_on', title: { zh: '应交付日期', en: 'Due on' } }, attributes: ['code', 'village_id', 'project_id', 'year', 'owed_mu', 'delivered_mu'] },
  // 三区三线 and the 三调 land use: what the territorial plan allows, and what the land is (geo/landclass.ts)
  { id: 'eco_redline', labelPoints: true, writer: 'land_bureau', minZoom: 6, table: 'eco_redline', geometryColumn: 'geom', geometry: 'polygon', group: 'planning',
    title: { zh: '生态保护红线', en: 'Ecological protection red line' }, attributes: ['code', 'name', 'kind'] },
  { id: 'urban_boundary', labelPoints: true, writer: 'land_bureau', minZoom: 6, table: 'urban_boundary', geometryColumn: 'geom', geometry: 'polygon', group: 'planning',
    title: { zh: '城镇开发边界', en: 'Urban development boundary' }, attributes: ['code', 'name'] },
  { id: 'land_use', tiled: true, storesArea: true, writer: 'land_bureau', minZoom: 12, table: 'land_use', geometryColumn: 'geom', geometry: 'polygon', group: 'planning',
    title: { zh: '土地利用现状（三调）', en: 'Land use (3rd survey)' }, attributes: ['code', 'class_code', 'village_id'] },
  { id: 'red_line', labelPoints: true, writer: 'planner', minZoom: 6, table: 'project', geometryColumn: 'red_line', geometry: 'polygon', group: 'project',
    // its progress follows its parcels, its procedure (current step, quotas) its steps and quota entries
    title: { zh: '项目红线', en: 'Project red lines' }, dependsOn: ['parcel', 'procedure_step', 'project_quota'],
    temporal: { column: 'approved_on', title: { zh: '批复日期', en: 'Approved on' } },
    procedureOwned: { approval_stage: 'pre_expropriation', approval_doc_no: null, approved_on: null },
    attributes: ['code', 'name', 'kind', 'source', 'year', 'command_area_id', 'land_target_mu', 'house_target_m2', 'approval_stage'] },
  { id: 'parcel', tiled: true, storesArea: true, writer: 'editor', minZoom: 13, table: 'parcel', geometryColumn: 'geom', geometry: 'polygon', group: 'project',
    title: { zh: '征收宗地', en: 'Parcels' }, workflow: 'take',
    temporal: { column: 'signed_on', title: { zh: '签约日期', en: 'Signed on' } },
    attributes: ['code', 'project_id', 'owner_type', 'owner_name', 'land_class', 'status', 'agreed_compensation_yuan', 'paid_yuan'],
    sensitiveWhere: { column: 'owner_type', value: 'military', fields: ['owner_name'] } },
  { id: 'house', tiled: true, writer: 'editor', minZoom: 14, table: 'house', geometryColumn: 'geom', geometry: 'polygon', group: 'project',
    title: { zh: '征收房屋', en: 'Houses' }, workflow: 'take',
    temporal: { column: 'signed_on', title: { zh: '签约日期', en: 'Signed on' } },
    attributes: ['code', 'project_id', 'owner_name', 'building_area_m2', 'structure', 'status'],
    sensitiveWhere: { column: 'owner_type', value: 'military', fields: ['owner_name'] } },
  { id: 'resettlement_site', labelPoints: true, writer: 'editor', minZoom: 8, table: 'resettlement_site', geometryColumn: 'geom', geometry: 'polygon', group: 'resettlement',
    title: { zh: '安置区', en: 'Resettlement sites' },
    temporal: { column: 'planned_delivery_on', title: { zh: '计划交付日期', en: 'Planned delivery' } },
    attributes: ['name', 'units_planned', 'units_delivered', 'households_waiting', 'planned_delivery_on', 'actual_delivery_on'] },
  { id: 'problem', writer: 'editor', minZoom: 10, table: 'problem', geometryColumn: 'geom', geometry: 'point', group: 'project',
    title: { zh: '问题台账', en: 'Problems' }, attributes: ['kind', 'title', 'status', 'owner', 'project_id'], workflow: 'problem',
    temporal: { column: 'opened_on', title: { zh: '登记日期', en: 'Opened on' } },
    // a problem about military land names units and sites in its free text (训练场, 集团军): that text
    // is released only with the military grant
    sensitiveWhere: { column: 'kind', value: 'military_land', fields: ['title', 'description', 'owner'] } },
];

/** Tiles are cut from zoom 0 to this; the client overzooms beyond it. */
export const TILE_MAX_ZOOM = 16;

export const LAYER_BY_ID: ReadonlyMap<string, LayerDef> = new Map(LAYERS.map((l) => [l.id, l]));

/** The layers labelled from one stored point per feature (labelPoints): the map asks for all of them at once. */
export const LABELLED_LAYERS: readonly string[] = LAYERS.filter((l) => l.labelPoints).map((l) => l.id);

/**
 * Layers the feature API (and the map editor) writes: every polygon layer someone writes. Points and
 * lines with a writer (problems) are written through their own tools, which take the same path.
 */
export const isEditable = (layer: LayerDef): boolean => layer.writer !== undefined && layer.geometry === 'polygon';

/** The district's extent (synthetic data is placed here; input outside it is refused). */
export const DISTRICT_BBOX: [number, number, number, number] = [109.2, 22.65, 109.9, 23.43];
export const CITY_CENTRE: [number, number] = [109.6, 23.09];
