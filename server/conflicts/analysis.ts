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
  /** its subdivided pieces (ST_Subdivide, hex EWKB), made once for both statements of the analysis */
  pieces: string[];
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
  redLine: Omit<ResolvedRedLine, 'ellipsoidalM2' | 'pieces'> & { area: DualArea };
  layers: ConflictLayerResult[];
  /** number of constraint features taken, all layers */
  conflictCount: number;
  landUse: LandUseResult;
  planning: PlanningResult;
  timingMs: number;
}

const ENVELOPE = `ST_MakeEnvelope(${DISTRICT_BBOX.join(', ')}, 4490)`;

/**
 * Vertices per piece of the subdivided red line (ST_Subdivide): what each test and cut costs at most, on
 * the red line's side. 128 measured against 64 and 256 on the scale-25 corridor (bench/conflicts.bench.ts):
 * smaller pieces cut more often, larger ones test more features; 128 was the least CPU, by a little.
 */
const PIECE_VERTICES = 128;
/** A red line's pieces as an array of hex EWKB (sent back as a parameter: subdivided once per analysis). */
const PIECES_SQL = (g: string) => `ARRAY(SELECT ST_AsHexEWKB(ST_Subdivide(${g}, ${PIECE_VERTICES})))`;

/** Load a stored red line, or check a sent one in the database: valid, non-empty, inside the district. */
export async function resolveRedLine(pool: pg.Pool, source: RedLineSource, makeValid: boolean): Promise<ResolvedRedLine> {
  if (source.kind === 'project') {
    const { rows } = await pool.query<{ id: number; code: string; name: string; g: string | null; m2: number | null; cx: number; cy: number; pieces: string[] }>(
      `SELECT id, code, name, ST_AsGeoJSON(red_line, 12) g, ST_Area(red_line::geography) m2,
              ST_X(ST_Centroid(red_line)) cx, ST_Y(ST_Centroid(red_line)) cy, ${PIECES_SQL('red_line')} pieces
         FROM project WHERE id = $1`, [source.projectId]);
    const r = rows[0];
    if (!r) throw new DomainError('not_found', `no project with id ${source.projectId}`, { projectId: source.projectId });
    if (!r.g) throw new DomainError('no_red_line', `project ${r.code} ${r.name} has no red line yet (未出征地红线图)`, { projectId: source.projectId, code: r.code });
    const geometry = JSON.parse(r.g);
    return {
      geometry, source: 'project', project: { id: r.id, code: r.code, name: r.name },
      inputCrs: 4490, vertices: boundaryPointCount(polygonsOf(geometry)), axesSwapped: false, repaired: false, centroid: [r.cx, r.cy], ellipsoidalM2: r.m2 ?? 0,
      pieces: r.pieces,
    };
  }
  const input = source.input;
  const json = JSON.stringify(input.geometry);
  // the pieces (the costliest part: ~10 ms for 1,000 vertices) on a second connection while the red line
  // is checked on the first; wasted only when the red line is refused or repaired
  const early = piecesOf(pool, json);
  early.catch(() => undefined); // an invalid red line may fail to subdivide: refused below, its pieces never read
  // one statement: the checks, and for a valid red line (the usual case) its area and centroid
  const { rows } = await pool.query<{ valid: boolean; reason: string; empty: boolean; inside: boolean; touches: boolean; fixed: string | null; m2: number; cx: number; cy: number }>(
    `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g), v AS (SELECT g, ST_IsValid(g) valid FROM s)
     SELECT valid, CASE WHEN NOT valid THEN ST_IsValidReason(g) END reason, ST_IsEmpty(g) empty,
            ST_CoveredBy(g, ${ENVELOPE}) inside, ST_Intersects(g, ${ENVELOPE}) touches,
            CASE WHEN $2 AND NOT valid THEN ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)), 12) END fixed,
            CASE WHEN valid THEN ST_Area(g::geography) END m2, CASE WHEN valid THEN ST_X(ST_Centroid(g)) END cx,
            CASE WHEN valid THEN ST_Y(ST_Centroid(g)) END cy
       FROM v`, [json, makeValid]);
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
  let m = { m2: c.m2, cx: c.cx, cy: c.cy };
  let pieces: string[];
  if (repaired) {
    const fixed = JSON.stringify(geometry);
    [m, pieces] = await Promise.all([
      pool.query<typeof m>(`WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
        SELECT ST_Area(g::geography) m2, ST_X(ST_Centroid(g)) cx, ST_Y(ST_Centroid(g)) cy FROM s`, [fixed]).then((r) => r.rows[0]),
      piecesOf(pool, fixed),
    ]);
  } else pieces = await early;
  return {
    geometry, source: 'geometry', project: null, inputCrs: input.inputCrs, vertices: boundaryPointCount(input.geometry.coordinates),
    axesSwapped: input.axesSwapped, repaired, centroid: [m.cx, m.cy], ellipsoidalM2: m.m2, pieces,
  };
}

/** The pieces of a red line sent as GeoJSON. */
async function piecesOf(pool: pg.Pool, geojson: string): Promise<string[]> {
  const { rows } = await pool.query<{ pieces: string[] }>(`SELECT ${PIECES_SQL('ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)')} pieces`, [geojson]);
  return rows[0].pieces;
}

interface OverlapRow {
  layer: number;
  id: number;
  props: Record<string, unknown>;
  geom: string;
  m2: number;
  /** planar m² in the Gauss–Krüger zone (PROJ, as the survey's) */
  p: number;
}

/** The red line as the statements take it: its GeoJSON (EPSG:4490) and its pieces (resolveRedLine). */
export type RedLineSql = Pick<ResolvedRedLine, 'geometry' | 'pieces'>;

/** One layer's part of a hit list: its table (aliased t), its geometry, its filters and the columns it carries along. */
interface HitSource {
  table: string;
  geom: string;
  where: string[];
  /** output name → SQL over t (t.id is the key: the rows are grouped by it) */
  columns: Record<string, string>;
}

/**
 * A feature of more vertices than this (a 三区三线 zone, a river, a forest) is cut piece by piece from its
 * part inside the piece's box (ST_ClipByBox2D: linear, no overlay), or taken as the whole piece where it
 * covers it: GEOS would otherwise handle all its vertices in every cut (~1 ms for 400 vertices, ~10 ms for
 * a 12,000-vertex urban boundary).
 */
const BIG_FEATURE_VERTICES = 256;

/**
 * The red line (parameter $1: GeoJSON; $3: its pieces) and every feature of the sources that it meets, as CTEs:
 *   rl      the red line, once;
 *   pieces  its subdivided pieces (≤ PIECE_VERTICES vertices each, not overlapping, together the red line);
 *   hit     each feature met, once, with the pieces it meets (ps) and whether it lies wholly inside the red
 *           line (inside: taken whole, never cut).
 * The GiST index is searched by each piece's box rather than the whole red line's (a winding corridor's box
 * holds several times the features it meets), and the test is against the piece (a few dozen vertices),
 * piece by piece as the index scan runs, so PostGIS prepares each piece once for the features its box
 * finds. A feature meeting one piece only is inside the red line exactly when it is inside that piece; one
 * meeting several is tested against the whole red line, prepared once for all rows. Shared by the conflict
 * layers (queryOverlaps) and the survey layers (querySurvey); `cutSql` cuts a hit feature by one piece.
 */
function redLineHits(sources: HitSource[]): string {
  const names = Object.keys(sources[0].columns);
  const parts = sources.map((s) => `SELECT ${names.map((n) => `${s.columns[n]} AS ${n}`).join(', ')}, ${s.geom} AS geom, array_agg(pc.p) AS ps
      FROM pieces pc JOIN ${s.table} t ON ${s.geom} && pc.p
     WHERE ${[...s.where, `ST_Intersects(${s.geom}, pc.p)`].join(' AND ')}
     GROUP BY t.id`);
  return `rl AS MATERIALIZED (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g),
    pieces AS MATERIALIZED (SELECT p::geometry AS p FROM unnest($3::text[]) p),
    met AS MATERIALIZED (${parts.join('\n    UNION ALL\n    ')}),
    hit AS MATERIALIZED (
      SELECT m.*, CASE WHEN cardinality(m.ps) = 1 THEN ST_Covers(m.ps[1], m.geom) ELSE ST_Covers(rl.g, m.geom) END AS inside
        FROM met m CROSS JOIN rl)`;
}

/**
 * A hit feature's overlap with one of its pieces, as a polygon or multipolygon (an edge or corner only:
 * empty). A big feature (BIG_FEATURE_VERTICES) covering the piece gives the piece, else it is clipped to
 * the piece's box first, unless the clip comes out invalid (ST_ClipByBox2D does not promise a valid
 * polygon; then the whole feature is cut, as a small one is).
 */
const cutSql = (geom: string, piece: string) =>
  `CASE WHEN ST_NPoints(${geom}) <= ${BIG_FEATURE_VERTICES} THEN ST_CollectionExtract(ST_Intersection(${geom}, ${piece}), 3)
        WHEN ST_Covers(${geom}, ${piece}) THEN ${piece}
        ELSE (SELECT ST_CollectionExtract(ST_Intersection(CASE WHEN ST_IsValid(c) THEN c ELSE ${geom} END, ${piece}), 3)
                FROM (SELECT ST_ClipByBox2D(${geom}, ${piece}::box2d) AS c) clip) END`;

/** Every overlap of the red line with every constraint layer: one statement, GiST-filtered. */
export async function queryOverlaps(pool: pg.Pool, fields: LayerFields, redLine: RedLineSql, excludeProjectId: number | undefined, planarEpsg: number): Promise<OverlapRow[]> {
  const sources = conflictLayersSql(fields).map((l, i): HitSource => ({
    table: l.layer.table, geom: l.geom,
    where: l.def.id === 'red_line' ? [...l.where, '($2::int IS NULL OR t.id <> $2::int)'] : l.where,
    columns: { layer: String(i), id: 't.id', props: l.properties },
  }));
  // Features wholly inside are taken whole; the rest are cut by the pieces they meet, the cuts of a
  // feature that several pieces meet unioned again into its one overlap.
  const sql = `WITH ${redLineHits(sources)},
    cut AS MATERIALIZED (
      SELECT h.layer, h.id, h.props,
             CASE WHEN h.inside THEN h.geom
                  WHEN cardinality(h.ps) = 1 THEN ${cutSql('h.geom', 'h.ps[1]')}
                  ELSE (SELECT ST_UnaryUnion(ST_Collect(${cutSql('h.geom', 'p')})) FROM unnest(h.ps) p) END AS g
        FROM hit h)
    SELECT layer, id, props, ST_AsGeoJSON(g, 10) AS geom, coalesce(ST_Area(g::geography), 0) AS m2,
           coalesce(ST_Area(ST_Transform(g, $4::int)), 0) AS p
      FROM cut WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)`;
  return readWithoutJit<OverlapRow>(pool, sql, [JSON.stringify(redLine.geometry), excludeProjectId ?? null, redLine.pieces, planarEpsg]);
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
export async function querySurvey(pool: pg.Pool, redLine: RedLineSql, planarEpsg: number): Promise<SurveyRow[]> {
  const key: Record<string, string> = { land_use: 't.class_code', urban_boundary: "'inside'" };
  const storedArea: Record<string, string> = { land_use: 't.area_m2', urban_boundary: 'NULL::float8' };
  const sources = SURVEY_LAYERS.map((def): HitSource => {
    const layer = LAYER_BY_ID.get(def.mapLayer)!;
    return {
      table: ident(layer.table), geom: `t.${ident(layer.geometryColumn)}`, where: [],
      columns: { layer: `'${def.id}'`, id: 't.id', key: key[def.id], stored: storedArea[def.id] },
    };
  });
  // the cuts' areas summed per class: one geography (and one projected) area per class of all its cuts
  const sql = `WITH ${redLineHits(sources)},
    cut AS MATERIALIZED (
      SELECT h.layer, h.key, h.inside, h.stored, h.geom, c.x
        FROM hit h
        LEFT JOIN LATERAL (SELECT ${cutSql('h.geom', 'p')} AS x FROM unnest(h.ps) p WHERE NOT h.inside) c ON true)
    SELECT layer, key,
           coalesce(sum(coalesce(stored, ST_Area(geom::geography))) FILTER (WHERE inside), 0)
             + coalesce(ST_Area(ST_Collect(x)::geography), 0) AS e,
           coalesce(ST_Area(ST_Transform(ST_Collect(CASE WHEN inside THEN geom ELSE x END), $2::int)), 0) AS p
      FROM cut
     GROUP BY layer, key`;
  return readWithoutJit<SurveyRow>(pool, sql, [JSON.stringify(redLine.geometry), planarEpsg, redLine.pieces]);
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
  /** where the red line is read (a stored project's: the primary, current) */
  pool: pg.Pool;
  /** where the constraint layers are read (a read replica may serve them); default `pool` */
  constraints?: pg.Pool;
  fields: LayerFields;
  source: RedLineSource;
  options: ConflictOptions;
  viewer: Viewer;
}

/** The whole analysis: resolve the red line, query the overlaps, measure both ways, split off slivers. */
export async function analyseConflicts({ pool, constraints = pool, fields, source, options, viewer }: AnalyseArgs): Promise<ConflictResult> {
  const t0 = performance.now();
  const redLine = await resolveRedLine(pool, source, options.makeValid);
  // the zone of the red line's centroid (PostGIS ST_Centroid), unless the request names one
  const zoneUsed = options.zone ?? zoneForLongitude(redLine.centroid[0]);
  const exclude = options.excludeProjectId ?? redLine.project?.id;
  // two statements, on two connections where the pool has them (PostgreSQL): side by side
  const [rows, surveyRows] = await Promise.all([
    queryOverlaps(constraints, fields, redLine, exclude, gaussKrugerEpsg(zoneUsed, true)),
    querySurvey(constraints, redLine, gaussKrugerEpsg(zoneUsed, true)),
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
      area: dualArea(r.m2, r.p),
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
