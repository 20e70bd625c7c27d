// POST /api/conflicts on the demo district: stored red lines, the response's conventions, options, and
// every kind of bad input answered 4xx with a reason.
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();

const square = (x: number, y: number, d: number) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });

async function projectWith(table: string, column = 'geom'): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT p.id FROM project p WHERE p.red_line IS NOT NULL AND EXISTS (SELECT 1 FROM ${table} c WHERE ST_Intersects(c.${column}, p.red_line)
       AND ST_Area(ST_Intersection(c.${column}, p.red_line)::geography) > 100) ORDER BY p.id LIMIT 1`);
  return rows[0].id;
}

describe('POST /api/conflicts with a stored project', () => {
  it('totals a project’s cane-base overlaps as PostGIS geography measures them', async () => {
    const id = await projectWith('cane_base');
    const { status, body } = await postJson('/api/conflicts', { projectId: id });
    expect(status).toBe(200);
    const { rows } = await pool.query<{ m2: number }>(
      `SELECT coalesce(sum(ST_Area(ST_Intersection(c.geom, p.red_line)::geography)), 0) m2 FROM cane_base c, project p
        WHERE p.id = $1 AND ST_Intersects(c.geom, p.red_line) AND ST_Area(ST_Intersection(c.geom, p.red_line)::geography) >= 1`, [id]);
    const cane = body.layers.find((l: any) => l.id === 'cane_base');
    expect(cane.total.ellipsoidal.m2).toBeCloseTo(rows[0].m2, 3);
  });

  it('says which figure is ellipsoidal and which planar, and in which zone', async () => {
    const { body } = await postJson('/api/conflicts', { projectId: await projectWith('cane_base') });
    expect(body.authoritative).toBe(true);
    expect(body.convention.ellipsoidal).toMatch(/椭球.*GRS80/);
    expect(body.convention.planar).toContain(`第 ${body.convention.zone} 带`);
    expect(body.convention.zoneSource).toBe('centroid');
    expect(body.convention.zone).toBe(Math.round(body.redLine.centroid[0] / 3));
  });

  it('never lists the project’s own red line among other projects', async () => {
    const id = await projectWith('cane_base');
    const { body } = await postJson('/api/conflicts', { projectId: id });
    const others = body.layers.find((l: any) => l.id === 'red_line');
    expect(others.features.map((f: any) => f.id)).not.toContain(id);
  });

  it('gives the planar figure 3–9 m² per hectare above the ellipsoidal one', async () => {
    const { body } = await postJson('/api/conflicts', { projectId: await projectWith('cane_base') });
    const perHa = (body.redLine.area.planar.m2 - body.redLine.area.ellipsoidal.m2) / body.redLine.area.ellipsoidal.hectare;
    expect(perHa).toBeGreaterThan(2);
    expect(perHa).toBeLessThan(10);
  });

  it('marks military land’s sensitive attributes', async () => {
    const id = await projectWith('military_land');
    const { body } = await postJson('/api/conflicts', { projectId: id });
    const mil = body.layers.find((l: any) => l.id === 'military_land');
    expect(mil.count).toBeGreaterThan(0);
    expect(mil.sensitive).toEqual(expect.arrayContaining(['name', 'unit', 'use', 'notes']));
  });

  it('answers 404 for an unknown project', async () => {
    const { status, body } = await postJson('/api/conflicts', { projectId: 987654 });
    expect(status).toBe(404);
    expect(body.error).toBe('not_found');
  });

  it('answers 422 for a project with no red line yet', async () => {
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM project WHERE red_line IS NULL LIMIT 1');
    const { status, body } = await postJson('/api/conflicts', { projectId: rows[0].id });
    expect(status).toBe(422);
    expect(body.error).toBe('no_red_line');
  });
});

describe('POST /api/conflicts with a geometry', () => {
  it('takes a GeoJSON Feature as the body, sent as application/geo+json', async () => {
    const feature = { type: 'Feature', properties: {}, geometry: square(109.6, 23.1, 0.005) };
    const { status, body } = await postJson('/api/conflicts', JSON.stringify(feature), 'application/geo+json');
    expect(status).toBe(200);
    expect(body.redLine.source).toBe('geometry');
  });

  it('uses the zone the request names', async () => {
    const { body } = await postJson('/api/conflicts', { geometry: square(109.6, 23.1, 0.005), zone: 36 });
    expect(body.convention.zone).toBe(36);
    expect(body.convention.zoneSource).toBe('override');
  });

  it('takes lat/lon pairs (EPSG axis order) for the same red line', async () => {
    const ll = square(109.6, 23.1, 0.005);
    const swapped = { type: 'Polygon', coordinates: [ll.coordinates[0].map(([x, y]) => [y, x])] };
    const a = await postJson('/api/conflicts', { geometry: ll });
    const b = await postJson('/api/conflicts', { geometry: swapped, crs: 'EPSG:4490' });
    expect(b.body.redLine.axesSwapped).toBe(true);
    expect(b.body.redLine.area.ellipsoidal.m2).toBeCloseTo(a.body.redLine.area.ellipsoidal.m2, 4);
  });

  it('moves overlaps under a larger tolerance into the slivers', async () => {
    const id = await projectWith('cane_base');
    const { body } = await postJson('/api/conflicts', { projectId: id, toleranceM2: 1e9 });
    const cane = body.layers.find((l: any) => l.id === 'cane_base');
    expect(cane.count).toBe(0);
    expect(cane.total.ellipsoidal.m2).toBe(0);
    expect(cane.slivers.length).toBeGreaterThan(0);
  });

  it('refuses a self-intersecting red line with the reason', async () => {
    const bowtie = { type: 'Polygon', coordinates: [[[109.6, 23.1], [109.61, 23.11], [109.61, 23.1], [109.6, 23.11], [109.6, 23.1]]] };
    const { status, body } = await postJson('/api/conflicts', { geometry: bowtie });
    expect(status).toBe(422);
    expect(body.error).toBe('invalid_geometry');
    expect(body.message).toMatch(/Self-intersection/i);
  });

  it('repairs a self-intersecting red line with ST_MakeValid when asked', async () => {
    const bowtie = { type: 'Polygon', coordinates: [[[109.6, 23.1], [109.61, 23.11], [109.61, 23.1], [109.6, 23.11], [109.6, 23.1]]] };
    const { status, body } = await postJson('/api/conflicts', { geometry: bowtie, makeValid: true });
    expect(status).toBe(200);
    expect(body.redLine.repaired).toBe(true);
    expect(body.redLine.area.ellipsoidal.m2).toBeGreaterThan(0);
  });

  it('refuses a ring that is not closed', async () => {
    const open = { type: 'Polygon', coordinates: [[[109.6, 23.1], [109.61, 23.1], [109.61, 23.11], [109.6, 23.11]]] };
    const { status, body } = await postJson('/api/conflicts', { geometry: open });
    expect(status).toBe(400);
    expect(body.message).toMatch(/not closed/);
  });

  it('refuses an empty geometry', async () => {
    const { status, body } = await postJson('/api/conflicts', { geometry: { type: 'MultiPolygon', coordinates: [] } });
    expect(status).toBe(400);
    expect(body.error).toBe('empty_geometry');
  });

  it('refuses a red line outside the district', async () => {
    const { status, body } = await postJson('/api/conflicts', { geometry: square(108.3, 22.8, 0.01) });
    expect(status).toBe(422);
    expect(body.error).toBe('outside_district');
  });

  it('refuses a red line running beyond the district', async () => {
    const { status, body } = await postJson('/api/conflicts', { geometry: square(109.89, 23.0, 0.05) });
    expect(status).toBe(422);
    expect(body.message).toMatch(/beyond/);
  });

  it('refuses 100,000 vertices or more', async () => {
    const n = 100_000;
    const ring = Array.from({ length: n - 1 }, (_, i) => {
      const a = (2 * Math.PI * i) / (n - 1);
      return [109.6 + 0.01 * Math.cos(a), 23.1 + 0.01 * Math.sin(a)];
    });
    ring.push(ring[0]);
    const { status, body } = await postJson('/api/conflicts', { geometry: { type: 'Polygon', coordinates: [ring] } });
    expect(status).toBe(413);
    expect(body.error).toBe('too_many_vertices');
  });

  it('refuses a line instead of a polygon', async () => {
    const { status, body } = await postJson('/api/conflicts', { geometry: { type: 'LineString', coordinates: [[109.6, 23.1], [109.61, 23.1]] } });
    expect(status).toBe(400);
    expect(body.message).toMatch(/Polygon or MultiPolygon/);
  });

  it('refuses a CRS it does not know', async () => {
    const { status, body } = await postJson('/api/conflicts', { geometry: square(109.6, 23.1, 0.005), crs: 'EPSG:2000' });
    expect(status).toBe(400);
    expect(body.error).toBe('bad_crs');
  });

  it('refuses Gauss–Krüger coordinates whose eastings carry another zone', async () => {
    const gk = { type: 'Polygon', coordinates: [[[36400000, 2550000], [36400100, 2550000], [36400100, 2550100], [36400000, 2550100], [36400000, 2550000]]] };
    const { status, body } = await postJson('/api/conflicts', { geometry: gk, crs: 'EPSG:4525' });
    expect(status).toBe(400);
    expect(body.error).toBe('bad_crs');
  });

  it('refuses a request with neither geometry nor project', async () => {
    const { status, body } = await postJson('/api/conflicts', { zone: 37 });
    expect(status).toBe(400);
    expect(body.message).toMatch(/no red line/);
  });
});
