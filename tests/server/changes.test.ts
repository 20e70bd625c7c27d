// The change stream (GET /api/changes): a write through the API reaches every open stream with the
// feature's layer, id, version and place, and the red line derived from it; a reader who reconnects
// with Last-Event-ID is sent what it missed, or told to refresh everything; a military land's change
// carries nothing of its attributes; a response ends after maxSeconds.
import { describe, expect, it } from 'vitest';
import type { LayerChangeEvent } from '../../geo/api.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { openStream, type SseEvent } from '../helpers/sse.ts';

const pool = useTestPool();

async function patch(layer: string, id: number, properties: Record<string, unknown>): Promise<number> {
  const { rows } = await pool.query(`SELECT version FROM "${layer}" WHERE id = $1`, [id]);
  const res = await api(`/ogc/collections/${layer}/items/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${rows[0].version}"` },
    body: JSON.stringify({ properties }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return rows[0].version + 1;
}

const change = (e: SseEvent): LayerChangeEvent => JSON.parse(e.data);
const isChange = (layer: string, id: number) => (e: SseEvent) => e.event === 'change' && change(e).layer === layer && change(e).id === id;

async function someParcel() {
  const { rows: [p] } = await pool.query(
    `SELECT id, project_id, paid_yuan, ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, ST_YMax(geom) y1
       FROM parcel WHERE project_id IS NOT NULL AND status = 'signed' ORDER BY id LIMIT 1`);
  return p;
}

describe('GET /api/changes', () => {
  it('sends a feature write to an open stream: layer, id, new version, its place, and its red line', async () => {
    const stream = await openStream('/api/changes', { who: 'viewer' });
    try {
      expect(stream.status).toBe(200);
      await stream.next((e) => e.event === 'hello');
      const p = await someParcel();
      const version = await patch('parcel', p.id, { paid_yuan: Number(p.paid_yuan) + 1 });
      const own = change(await stream.next(isChange('parcel', p.id)));
      expect(own).toMatchObject({ layer: 'parcel', id: p.id, version, op: 'update' });
      // the box covers the parcel (lon/lat, rounded outward)
      const [w, s, e, n] = own.bbox!;
      expect(w).toBeLessThanOrEqual(p.x0);
      expect(s).toBeLessThanOrEqual(p.y0);
      expect(e).toBeGreaterThanOrEqual(p.x1);
      expect(n).toBeGreaterThanOrEqual(p.y1);
      expect(e - w).toBeLessThan(p.x1 - p.x0 + 0.001);
      const derived = change(await stream.next(isChange('red_line', p.project_id)));
      expect(derived).toMatchObject({ op: 'derived', version: null });
      await patch('parcel', p.id, { paid_yuan: Number(p.paid_yuan) });
    } finally {
      stream.close();
    }
  });

  it('sends a procedure step or quota entry as a change of its project\'s red line (the procedure board follows)', async () => {
    const stream = await openStream('/api/changes', { who: 'viewer' });
    try {
      await stream.next((e) => e.event === 'hello');
      const { rows: [p] } = await pool.query(`SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1`);
      const res = await api(`/api/projects/${p.id}/quotas`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'construction', source: 'annual_plan', mu: 1.5, docNo: '贵国土指〔2026〕测试' }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const quota = await res.json();
      const derived = change(await stream.next(isChange('red_line', p.id)));
      expect(derived).toMatchObject({ op: 'derived', version: null });
      expect(derived.bbox).toHaveLength(4);
      await api(`/api/projects/${p.id}/quotas/${quota.id}`, { method: 'DELETE' });
    } finally {
      stream.close();
    }
  });

  it('resumes with Last-Event-ID: what was missed comes first', async () => {
    const first = await openStream('/api/changes');
    const hello = await first.next((e) => e.event === 'hello');
    first.close();
    // a witness stays connected, to know when the server has the change
    const witness = await openStream('/api/changes');
    await witness.next((e) => e.event === 'hello');
    const p = await someParcel();
    await patch('parcel', p.id, { paid_yuan: Number(p.paid_yuan) + 2 });
    await witness.next(isChange('parcel', p.id));
    witness.close();
    const again = await openStream('/api/changes', { lastEventId: hello.id });
    try {
      const missed = await again.next(isChange('parcel', p.id));
      const helloAgain = await again.next((e) => e.event === 'hello');
      expect(again.events.indexOf(missed)).toBeLessThan(again.events.indexOf(helloAgain));
      expect(again.events.some((e) => e.event === 'reset')).toBe(false);
    } finally {
      again.close();
      await patch('parcel', p.id, { paid_yuan: Number(p.paid_yuan) });
    }
  });

  it('says reset to a Last-Event-ID it cannot resume from (another process, or before a restart)', async () => {
    const stream = await openStream('/api/changes', { lastEventId: '0badcafe-12' });
    try {
      await stream.next((e) => e.event === 'reset');
      expect(stream.events[0].event).toBe('reset');
    } finally {
      stream.close();
    }
  });

  it('carries no attribute of a military land to a reader without the grant', async () => {
    const { rows: [m] } = await pool.query(`SELECT id, code, name, unit, use, notes FROM military_land ORDER BY id LIMIT 1`);
    const stream = await openStream('/api/changes', { who: 'viewer' });
    try {
      await stream.next((e) => e.event === 'hello');
      await patch('military_land', m.id, { code: `${m.code}-S` });
      const e = await stream.next(isChange('military_land', m.id));
      expect(Object.keys(change(e)).sort()).toEqual(['bbox', 'id', 'layer', 'op', 'version']);
      for (const secret of [m.name, m.unit, m.use, m.notes, `${m.code}-S`]) expect(e.data).not.toContain(secret);
    } finally {
      stream.close();
      await patch('military_land', m.id, { code: m.code });
    }
  });

  it('ends the response after maxSeconds, and refuses anonymous readers', async () => {
    const stream = await openStream('/api/changes?maxSeconds=1');
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['hello']);
    expect((await api('/api/changes', { who: null })).status).toBe(401);
  });
});
