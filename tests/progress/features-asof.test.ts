// GET /api/progress/features (issue #17, the main map as of a date): each parcel's / house's status
// then, for the features in a bbox, against SQL written here over change_log itself (the truth the
// progress tables are derived from): per feature its latest entry before the end of the Beijing day,
// none or a delete meaning "not on record". A parcel of the demo whose status changed is checked the
// day before its change and on the day of it; a whole project's parcels and houses at past dates; a
// limit; bad input; and who may read it.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

interface Answer { layer: string; asOf: string; truncated: boolean; features: [number, string | null][] }

/** the statuses at the end of Beijing day `asOf` of the features of `layer` meeting a bbox, straight from change_log */
async function byHand(layer: 'parcel' | 'house', asOf: string, bbox: number[]): Promise<[number, string][]> {
  const { rows } = await pool.query<{ id: number; status: string }>(
    `SELECT f.id::int AS id, last.after->>'status' AS status
       FROM ${layer} f
       JOIN LATERAL (
         SELECT c.op, c.after FROM change_log c
          WHERE c.layer = $1 AND c.feature_id = f.id AND c.changed_at < timezone('UTC', ($2::date + 1)::timestamp - interval '8 hours')
          ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) last ON last.op <> 'delete'
      WHERE f.geom && ST_MakeEnvelope($3, $4, $5, $6, 4490)
      ORDER BY f.id`,
    [layer, asOf, ...bbox],
  );
  return rows.map((r) => [r.id, r.status]);
}

const beijingDay = (t: Date) => new Date(t.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

let changed: { id: number; from: string; to: string; day: string; bbox: number[] };
let project: { id: number; bbox: number[] };

beforeAll(async () => {
  // a demo parcel whose status changed (from one entry to the next), and the day of that change
  const { rows } = await pool.query(
    `SELECT c.feature_id::int AS id, prev.status AS from, c.after->>'status' AS to, c.changed_at,
            ST_XMin(p.geom) x0, ST_YMin(p.geom) y0, ST_XMax(p.geom) x1, ST_YMax(p.geom) y1
       FROM change_log c
       JOIN parcel p ON p.id = c.feature_id
       JOIN LATERAL (SELECT d.after->>'status' AS status, d.changed_at FROM change_log d
                      WHERE d.layer = 'parcel' AND d.feature_id = c.feature_id AND d.changed_at < c.changed_at
                      ORDER BY d.changed_at DESC, d.id DESC LIMIT 1) prev ON true
      WHERE c.layer = 'parcel' AND c.op = 'update' AND prev.status IS DISTINCT FROM c.after->>'status'
        -- the previous entry a day or more before, so the day before the change shows it
        AND prev.changed_at < c.changed_at - interval '2 days' AND c.changed_at < now() - interval '2 days'
        -- the only entry of its Beijing day
        AND NOT EXISTS (SELECT 1 FROM change_log e WHERE e.layer = 'parcel' AND e.feature_id = c.feature_id AND e.id <> c.id
                         AND abs(extract(epoch FROM e.changed_at - c.changed_at)) < 86400 * 2)
      ORDER BY c.changed_at LIMIT 1`,
  );
  if (!rows.length) throw new Error('the demo data has no parcel whose status changed');
  const r = rows[0];
  changed = { id: r.id, from: r.from, to: r.to, day: beijingDay(r.changed_at), bbox: [r.x0, r.y0, r.x1, r.y1] };
  const p = (await pool.query(
    `SELECT j.id, ST_XMin(j.red_line) x0, ST_YMin(j.red_line) y0, ST_XMax(j.red_line) x1, ST_YMax(j.red_line) y1
       FROM project j WHERE j.id = (SELECT project_id FROM parcel WHERE id = $1)`, [changed.id])).rows[0];
  project = { id: p.id, bbox: [p.x0, p.y0, p.x1, p.y1] };
});

const url = (layer: string, asOf: string, bbox: number[], extra = '') =>
  `/api/progress/features?layer=${layer}&asOf=${asOf}&bbox=${bbox.map((v) => v.toFixed(7)).join(',')}${extra}`;

describe('GET /api/progress/features: statuses as of a date', () => {
  it('a parcel whose status changed has its old status the day before and its new one on the day', async () => {
    expect(changed.from).not.toBe(changed.to);
    const before = (await getJson<Answer>(url('parcel', dayBefore(changed.day), changed.bbox))).body;
    const on = (await getJson<Answer>(url('parcel', changed.day, changed.bbox))).body;
    const statusOf = (a: Answer) => a.features.find(([id]) => id === changed.id)?.[1];
    expect(statusOf(before)).toBe(changed.from);
    expect(statusOf(on)).toBe(changed.to);
    expect(before.asOf).toBe(dayBefore(changed.day));
    expect(before.layer).toBe('parcel');
  });

  it("a project's parcels and houses at past dates equal the hand-written SQL over change_log", async () => {
    const dates = ['2020-06-30', dayBefore(changed.day), changed.day, '2022-03-31'];
    let seen = 0;
    for (const layer of ['parcel', 'house'] as const) {
      for (const asOf of dates) {
        const { status, body } = await getJson<Answer>(url(layer, asOf, project.bbox));
        expect(status).toBe(200);
        expect(body.truncated).toBe(false);
        expect(body.features, `${layer} ${asOf}`).toEqual(await byHand(layer, asOf, project.bbox));
        seen += body.features.length;
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('features not on record at the date are left out; at today every feature in the box is there', async () => {
    const today = beijingDay(new Date());
    const now = (await getJson<Answer>(url('parcel', today, project.bbox))).body;
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM parcel WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)`, project.bbox);
    expect(now.features.length).toBe(rows[0].n);
    // the day before the box's last parcel entered the register, that parcel is not there
    const { rows: [last] } = await pool.query(
      `SELECT f.id::int AS id, (SELECT min(c.changed_at) FROM change_log c WHERE c.layer = 'parcel' AND c.feature_id = f.id) AS entered
         FROM parcel f WHERE f.geom && ST_MakeEnvelope($1, $2, $3, $4, 4490) ORDER BY 2 DESC LIMIT 1`, project.bbox);
    const before = (await getJson<Answer>(url('parcel', dayBefore(beijingDay(last.entered)), project.bbox))).body.features;
    expect(before.map(([id]) => id)).not.toContain(last.id);
    expect(before.length).toBeLessThan(now.features.length);
    const on = (await getJson<Answer>(url('parcel', beijingDay(last.entered), project.bbox))).body.features;
    expect(on.map(([id]) => id)).toContain(last.id);
  });

  it('is bounded: a limit gives the first features by id and says it truncated', async () => {
    const all = (await getJson<Answer>(url('parcel', '2022-03-31', project.bbox))).body.features;
    expect(all.length).toBeGreaterThan(3);
    const some = (await getJson<Answer>(url('parcel', '2022-03-31', project.bbox, '&limit=3'))).body;
    expect(some.truncated).toBe(true);
    expect(some.features).toEqual(all.slice(0, 3));
    const exact = (await getJson<Answer>(url('parcel', '2022-03-31', project.bbox, `&limit=${all.length}`))).body;
    expect(exact.truncated).toBe(false);
  });

  it('refuses bad input with the error contract', async () => {
    const bad = async (u: string, field: string) => {
      const { status, body } = await getJson(u);
      expect(status, u).toBe(400);
      expect(body.error, u).toBe('invalid_input');
      expect(JSON.stringify(body), u).toContain(field);
    };
    await bad(url('parcel', '2021-02-30', project.bbox), 'asOf');
    await bad('/api/progress/features?layer=parcel&asOf=2021-06-30&bbox=1,2,3', 'bbox');
    await bad('/api/progress/features?layer=parcel&asOf=2021-06-30&bbox=110,23,109,24', 'bbox');
    await bad(url('farmland', '2021-06-30', project.bbox), 'layer');
    await bad('/api/progress/features?layer=parcel&asOf=2021-06-30', 'bbox');
  });

  it('goes through the access policy and the release rule: readers get ids and statuses, nothing else; no session, no answer', async () => {
    const u = url('parcel', '2022-03-31', project.bbox);
    const viewer = await getJson<Answer>(u, 'viewer');
    const granted = await getJson<Answer>(u, 'tester');
    expect(viewer.status).toBe(200);
    // status is no sensitive column: the same answer with and without the military grant
    expect(viewer.body).toEqual(granted.body);
    expect(Object.keys(viewer.body).sort()).toEqual(['asOf', 'features', 'layer', 'truncated']);
    for (const f of viewer.body.features) {
      expect(f).toHaveLength(2);
      expect(Number.isInteger(f[0])).toBe(true);
    }
    expect((await api(u, { who: 'norole' })).status).toBe(403);
  });
});
