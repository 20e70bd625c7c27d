// 压占分析: which constraint features a red line takes, and how much of each — in PostGIS with the GiST
// indexes (&& and ST_Intersects first, ST_Intersection only where the feature is not wholly inside).
// Ellipsoidal areas from PostGIS geography (GRS80); planar areas from the overlap's vertices projected
// into the Gauss–Krüger zone (geo/area.ts: proj4 + shoelace). Plain functions over a pool.
import type pg from 'pg';
import type { LandUseResult, PlanningResult } from '../../geo/approval.ts';
import { type AreaGeometry, CONFLICT_LAYERS, type ConflictLayerDef, dualArea, type DualArea, planarArea, SURVEY_LAYERS } from '../../geo/area.ts';
import { gaussKrugerEpsg, zoneForLongitude } from '../../geo/crs.ts';
import { boundaryPointCount, polygonsOf } from '../../geo/formats/geometry.ts';
import { type AreaPair, landUseBreakdown, planningResult } from '../../geo/landuse.ts';
export type { LandUseResult, PlanningResult } from '../../geo/approval.ts';
/** the table's rule lives in geo/landuse.ts (the live panel computes it too) */
export { landUseBreakdown } from '../../geo/landuse.ts';
import { DISTRICT_BBOX, LAYER_BY_ID } from '../../geo/layers.ts';
import { isoUtc } from '../../geo/time.ts';
import { ident, type LayerFields } from '../core/catalogue.ts';
import { DomainError } from '../core/errors.ts';
import { withClient } from '../db/connection.ts';
import { type ConflictOptions, type RedLineSource } from './input.ts';
import { conflictLayersSql, releaseAttributes, sensitiveAttributes, type Viewer } from './layers.ts';

export interface ProjectRef {
  id: number;
  code: string;
  name: string;
}

export interface ResolvedRedLine {
  geometry: GeoJSON.MultiPolygon;
  source: 'geometry' | 'project';
  project: ProjectRef | null;
  inputCrs: number;
  /** 界址点数: corners of all rings, the closing repeat of each ring not counted (geo/formats/geometry.ts) */
  vertices: number;
  axesSwapped: boolean;
  repaired: boolean;
  centroid: [number, number];
  ellipsoidalM2: number;
}

export interface ConflictFeature {
  id: number;
  properties: Record<string, unknown>;
  /** sensitive attributes not released to this viewer */
  withheld?: string[];
  area: DualArea;
  geometry: AreaGeometry;
}

export interface ConflictLayerResult {
  id: string;
  title: ConflictLayerDef['title'];
  count: number;
  total: DualArea;
  features: ConflictFeature[];
  /** overlaps below the tolerance: listed, never counted */
  slivers: ConflictFeature[];
  sensitive: string[];
}

export interface ConflictResult {
  authoritative: true;
  computedAt: string;
  convention: {
    ellipsoidal: string;
    planar: string;
    mu: string;
    zone: number;
    zoneSource: 'centroid' | 'override';
    planarEpsg: number;
    toleranceM2: number;
  };
  /** the red line as resolved from the request, with its area in both conventions */
  redLine: Omit<ResolvedRedLine, 'ellipsoidalM2'> & { area: DualArea };
  layers: ConflictLayerResult[];
  /** number of constraint features taken, all layers */
  conflictCount: number;
  landUse: LandUseResult;
  planning: PlanningResult;
  timingMs: number;
}

const ENVELOPE = `ST_MakeEnvelope(${DISTRICT_BBOX.join(', ')}, 4490)`;

/** Load a stored red line, or check a sent one in the database: valid, non-empty, inside the district. */
export async function resolveRedLine(pool: pg.Pool, source: RedLineSource, makeValid: boolean): Promise<ResolvedRedLine> {
  if (source.kind === 'project') {
    const { rows } = await pool.query<{ id: number; code: string; name: string; g: string | null; m2: number | null; cx: number; cy: number }>(
      `SELECT id, code, name, ST_AsGeoJSON(red_line, 12) g, ST_Area(red_line::geography) m2,
              ST_X(ST_Centroid(red_line)) cx, ST_Y(ST_Centroid(red_line)) cy
         FROM project WHERE id = $1`, [source.projectId]);
    const r = rows[0];
    if (!r) throw new DomainError('not_found', `no project with id ${source.projectId}`, { projectId: source.projectId });
    if (!r.g) throw new DomainError('no_red_line', `project ${r.code} ${r.name} has no red line yet (未出征地红线图)`, { projectId: source.projectId, code: r.code });
    const geometry = JSON.parse(r.g);
    return {
      geometry, source: 'project', project: { id: r.id, code: r.code, name: r.name },
      inputCrs: 4490, vertices: boundaryPointCount(polygonsOf(geometry)), axesSwapped: false, repaired: false, centroid: [r.cx, r.cy], ellipsoidalM2: r.m2 ?? 0,
    };
  }
  const input = source.input;
  const { rows } = await pool.query<{ valid: boolean; reason: string; empty: boolean; inside: boolean; touches: boolean; fixed: string | null }>(
    `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
     SELECT ST_IsValid(g) valid, ST_IsValidReason(g) reason, ST_IsEmpty(g) empty,
            ST_CoveredBy(g, ${ENVELOPE}) inside, ST_Intersects(g, ${ENVELOPE}) touches,
            CASE WHEN $2 AND NOT ST_IsValid(g) THEN ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)), 12) END fixed
       FROM s`, [JSON.stringify(input.geometry), makeValid]);
  const c = rows[0];
  if (c.empty) throw new DomainError('empty_geometry', 'the red line is empty');
  let geometry = input.geometry;
  let repaired = false;
  if (!c.valid) {
    if (!makeValid) {
      throw new DomainError('invalid_geometry', `the red line is not a valid polygon: ${c.reason} (fix it, or send "makeValid": true to have it repaired with ST_MakeValid)`);
    }
    geometry = JSON.parse(c.fixed!);
    repaired = true;
    if (geometry.coordinates.length === 0) throw new DomainError('empty_geometry', `the red line has no area left once repaired (${c.reason})`);
  }
  if (!c.touches) throw new DomainError('outside_district', `the red line lies outside the district (${DISTRICT_BBOX.join(', ')}); is the CRS right?`);
  if (!c.inside) throw new DomainError('outside_district', `the red line runs beyond the district (${DISTRICT_BBOX.join(', ')}); clip it to the district first`);
  const m = await pool.query<{ m2: number; cx: number; cy: number }>(
    `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
     SELECT ST_Area(g::geography) m2, ST_X(ST_Centroid(g)) cx, ST_Y(ST_Centroid(g)) cy FROM s`, [JSON.stringify(geometry)]);
  return {
    geometry, source: 'geometry', project: null, inputCrs: input.inputCrs, vertices: boundaryPointCount(input.geometry.coordinates),
    axesSwapped: input.axesSwapped, repaired, centroid: [m.rows[0].cx, m.rows[0].cy], ellipsoidalM2: m.rows[0].m2,
  };
}

interface OverlapRow {
  layer: number;
  id: number;
  props: Record<string, unknown>;
  geom: string;
  m2: number;
}

/** Every overlap of the red line with every constraint layer: one statement, GiST-filtered. */
export async function queryOverlaps(pool: pg.Pool, fields: LayerFields, redLine: GeoJSON.MultiPolygon, excludeProjectId: number | undefined): Promise<OverlapRow[]> {
  const layers = conflictLayersSql(fields);
  // Features wholly inside the red line are taken whole (ST_Contains on the prepared red line, cached across rows).
  // The rest are cut against the red line's subdivided pieces (ST_Subdivide: ≤ 64 vertices each) that
  // their boxes meet, so each cut costs a few dozen vertices instead of the whole red line.
  const parts = layers.map((l, i) => {
    const where = [...l.where, `${l.geom} && rl.g`, `ST_Intersects(${l.geom}, rl.g)`];
    if (l.def.id === 'red_line') where.push('($2::int IS NULL OR t.id <> $2::int)');
    return `SELECT ${i} AS layer, t.id, ${l.properties} AS props, ${l.geom} AS geom, ST_Contains(rl.g, ${l.geom}) AS inside
      FROM ${l.layer.table} t CROSS JOIN rl WHERE ${where.join(' AND ')}`;
  });
  const sql = `WITH rl AS MATERIALIZED (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g),
    pieces AS MATERIALIZED (SELECT ST_Subdivide(g, 64) AS p FROM rl),
    hit AS MATERIALIZED (${parts.join('\nUNION ALL\n')}),
    cut AS MATERIALIZED (
      SELECT h.layer, h.id, h.props,
             CASE WHEN h.inside THEN h.geom
                  ELSE (SELECT CASE WHEN count(*) = 1 THEN (array_agg(x))[1] ELSE ST_UnaryUnion(ST_Collect(x)) END
                          FROM (SELECT ST_CollectionExtract(ST_Intersection(h.geom, pc.p), 3) x
                                  FROM pieces pc WHERE pc.p && h.geom AND ST_Intersects(pc.p, h.geom)) s) END AS g
        FROM hit h)
    SELECT layer, id, props, ST_AsGeoJSON(g, 10) AS geom, coalesce(ST_Area(g::geography), 0) AS m2
      FROM cut WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)`;
  return readWithoutJit<OverlapRow>(pool, sql, [JSON.stringify(redLine), excludeProjectId ?? null]);
}

/**
 * The planner's cost guess for the geometry functions is far off and would JIT-compile the query
 * (a second of LLVM for a 100 ms query): off for these statements.
 */
async function readWithoutJit<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[]): Promise<R[]> {
  return withClient(pool, async (client) => {
    try {
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL jit = off');
      const { rows } = await client.query<R>(sql, params);
      await client.query('COMMIT');
      return rows;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** A survey layer's area under the red line, per key (a land class; 'inside' for the urban boundary). */
interface SurveyRow {
  layer: string;
  key: string;
  /** ellipsoidal m² (GRS80 geography) */
  e: number;
  /** planar m² in the Gauss–Krüger zone */
  p: number;
}

/**
 * What the red line takes of the survey layers (SURVEY_LAYERS: 三调 land use, the urban development
 * boundary), summed in the database per land class: thousands of land-use pieces under a long red line
 * need their areas, never their shapes. Whole when inside; otherwise cut by each of the red line's
 * subdivided pieces, whose areas add up (the pieces do not overlap), so no cut is ever unioned again.
 * Ellipsoidal area on GRS80 (a whole polygon's stored area_m2), planar area in the zone's Gauss–Krüger
 * projection (PROJ, shoelace: as geo/area.ts planarArea computes it).
 */
export async function querySurvey(pool: pg.Pool, redLine: GeoJSON.MultiPolygon, planarEpsg: number): Promise<SurveyRow[]> {
  const key: Record<string, string> = { land_use: 't.class_code', urban_boundary: "'inside'" };
  const storedArea: Record<string, string> = { land_use: 't.area_m2', urban_boundary: 'NULL::float8' };
  const parts = SURVEY_LAYERS.map((def) => {
    const layer = LAYER_BY_ID.get(def.mapLayer)!;
    const g = `t.${ident(layer.geometryColumn)}`;
    return `SELECT '${def.id}' AS layer, ${key[def.id]} AS key, ${g} AS geom, ST_Contains(rl.g, ${g}) AS inside, ${storedArea[def.id]} AS stored
      FROM ${ident(layer.table)} t CROSS JOIN rl WHERE ${g} && rl.g AND ST_Intersects(${g}, rl.g)`;
  });
  const sql = `WITH rl AS MATERIALIZED (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g),
    pieces AS MATERIALIZED (SELECT ST_Subdivide(g, 64) AS p FROM rl),
    hit AS MATERIALIZED (${parts.join('\nUNION ALL\n')}),
    cut AS MATERIALIZED (
      SELECT h.layer, h.key, h.inside, h.stored, h.geom, c.x
        FROM hit h
        LEFT JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(h.geom, pc.p), 3) AS x FROM pieces pc
                            WHERE NOT h.inside AND pc.p && h.geom AND ST_Intersects(pc.p, h.geom)) c ON true)
    SELECT layer, key,
           sum(CASE WHEN inside THEN coalesce(stored, ST_Area(geom::geography)) ELSE ST_Area(x::geography) END) AS e,
           sum(ST_Area(ST_Transform(CASE WHEN inside THEN geom ELSE x END, $2::int))) AS p
      FROM cut WHERE inside OR NOT ST_IsEmpty(x)
     GROUP BY layer, key`;
  return readWithoutJit<SurveyRow>(pool, sql, [JSON.stringify(redLine), planarEpsg]);
}

const CONVENTION_ELLIPSOIDAL = '椭球面积：CGCS2000 椭球（GRS80）面上的面积，PostGIS geography 计算 (ellipsoidal area on GRS80, PostGIS geography)';

export function conventionText(zone: number): { ellipsoidal: string; planar: string; mu: string } {
  const epsg = gaussKrugerEpsg(zone, true);
  return {
    ellipsoidal: CONVENTION_ELLIPSOIDAL,
    planar: `平面面积：CGCS2000 3度带高斯-克吕格投影第 ${zone} 带（中央经线 ${zone * 3}°E，EPSG:${epsg}）坐标按界址点坐标法（鞋带公式）计算 (Gauss–Krüger planar area, zone ${zone}, shoelace)`,
    mu: '1 亩 = 10000/15 平方米；15 亩 = 1 公顷',
  };
}

export interface AnalyseArgs {
  pool: pg.Pool;
  fields: LayerFields;
  source: RedLineSource;
  options: ConflictOptions;
  viewer: Viewer;
}

/** The whole analysis: resolve the red line, query the overlaps, measure both ways, split off slivers. */
export async function analyseConflicts({ pool, fields, source, options, viewer }: AnalyseArgs): Promise<ConflictResult> {
  const t0 = performance.now();
  const redLine = await resolveRedLine(pool, source, options.makeValid);
  // the zone of the red line's centroid (PostGIS ST_Centroid), unless the request names one
  const zoneUsed = options.zone ?? zoneForLongitude(redLine.centroid[0]);
  const exclude = options.excludeProjectId ?? redLine.project?.id;
  // two statements, on two connections where the pool has them (PostgreSQL): side by side
  const [rows, surveyRows] = await Promise.all([
    queryOverlaps(pool, fields, redLine.geometry, exclude),
    querySurvey(pool, redLine.geometry, gaussKrugerEpsg(zoneUsed, true)),
  ]);
  const survey = { classes: new Map<string, AreaPair>(), urban: { e: 0, p: 0 } as AreaPair };
  for (const r of surveyRows) {
    if (!(r.e > 0)) continue;
    if (r.layer === 'land_use') survey.classes.set(r.key, { e: r.e, p: r.p });
    else if (r.layer === 'urban_boundary') survey.urban = { e: r.e, p: r.p };
  }

  const layers: ConflictLayerResult[] = CONFLICT_LAYERS.map((def) => ({
    id: def.id, title: def.title, count: 0, total: dualArea(0, 0), features: [], slivers: [],
    sensitive: [],
  }));
  const sums = CONFLICT_LAYERS.map(() => ({ e: 0, p: 0 }));
  for (const r of rows) {
    if (!(r.m2 > 0)) continue; // touching only (an edge or a corner): not a conflict
    const geometry = JSON.parse(r.geom) as AreaGeometry;
    const def = CONFLICT_LAYERS[r.layer];
    const released = releaseAttributes(def, r.props, viewer);
    const f: ConflictFeature = {
      id: r.id,
      properties: released.properties,
      ...(released.withheld.length ? { withheld: released.withheld } : {}),
      area: dualArea(r.m2, planarArea(geometry, zoneUsed)),
      geometry,
    };
    const out = layers[r.layer];
    if (r.m2 < options.toleranceM2) {
      out.slivers.push(f);
      continue;
    }
    out.features.push(f);
    sums[r.layer].e += f.area.ellipsoidal.m2;
    sums[r.layer].p += f.area.planar.m2;
  }
  let conflictCount = 0;
  layers.forEach((l, i) => {
    l.features.sort((a, b) => b.area.ellipsoidal.m2 - a.area.ellipsoidal.m2);
    l.slivers.sort((a, b) => b.area.ellipsoidal.m2 - a.area.ellipsoidal.m2);
    l.count = l.features.length;
    l.total = dualArea(sums[i].e, sums[i].p);
    l.sensitive = sensitiveAttributes(CONFLICT_LAYERS[i]);
    conflictCount += l.count;
  });
  const redLineArea = dualArea(redLine.ellipsoidalM2, planarArea(redLine.geometry, zoneUsed));
  const landUse = landUseBreakdown(survey.classes, redLineArea);
  const byId = new Map(layers.map((l) => [l.id, l.total]));
  const taken = (id: string) => byId.get(id) ?? dualArea(0, 0);
  const planning = planningResult({
    redLine: redLineArea, classes: survey.classes, landUse,
    ecoRedline: taken('eco_redline'), permanentBasicFarmland: taken('permanent_basic_farmland'), insideUrban: survey.urban,
  });
  return {
    authoritative: true,
    computedAt: isoUtc(),
    convention: {
      ...conventionText(zoneUsed),
      zone: zoneUsed,
      zoneSource: options.zone ? 'override' : 'centroid',
      planarEpsg: gaussKrugerEpsg(zoneUsed, true),
      toleranceM2: options.toleranceM2,
    },
    redLine: {
      source: redLine.source, project: redLine.project, inputCrs: redLine.inputCrs, vertices: redLine.vertices,
      axesSwapped: redLine.axesSwapped, repaired: redLine.repaired, centroid: redLine.centroid,
      area: redLineArea,
      geometry: redLine.geometry,
    },
    layers,
    conflictCount,
    landUse,
    planning,
    timingMs: performance.now() - t0,
  };
}
