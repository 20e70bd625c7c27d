// One write path: an import is a batch through the same checks as the feature API (writer role,
// grant, area scope, workflow, version), previews belong to their uploader and expire, and the problem
// log releases military text only with the grant. Each case here is one the drift allowed before.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

async function upload(who: string, layer: string, features: unknown[], fields: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('layer', layer);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([fc(features)]), `${layer}.geojson`);
  const res = await api('/api/import', { who, method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

async function commit(who: string, id: number): Promise<{ status: number; body: any }> {
  const res = await api(`/api/import/${id}/commit`, { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { status: res.status, body: await res.json() };
}

/** A parcel as it is stored, as a GeoJSON feature an import file would carry. */
async function parcelFeature(where: string, props: Record<string, unknown> = {}): Promise<{ id: number; code: string; version: number; feature: unknown }> {
  const { rows: [r] } = await pool.query(`SELECT p.id, p.code, p.version, ST_AsGeoJSON(p.geom)::json AS g FROM parcel p WHERE ${where} ORDER BY p.id LIMIT 1`);
  return { id: r.id, code: r.code, version: r.version, feature: { type: 'Feature', geometry: r.g, properties: { code: r.code, ...props } } };
}

const IN_AREA_1 = `EXISTS (SELECT 1 FROM command_area a WHERE a.id = 1 AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom)))`;

/** What a refused commit must leave as it was. */
async function fingerprint(): Promise<string> {
  const { rows } = await pool.query(`SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM change_log) AS history,
    (SELECT sum(version) FROM parcel) AS parcels, (SELECT sum(version) FROM project) AS projects,
    (SELECT count(*) FROM import_batch WHERE status = 'committed') AS committed`);
  return JSON.stringify(rows[0]);
}

describe('an import is a batch through the write path', () => {
  it('the land bureau cannot import a planner\'s red line (403 on upload, nothing stored)', async () => {
    const { rows: [p] } = await pool.query(`SELECT code, ST_AsGeoJSON(red_line)::json AS g FROM project WHERE code = 'XM2021-002'`);
    const before = await fingerprint();
    const res = await upload('bureau', 'red_line', [{ type: 'Feature', geometry: p.g, properties: { code: p.code, name: '改名' } }]);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'forbidden', params: { layer: 'red_line', role: 'planner' } });
    expect(await fingerprint()).toBe(before);
  });

  it('a parcel cannot jump from 未签约 to 已交地 by import (422 import_refused naming the feature)', async () => {
    const p = await parcelFeature(`p.status = 'unsigned'`, { status: '已交地' });
    const res = await upload('tester', 'parcel', [p.feature]);
    expect(res.status).toBe(201);
    expect(res.body.counts.errors).toBe(0);
    const before = await fingerprint();
    const done = await commit('tester', res.body.id);
    expect(done.status).toBe(422);
    expect(done.body).toMatchObject({ error: 'import_refused', params: { count: 1, refused: [{ ref: 'feature 1', error: 'status_transition', field: 'status' }] } });
    expect(done.body.params.refused[0].params).toMatchObject({ from: 'unsigned', to: 'handed_over' });
    expect(await fingerprint()).toBe(before);
  });

  it('an editor cannot change a parcel outside their command area by import (out_of_scope, nothing written)', async () => {
    const outside = await parcelFeature(`NOT ${IN_AREA_1}`, { owner_name: '越界修改' });
    const inside = await parcelFeature(`${IN_AREA_1}`, { owner_name: '区内修改' });
    const res = await upload('editor', 'parcel', [inside.feature, outside.feature]);
    expect(res.status).toBe(201);
    const before = await fingerprint();
    const done = await commit('editor', res.body.id);
    expect(done.status).toBe(422);
    expect(done.body.params.refused).toEqual([expect.objectContaining({ ref: 'feature 2', error: 'out_of_scope' })]);
    expect(await fingerprint()).toBe(before);
    // the editor's own area alone goes through, recorded under the editor
    const ok = await upload('editor', 'parcel', [inside.feature]);
    expect((await commit('editor', ok.body.id)).status).toBe(200);
    const { rows } = await pool.query(`SELECT owner_name, updated_by FROM parcel WHERE id = $1`, [inside.id]);
    expect(rows[0]).toEqual({ owner_name: '区内修改', updated_by: 'editor' });
  });

  it('an edit made after the preview is not overwritten (412 import_stale)', async () => {
    const p = await parcelFeature(`p.status = 'unsigned'`, { owner_name: '导入的名字' });
    const res = await upload('tester', 'parcel', [p.feature]);
    expect(res.status).toBe(201);
    const patch = await api(`/ogc/collections/parcel/items/${p.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${p.version}"` },
      body: JSON.stringify({ properties: { owner_name: '后来的编辑' } }),
    });
    expect(patch.status).toBe(200);
    const done = await commit('tester', res.body.id);
    expect(done.status).toBe(412);
    expect(done.body).toMatchObject({ error: 'import_stale', params: { refused: [{ error: 'stale_version' }] } });
    expect((await pool.query(`SELECT owner_name FROM parcel WHERE id = $1`, [p.id])).rows[0].owner_name).toBe('后来的编辑');
  });

  it('a red line\'s approval is not imported: the procedure records it (unmapped, and refused if mapped by hand)', async () => {
    const { rows: [p] } = await pool.query(`SELECT id, code, ST_AsGeoJSON(red_line)::json AS g FROM project WHERE approval_stage = 'submitted' AND red_line IS NOT NULL ORDER BY id LIMIT 1`);
    const feature = { type: 'Feature', geometry: p.g, properties: { code: p.code, approval_stage: 'approved', approval_doc_no: '桂政土批〔2026〕99号' } };
    const mapped = await upload('tester', 'red_line', [feature], { mapping: JSON.stringify({ approval_stage: 'approval_stage' }) });
    expect(mapped.status).toBe(422);
    expect(mapped.body).toMatchObject({ error: 'procedure_owned', params: { field: 'approval_stage', step: 'application' } });
    const res = await upload('tester', 'red_line', [feature]);
    expect(res.status).toBe(201);
    expect(res.body.mapping).toMatchObject({ approval_stage: null, approval_doc_no: null });
    expect((await commit('tester', res.body.id)).status).toBe(200);
    const { rows } = await pool.query(`SELECT approval_stage, approval_doc_no FROM project WHERE id = $1`, [p.id]);
    expect(rows[0]).toEqual({ approval_stage: 'submitted', approval_doc_no: null });
  });

  it('values from the file are checked like the feature API\'s (an unknown owner type is refused, not stored)', async () => {
    const p = await parcelFeature(`p.status = 'unsigned'`, { owner_type: '外星人' });
    const res = await upload('tester', 'parcel', [p.feature]);
    const done = await commit('tester', res.body.id);
    expect(done.status).toBe(422);
    expect(done.body.params.refused[0]).toMatchObject({ error: 'wrong_value', field: 'owner_type' });
  });
});

/** The progress tables as they stand, and as a rebuild from the whole history makes them (rolled back). */
async function progressNowAndRebuilt(): Promise<[string, string]> {
  const measures = ['n', 'n_unsigned', 'n_signed', 'n_paid', 'n_handed_over', 'n_court', 'area_mm2', 'area_signed_mm2', 'area_done_mm2', 'agreed_fen', 'paid_fen', 'unpaid_fen'];
  const snapshot = async () => JSON.stringify((await pool.query(`SELECT grain, period, project_id, kind, ${measures.join(', ')} FROM progress_delta
    WHERE ${measures.map((m) => `${m} <> 0`).join(' OR ')} ORDER BY grain, period, project_id, kind`)).rows);
  await pool.query('BEGIN');
  try {
    const now = await snapshot();
    await pool.query('SELECT zs_progress_rebuild()');
    return [now, await snapshot()];
  } finally {
    await pool.query('ROLLBACK');
  }
}

describe('an import\'s history reaches the progress figures', () => {
  it('after a batch of status changes and a new parcel, the figures equal a rebuild from the history', async () => {
    const { rows } = await pool.query(`SELECT p.code, p.project_id, ST_AsGeoJSON(p.geom)::json AS g FROM parcel p WHERE p.status = 'unsigned' ORDER BY p.id DESC LIMIT 3`);
    const features = rows.map((r) => ({ type: 'Feature', geometry: r.g, properties: { code: r.code, status: '已签约', agreed_compensation_yuan: 12345 } }));
    const square = [[[109.705, 23.05], [109.7055, 23.05], [109.7055, 23.0505], [109.705, 23.0505], [109.705, 23.05]]];
    features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: square } as any, properties: { code: `PROG-${Date.now()}`, owner_name: '新户', owner_type: 'household', land_class: '0101' } as any });
    const res = await upload('tester', 'parcel', features, { project: String(rows[0].project_id) });
    expect(res.body.counts.errors).toBe(0);
    const done = await commit('tester', res.body.id);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ inserted: 1, updated: 3 });
    const [now, rebuilt] = await progressNowAndRebuilt();
    expect(now).toBe(rebuilt);
  });
});

describe('import previews are owned and expire', () => {
  let id: number;
  beforeAll(async () => {
    const p = await parcelFeature(`p.status = 'unsigned'`, { owner_name: '预览' });
    const res = await upload('tester', 'parcel', [p.feature]);
    id = res.body.id;
  });

  it('another user cannot read, draw or commit it (404, as if it did not exist)', async () => {
    for (const path of [`/api/import/${id}`, `/api/import/${id}/features`]) {
      const res = await api(path, { who: 'editor' });
      expect(res.status, path).toBe(404);
      expect((await res.json()).error).toBe('not_found');
    }
    expect((await commit('editor', id)).status).toBe(404);
    expect((await pool.query(`SELECT status FROM import_batch WHERE id = $1`, [id])).rows[0].status).toBe('preview');
  });

  it('an expired preview is gone: 404, and removed with its rows by the next upload', async () => {
    await pool.query(`UPDATE import_batch SET created_at = now() - interval '25 hours' WHERE id = $1`, [id]);
    expect((await api(`/api/import/${id}`)).status).toBe(404);
    const p = await parcelFeature(`p.status = 'unsigned'`);
    await upload('tester', 'parcel', [p.feature]);
    const { rows } = await pool.query(`SELECT (SELECT count(*) FROM import_batch WHERE id = $1)::int AS batches,
      (SELECT count(*) FROM import_feature WHERE batch_id = $1)::int AS features`, [id]);
    expect(rows[0]).toEqual({ batches: 0, features: 0 });
  });
});

describe('the problem log releases military text only with the grant', () => {
  let problem: { id: number; title: string; description: string };
  beforeAll(async () => {
    ({ rows: [problem] } = await pool.query(`SELECT id, title, description FROM problem WHERE kind = 'military_land' ORDER BY id LIMIT 1`));
  });

  it('a viewer sees the problem, without its title, description and owner', async () => {
    const res = await api('/api/problems', { who: 'viewer' });
    const text = await res.text();
    expect(text).not.toContain(problem.description);
    expect(text).not.toContain('集团军');
    const p = JSON.parse(text).problems.find((x: any) => x.id === problem.id);
    expect(p).toMatchObject({ kind: 'military_land', title: null, description: null, withheld: expect.arrayContaining(['title', 'description']) });
  });

  it('the same as of a past date and in the dispatch report', async () => {
    for (const path of ['/api/problems?asOf=2026-06-30', '/api/progress/dispatch?month=2026-06', '/api/progress/dispatch.html?month=2026-06']) {
      const text = await (await api(path, { who: 'viewer' })).text();
      expect(text, path).not.toContain('集团军');
    }
  });

  it('a reader with the military grant sees the text', async () => {
    const body = await (await api('/api/problems', { who: 'military' })).json();
    expect(body.problems.find((x: any) => x.id === problem.id)).toMatchObject({ title: problem.title, description: problem.description });
  });
});
