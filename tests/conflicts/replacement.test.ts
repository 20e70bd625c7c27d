// POST /api/conflicts/replacement: farmland to replace the cane-base land a red line takes (调整置换地).
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();
let projectId: number;
let body: any;

beforeAll(async () => {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT p.id FROM project p WHERE p.red_line IS NOT NULL AND EXISTS (SELECT 1 FROM cane_base c WHERE ST_Intersects(c.geom, p.red_line)
       AND ST_Area(ST_Intersection(c.geom, p.red_line)::geography) > 100) ORDER BY p.id LIMIT 1`);
  projectId = rows[0].id;
  const res = await postJson('/api/conflicts/replacement', { projectId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  body = res.body;
});

describe('replacement land', () => {
  it('proposes candidates whose total reaches the cane-base area taken', () => {
    expect(body.required.ellipsoidal.m2).toBeGreaterThan(0);
    expect(body.reached).toBe(true);
    expect(body.proposed.ellipsoidal.m2).toBeGreaterThanOrEqual(body.required.ellipsoidal.m2);
    const sum = body.candidates.reduce((s: number, c: any) => s + c.area.ellipsoidal.m2, 0);
    expect(sum).toBeCloseTo(body.proposed.ellipsoidal.m2, 6);
  });

  it('stops at the first candidate that reaches the area', () => {
    const beforeLast = body.candidates.at(-2)?.cumulativeM2 ?? 0;
    expect(beforeLast).toBeLessThan(body.required.ellipsoidal.m2);
  });

  it('orders candidates nearest first to the bases taken', () => {
    const d = body.candidates.map((c: any) => c.distanceM);
    expect(d).toEqual([...d].sort((a, b) => a - b));
  });

  it('proposes only fields clear of every red line, constraint and cane base', async () => {
    const ids = body.candidates.map((c: any) => c.id);
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int n FROM farmland f WHERE f.id = ANY($1::int[]) AND (
         EXISTS (SELECT 1 FROM project p WHERE ST_Intersects(p.red_line, f.geom))
         OR EXISTS (SELECT 1 FROM cane_base c WHERE ST_Intersects(c.geom, f.geom))
         OR EXISTS (SELECT 1 FROM military_land c WHERE ST_Intersects(c.geom, f.geom))
         OR EXISTS (SELECT 1 FROM disputed_land c WHERE ST_Intersects(c.geom, f.geom))
         OR EXISTS (SELECT 1 FROM reserved_land c WHERE ST_Intersects(c.geom, f.geom))
         OR EXISTS (SELECT 1 FROM resettlement_site c WHERE ST_Intersects(c.geom, f.geom)))`, [ids]);
    expect(rows[0].n).toBe(0);
  });

  it('never proposes a field the planner dropped', async () => {
    const dropped = body.candidates.slice(0, 2).map((c: any) => c.id);
    const { body: again } = await postJson('/api/conflicts/replacement', { projectId, excludeIds: dropped });
    expect(again.candidates.map((c: any) => c.id)).not.toContain(dropped[0]);
    expect(again.candidates.map((c: any) => c.id)).not.toContain(dropped[1]);
    expect(again.reached).toBe(true);
  });

  it('proposes nothing when the red line takes no cane base', async () => {
    const { body: none } = await postJson('/api/conflicts/replacement', {
      geometry: { type: 'Polygon', coordinates: [[[109.213, 22.701], [109.214, 22.701], [109.214, 22.702], [109.213, 22.702], [109.213, 22.701]]] },
    });
    expect(none.required.ellipsoidal.m2).toBe(0);
    expect(none.candidates).toEqual([]);
    expect(none.reached).toBe(true);
  });
});
