// The demo's 三调 land use and 三区三线, checked in PostGIS: the land-use polygons tile the villages (no
// gap, no overlap), agree with the layers they were derived from, and the three lines never overlap.
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

/** Villages that hold a bit of everything: the river, military land, a town seat, the old town, fields. */
async function sampleVillages(): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(`
    SELECT DISTINCT ON (what) id FROM (
      SELECT v.id, 'river' what FROM village v JOIN water w ON w.kind = 'river' AND ST_Intersects(v.geom, w.geom)
      UNION ALL SELECT v.id, 'military' FROM village v JOIN military_land m ON ST_Intersects(v.geom, m.geom)
      UNION ALL SELECT v.id, 'seat' FROM village v JOIN built_up b ON b.name LIKE '%圩镇' AND ST_Intersects(v.geom, b.geom)
      UNION ALL SELECT v.id, 'city' FROM village v JOIN built_up b ON b.name = '贵城老城区' AND ST_Intersects(v.geom, b.geom)
      UNION ALL SELECT v.id, 'cane' FROM village v JOIN cane_base c ON ST_Intersects(v.geom, c.geom)) s
    ORDER BY what, id`);
  return [...new Set(rows.map((r) => r.id))];
}

/** The derivation snaps to 1e-9° (≈ 0.1 mm): areas agree to a millionth, far below any survey's precision. */
const SNAPPED = 1e-6;

describe('the demo land use (三调地类图斑)', () => {
  it('covers every village exactly: the polygons’ areas sum to the village’s, and so does their union', async () => {
    const ids = await sampleVillages();
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const { rows } = await pool.query<{ id: number; village: number; sum: number; union: number }>(`
      SELECT v.id, ST_Area(v.geom) village, sum(ST_Area(l.geom)) sum, ST_Area(ST_Union(l.geom)) "union"
        FROM village v JOIN land_use l ON l.village_id = v.id WHERE v.id = ANY($1) GROUP BY v.id, v.geom`, [ids]);
    expect(rows.length).toBe(ids.length);
    for (const r of rows) {
      expect(Math.abs(r.sum - r.village) / r.village, `village ${r.id}: gap or overlap`).toBeLessThan(1e-8);
      expect(Math.abs(r.union - r.sum) / r.village, `village ${r.id}: overlapping polygons`).toBeLessThan(1e-8);
    }
  });

  it('lies in the village it names (to the snapping grid)', async () => {
    const { rows } = await pool.query<{ outside: number }>(`
      SELECT coalesce(sum(ST_Area(ST_Difference(l.geom, v.geom))), 0) outside FROM land_use l JOIN village v ON v.id = l.village_id
       WHERE NOT ST_CoveredBy(l.geom, v.geom)`);
    expect(rows[0].outside).toBeLessThan(1e-12); // degrees²: 1e-12 ≈ 0.01 m², over the whole district
  });

  it('gives every polygon a class of GB/T 21010-2017', async () => {
    const { rows } = await pool.query<{ code: string }>('SELECT DISTINCT class_code code FROM land_use');
    const { LAND_CLASS_BY_CODE } = await import('../../geo/landclass.ts');
    expect(rows.map((r) => r.code).filter((c) => !LAND_CLASS_BY_CODE.has(c))).toEqual([]);
  });

  it('classes the river 1101, military land 0901 and the old town 05–08/10, all of them', async () => {
    const { rows } = await pool.query<{ what: string; total: number; classed: number }>(`
      SELECT 'river' what, ST_Area(w.geom) total,
             (SELECT sum(ST_Area(ST_Intersection(l.geom, w.geom))) FROM land_use l WHERE l.class_code = '1101' AND ST_Intersects(l.geom, w.geom)) classed
        FROM water w WHERE w.kind = 'river'
      UNION ALL
      SELECT 'military', sum(ST_Area(m.geom)),
             (SELECT sum(ST_Area(ST_Intersection(l.geom, u.g))) FROM land_use l, (SELECT ST_Union(geom) g FROM military_land) u
               WHERE l.class_code = '0901' AND ST_Intersects(l.geom, u.g))
        FROM military_land m`);
    for (const r of rows) expect(Math.abs(r.classed - r.total) / r.total, r.what).toBeLessThan(SNAPPED);
    const city = await pool.query<{ code: string }>(`
      SELECT DISTINCT substr(l.class_code, 1, 2) code FROM land_use l JOIN built_up b ON b.name = '贵城老城区'
       WHERE ST_Intersects(l.geom, b.geom) AND ST_Area(ST_Intersection(l.geom, b.geom)::geography) > 1`);
    // inside the old town: buildings (05–08), roads (10), the lake (11)
    expect(city.rows.map((r) => r.code).filter((c) => !['05', '06', '07', '08', '10', '11'].includes(c))).toEqual([]);
  });

  it('keeps each field’s own class where no road crosses it, and the rest of its plot 田坎', async () => {
    const { rows } = await pool.query<{ fields: number; kept: number; ridges: number }>(`
      WITH f AS (SELECT f.geom, f.land_class FROM farmland f
                  WHERE NOT EXISTS (SELECT 1 FROM land_use l WHERE l.class_code LIKE '10%' AND ST_Intersects(l.geom, f.geom))
                  ORDER BY f.id LIMIT 200)
      SELECT sum(ST_Area(f.geom)) fields,
             sum((SELECT sum(ST_Area(ST_Intersection(l.geom, f.geom))) FROM land_use l WHERE l.class_code = f.land_class AND ST_Intersects(l.geom, f.geom))) kept,
             (SELECT count(*) FROM land_use WHERE class_code = '1203')::int ridges
        FROM f`);
    expect(Math.abs(rows[0].kept - rows[0].fields) / rows[0].fields).toBeLessThan(SNAPPED);
    expect(rows[0].ridges).toBeGreaterThan(0);
  });
});

describe('三区三线 of the demo', () => {
  it('never overlap: the ecological red line (clear of every field), 永久基本农田 and the urban development boundary', async () => {
    const { rows } = await pool.query<{ pair: string; m2: number }>(`
      WITH pbf AS (SELECT geom FROM farmland WHERE kind = 'permanent_basic')
      SELECT 'eco×pbf' pair, coalesce(sum(ST_Area(ST_Intersection(e.geom, p.geom)::geography)), 0) m2 FROM eco_redline e JOIN pbf p ON ST_Intersects(e.geom, p.geom)
      UNION ALL SELECT 'urban×pbf', coalesce(sum(ST_Area(ST_Intersection(u.geom, p.geom)::geography)), 0) FROM urban_boundary u JOIN pbf p ON ST_Intersects(u.geom, p.geom)
      UNION ALL SELECT 'eco×cane base', coalesce(sum(ST_Area(ST_Intersection(e.geom, c.geom)::geography)), 0) FROM eco_redline e JOIN cane_base c ON ST_Intersects(e.geom, c.geom)
      UNION ALL SELECT 'urban×eco', coalesce(sum(ST_Area(ST_Intersection(u.geom, e.geom)::geography)), 0) FROM urban_boundary u JOIN eco_redline e ON ST_Intersects(u.geom, e.geom)`);
    for (const r of rows) expect(r.m2, r.pair).toBeLessThan(0.01);
  });

  it('runs the ecological red line along the river’s rural reaches and the hills, and the boundary round the city', async () => {
    const eco = await pool.query<{ name: string }>('SELECT name FROM eco_redline ORDER BY code');
    expect(eco.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['郁江（西段）水源涵养生态保护红线', '猫儿山水土保持生态保护红线']));
    const { rows } = await pool.query<{ inside: boolean }>(`
      SELECT ST_Covers(u.geom, ST_PointOnSurface(b.geom)) inside FROM urban_boundary u, built_up b
       WHERE u.name = '中心城区城镇开发边界' AND b.name IN ('贵城老城区', '港城片区', '江南片区')`);
    expect(rows.map((r) => r.inside)).toEqual([true, true, true]);
  });
});
