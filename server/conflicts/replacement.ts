// 调整置换地: when a red line takes cane-base land, propose farmland to replace it — fields outside every
// red line (stored ones and this one), clear of every constraint (military, disputed, reserved land,
// resettlement sites) and of every cane base, nearest first to the bases taken, until their total
// reaches the area taken. The planner accepts, drops or adds candidates in the browser.
import type pg from 'pg';
import { dualArea, type DualArea, planarArea } from '../../geo/area.ts';
import { zoneForLongitude } from '../../geo/crs.ts';
import type { LayerFields } from '../core/catalogue.ts';
import { analyseConflicts, type ConflictResult } from './analysis.ts';
import type { ConflictOptions, RedLineSource } from './input.ts';
import type { Viewer } from './layers.ts';

export interface AffectedBase {
  id: number;
  code: string;
  name: string;
  taken: DualArea;
}

export interface Candidate {
  id: number;
  code: string;
  kind: string;
  landClass: string;
  villageId: number | null;
  area: DualArea;
  /** metres to the nearest affected base (geodesic) */
  distanceM: number;
  /** ellipsoidal m² of this and every nearer candidate */
  cumulativeM2: number;
  geometry: GeoJSON.MultiPolygon;
}

export interface ReplacementResult {
  required: DualArea;
  affectedBases: AffectedBase[];
  candidates: Candidate[];
  proposed: DualArea;
  reached: boolean;
  zone: number;
  rule: string;
}

export interface ReplacementArgs {
  pool: pg.Pool;
  /** where the constraint layers and candidate fields are read (a read replica may serve); default `pool` */
  constraints?: pg.Pool;
  fields: LayerFields;
  source: RedLineSource;
  options: ConflictOptions;
  viewer: Viewer;
  /** farmland ids the planner dropped: never proposed again */
  excludeIds?: number[];
  /** farmland kinds allowed as replacement (default both) */
  kinds?: string[];
  /** stop after this many candidates even if the area is not reached */
  maxCandidates?: number;
}

const BATCH = 200;

export async function proposeReplacement(args: ReplacementArgs): Promise<ReplacementResult & { analysis: ConflictResult }> {
  const analysis = await analyseConflicts(args);
  const cane = analysis.layers.find((l) => l.id === 'cane_base')!;
  const zone = analysis.convention.zone;
  const affectedBases: AffectedBase[] = cane.features.map((f) => ({
    id: f.id, code: String(f.properties.code ?? ''), name: String(f.properties.name ?? ''), taken: f.area,
  }));
  const requiredM2 = cane.total.ellipsoidal.m2;
  const result: ReplacementResult = {
    required: cane.total, affectedBases, candidates: [], proposed: dualArea(0, 0), reached: requiredM2 === 0, zone,
    rule: '耕地图斑，不在任何项目红线内，不与军事用地、争议地、留用地、安置区及其他双高糖料蔗基地相交；按与被占基地的距离由近到远，累计面积达到被占面积为止',
  };
  if (requiredM2 === 0) return { ...result, analysis };

  const kinds = args.kinds?.length ? args.kinds : ['permanent_basic', 'cultivated'];
  const exclude = args.excludeIds ?? [];
  const max = args.maxCandidates ?? 500;
  let cumulative = 0;
  let planarSum = 0;
  for (let offset = 0; cumulative < requiredM2 && result.candidates.length < max; offset += BATCH) {
    const { rows } = await (args.constraints ?? args.pool).query<{
      id: number; code: string; kind: string; land_class: string; village_id: number | null; g: string; m2: number; d: number;
    }>(
      `WITH base AS MATERIALIZED (SELECT ST_Union(geom) g FROM cane_base WHERE id = ANY($1::int[])),
            rl AS MATERIALIZED (SELECT ST_SetSRID(ST_GeomFromGeoJSON($2), 4490) g)
       SELECT f.id, f.code, f.kind, f.land_class, f.village_id, ST_AsGeoJSON(f.geom, 10) g,
              ST_Area(f.geom::geography) m2, ST_Distance(f.geom::geography, base.g::geography) d
         FROM base, rl, LATERAL (
           SELECT f.* FROM farmland f
            WHERE f.kind = ANY($3::text[]) AND NOT (f.id = ANY($4::int[]))
            ORDER BY f.geom <-> base.g
            OFFSET $5 LIMIT ${BATCH}) f
        WHERE NOT ST_Intersects(f.geom, rl.g)
          AND NOT EXISTS (SELECT 1 FROM project p WHERE p.red_line && f.geom AND ST_Intersects(p.red_line, f.geom))
          AND NOT EXISTS (SELECT 1 FROM cane_base c WHERE c.geom && f.geom AND ST_Intersects(c.geom, f.geom))
          AND NOT EXISTS (SELECT 1 FROM military_land m WHERE m.geom && f.geom AND ST_Intersects(m.geom, f.geom))
          AND NOT EXISTS (SELECT 1 FROM disputed_land x WHERE x.geom && f.geom AND ST_Intersects(x.geom, f.geom))
          AND NOT EXISTS (SELECT 1 FROM reserved_land x WHERE x.geom && f.geom AND ST_Intersects(x.geom, f.geom))
          AND NOT EXISTS (SELECT 1 FROM resettlement_site x WHERE x.geom && f.geom AND ST_Intersects(x.geom, f.geom))
        ORDER BY d, f.id`,
      [affectedBases.map((b) => b.id), JSON.stringify(analysis.redLine.geometry), kinds, exclude, offset],
    );
    if (rows.length === 0) {
      // the batch may be empty because every field in it was excluded: stop only when none are left
      const more = await (args.constraints ?? args.pool).query<{ n: number }>(
        `SELECT count(*)::int n FROM farmland WHERE kind = ANY($1::text[]) AND NOT (id = ANY($2::int[]))`, [kinds, exclude]);
      if (offset + BATCH >= more.rows[0].n) break;
      continue;
    }
    for (const r of rows) {
      if (cumulative >= requiredM2 || result.candidates.length >= max) break;
      const geometry = JSON.parse(r.g) as GeoJSON.MultiPolygon;
      const planar = planarArea(geometry, zone || zoneForLongitude(geometry.coordinates[0][0][0][0]));
      cumulative += r.m2;
      planarSum += planar;
      result.candidates.push({
        id: r.id, code: r.code, kind: r.kind, landClass: r.land_class, villageId: r.village_id,
        area: dualArea(r.m2, planar), distanceM: r.d, cumulativeM2: cumulative, geometry,
      });
    }
  }
  result.proposed = dualArea(cumulative, planarSum);
  result.reached = cumulative >= requiredM2;
  return { ...result, analysis };
}
