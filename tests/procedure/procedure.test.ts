// A project's legal procedure through the API (server/procedure, server/core/procedure.ts): the law's
// order, the periods as warnings, signing held to the 方案公告, attachments, quotas, the board.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, getJson, useTestPool } from '../helpers/db.ts';
import { createParcel, expectRefusedUnchanged, OGC, postLarge, request } from '../features/helpers.ts';

const pool = useTestPool();

async function send(method: string, path: string, body?: unknown, who = 'tester') {
  const res = await api(path, { method, who, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

/** A fresh project of command area `area` with no procedure yet (and no red line). */
async function newProject(area = 1): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO project (code, name, kind, source, year, command_area_id) VALUES ($1, '测试项目（程序）', 'road', 'key', 2026, $2) RETURNING id`,
    [`TEST-PROC-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, area]);
  return rows[0].id;
}

const step = (projectId: number, name: string, body: Record<string, unknown>, who = 'tester') => send('PUT', `/api/projects/${projectId}/procedure/${name}`, body, who);

/** Record the steps up to and including the 方案公告 (posted on `planOn`), each in order. */
async function throughPlanNotice(projectId: number, planOn: string, planEnd: string | null = null) {
  for (const [name, body] of [
    ['pre_notice', { startedOn: '2021-03-01', completedOn: '2021-03-12', docNo: '贵征预〔2021〕1号' }],
    ['survey', { startedOn: '2021-03-15', completedOn: '2021-04-20' }],
    ['risk_assessment', { startedOn: '2021-04-21', completedOn: '2021-05-20' }],
    ['plan_notice', { startedOn: planOn, completedOn: planEnd }],
  ] as const) {
    const res = await step(projectId, name, { version: 0, ...body });
    expect(res.status, res.text).toBe(200);
  }
}

describe('recording steps', () => {
  it('records a step with who recorded it, and keeps it in the history', async () => {
    const id = await newProject();
    const res = await step(id, 'pre_notice', { version: 0, plannedStartOn: '2021-02-25', startedOn: '2021-03-01', completedOn: '2021-03-12', docNo: '贵征预〔2021〕7号', reason: '录入预公告' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ step: 'pre_notice', startedOn: '2021-03-01', completedOn: '2021-03-12', docNo: '贵征预〔2021〕7号', version: 1, updatedBy: 'tester' });
    const { rows } = await pool.query(`SELECT op, changed_by, reason, after->>'doc_no' AS doc FROM change_log WHERE layer = 'procedure_step' AND feature_id = $1`, [res.body.id]);
    expect(rows).toEqual([{ op: 'insert', changed_by: 'tester', reason: '录入预公告', doc: '贵征预〔2021〕7号' }]);
  });

  it('refuses a step out of the law\'s order with procedure_order, writing nothing', async () => {
    const id = await newProject();
    await step(id, 'pre_notice', { version: 0, startedOn: '2021-03-01' });
    const res = await step(id, 'survey', { version: 0, startedOn: '2021-03-05' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'procedure_order', params: { step: 'survey', before: 'pre_notice', reason: 'earlier_not_done' } });
    const { rows } = await pool.query(`SELECT step FROM procedure_step WHERE project_id = $1`, [id]);
    expect(rows).toEqual([{ step: 'pre_notice' }]);
  });

  it('refuses a stale version (412)', async () => {
    const id = await newProject();
    await step(id, 'pre_notice', { version: 0, startedOn: '2021-03-01' });
    const res = await step(id, 'pre_notice', { version: 0, completedOn: '2021-03-12' });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: 'stale_version', params: { currentVersion: 1, yourVersion: 0 } });
  });

  it('flags a 方案公告 shorter than 30 days', async () => {
    const id = await newProject();
    await throughPlanNotice(id, '2021-06-01', '2021-06-20');
    const { body } = await getJson(`/api/projects/${id}/procedure?asOf=2021-07-01`);
    expect(body.warnings).toContainEqual({ code: 'plan_notice_short', step: 'plan_notice', params: { required: 30, actual: 20 } });
    expect(body.current).toBe('hearing');
    expect(body.signingOpensOn).toBe('2021-07-01');
  });

  it('makes the approval the project\'s: 报批 done with its number approves the project', async () => {
    const id = await newProject();
    await throughPlanNotice(id, '2021-06-01', '2021-06-30');
    expect((await step(id, 'hearing', { version: 0, waived: true, note: '无人申请听证' })).status).toBe(200);
    expect((await step(id, 'agreement', { version: 0, startedOn: '2021-07-01', completedOn: '2021-09-30' })).status).toBe(200);
    const noNumber = await step(id, 'application', { version: 0, startedOn: '2021-10-08', completedOn: '2022-01-10' });
    expect(noNumber.body).toMatchObject({ error: 'missing_attribute', field: 'docNo' });
    expect((await step(id, 'application', { version: 0, startedOn: '2021-10-08', completedOn: '2022-01-10', docNo: '桂政土批〔2022〕9号' })).status).toBe(200);
    const { rows } = await pool.query(`SELECT approval_stage, approval_doc_no, approved_on::text FROM project WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ approval_stage: 'approved', approval_doc_no: '桂政土批〔2022〕9号', approved_on: '2022-01-10' });
    const { body } = await getJson(`/api/projects/${id}/procedure?asOf=2022-03-01`);
    expect(body.warnings.map((w: { code: string }) => w.code)).toContain('expropriation_notice_late');
  });

  it('keeps the approval the procedure\'s: a feature write may send it back as read, never change it', async () => {
    const { rows: [p] } = await pool.query<{ id: number }>(`SELECT id FROM project WHERE approval_stage = 'submitted' AND red_line IS NOT NULL ORDER BY id LIMIT 1`);
    const read = await request('GET', `${OGC}/collections/red_line/items/${p.id}`);
    const etag = read.headers.get('etag')!;
    const changed = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/red_line/items/${p.id}`, {
      body: { properties: { approval_stage: 'approved', approval_doc_no: '桂政土批〔2026〕1号', approved_on: '2026-01-05' } }, headers: { 'If-Match': etag } }));
    expect(changed.status).toBe(422);
    expect(changed.body).toMatchObject({ error: 'procedure_owned', field: 'approval_stage', params: { step: 'application' } });
    // what was read comes back unchanged with another edit: taken, the approval as it was
    const same = await request('PATCH', `${OGC}/collections/red_line/items/${p.id}`, {
      body: { properties: { ...read.body.properties, owner_unit: '港北区交通局' } }, headers: { 'If-Match': etag } });
    expect(same.status, same.text).toBe(200);
    const schema = await request('GET', `${OGC}/collections/red_line/schema`);
    expect(schema.body.properties.approval_stage).toMatchObject({ readOnly: true, 'x-zs-recorded-by': 'procedure' });
  });

  it('lets only the hearing be waived, with a reason', async () => {
    const id = await newProject();
    const res = await step(id, 'pre_notice', { version: 0, waived: true, note: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', field: 'waived' });
  });

  it('refuses a planner (403) and an editor outside the project\'s command area', async () => {
    const id = await newProject(2);
    expect((await step(id, 'pre_notice', { version: 0, startedOn: '2021-03-01' }, 'planner')).status).toBe(403);
    const res = await step(id, 'pre_notice', { version: 0, startedOn: '2021-03-01' }, 'editor');
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('out_of_scope');
    const own = await newProject(1);
    expect((await step(own, 'pre_notice', { version: 0, startedOn: '2021-03-01' }, 'editor')).status).toBe(200);
  });
});

describe('signing follows the 方案公告', () => {
  let projectId: number;
  beforeAll(async () => {
    projectId = await newProject();
  });

  it('refuses 已签约 before the 方案公告 is posted, and names what is missing', async () => {
    const p = await createParcel({ project_id: projectId });
    const res = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { status: 'signed', signed_on: '2021-06-15' } }, headers: { 'If-Match': p.etag } }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'procedure_not_ready', params: { opensOn: null } });
  });

  it('refuses 已签约 while the 方案公告 has not run its 30 days', async () => {
    await throughPlanNotice(projectId, '2021-06-01', '2021-06-30');
    const p = await createParcel({ project_id: projectId });
    const res = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { status: 'signed', signed_on: '2021-06-30' } }, headers: { 'If-Match': p.etag } }));
    expect(res.body).toMatchObject({ error: 'procedure_not_ready', params: { opensOn: '2021-07-01' } });
  });

  it('takes 已签约 once the 30 days have run', async () => {
    const p = await createParcel({ project_id: projectId });
    const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { status: 'signed', signed_on: '2021-07-01' } }, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
  });

  it('takes an early signing recorded as an exception, with its reason in the history', async () => {
    const p = await createParcel({ project_id: projectId });
    const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, {
      body: { properties: { status: 'signed', signed_on: '2021-06-10', procedure_exception: '重点项目，区政府常务会议同意提前签约' } }, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
    const { rows } = await pool.query(`SELECT after->>'procedure_exception' AS why FROM change_log WHERE layer = 'parcel' AND feature_id = $1 ORDER BY id DESC LIMIT 1`, [p.id]);
    expect(rows[0].why).toBe('重点项目，区政府常务会议同意提前签约');
  });
});

describe('attachments', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const upload = (projectId: number, name: string, bytes: Buffer, who = 'tester', type = 'application/pdf') =>
    api(`/api/projects/${projectId}/procedure/pre_notice/attachments?name=${encodeURIComponent(name)}`, { method: 'POST', who, headers: { 'content-type': type }, body: new Uint8Array(bytes) });

  it('keeps a PDF with its checksum, and serves it to readers of the project', async () => {
    const id = await newProject(1);
    const res = await upload(id, '预公告.pdf', pdf);
    expect(res.status).toBe(201);
    const info = await res.json();
    expect(info).toMatchObject({ fileName: '预公告.pdf', mediaType: 'application/pdf', sizeBytes: pdf.length });
    const got = await api(`/api/attachments/${info.id}`, { who: 'editor' });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await got.arrayBuffer()).equals(pdf)).toBe(true);
    expect((await getJson(`/api/projects/${id}/procedure`)).body.steps[0].attachments).toHaveLength(1);
  });

  it('gives a reader outside the project no attachment (404, as if it did not exist)', async () => {
    const id = await newProject(2);
    const info = await (await upload(id, '方案.pdf', pdf)).json();
    const res = await api(`/api/attachments/${info.id}`, { who: 'editor' });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_found');
    expect((await api(`/api/attachments/${info.id}`, { who: 'viewer' })).status).toBe(200);
  });

  it('refuses a file that is not a PDF or an image, whatever it is called (415 attachment_type)', async () => {
    const id = await newProject(1);
    const res = await upload(id, 'notice.pdf', Buffer.from('<html>not a pdf</html>'));
    expect(res.status).toBe(415);
    expect((await res.json()).error).toBe('attachment_type');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM procedure_attachment a JOIN procedure_step s ON s.id = a.step_id WHERE s.project_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a file over the size limit (413)', async () => {
    const id = await newProject(1);
    const big = Buffer.concat([pdf, Buffer.alloc(21 * 1024 * 1024)]);
    // over a socket: the answer comes on the declared length, while the body is still being sent
    const res = await postLarge(`/api/projects/${id}/procedure/pre_notice/attachments?name=big.pdf`, big, 'application/pdf');
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });
});

describe('quotas and the board', () => {
  it('derives the quota needed from the red line\'s land use and subtracts what is secured', async () => {
    const { rows: [p] } = await pool.query(`SELECT id FROM project WHERE red_line IS NOT NULL AND command_area_id = 1 ORDER BY id LIMIT 1`);
    const before = (await getJson(`/api/projects/${p.id}/procedure`)).body.quota;
    const { rows: [need] } = await pool.query(
      `SELECT sum(ST_Area(ST_Intersection(l.geom, p.red_line)::geography)) FILTER (WHERE l.class_code LIKE '01%') / (10000.0 / 15) AS cultivated_mu
         FROM project p JOIN land_use l ON ST_Intersects(l.geom, p.red_line) WHERE p.id = $1`, [p.id]);
    expect(before.cultivated.neededMu).toBeCloseTo(Number(need.cultivated_mu ?? 0), 1);
    const res = await send('POST', `/api/projects/${p.id}/quotas`, { kind: 'cultivated', source: 'balance', mu: 1.5, docNo: '补充耕地 TEST' });
    expect(res.status, res.text).toBe(201);
    const after = (await getJson(`/api/projects/${p.id}/procedure`)).body.quota;
    expect(after.cultivated.securedMu).toBeCloseTo(before.cultivated.securedMu + 1.5, 2);
    expect((await send('DELETE', `/api/projects/${p.id}/quotas/${res.body.id}?version=1`)).status).toBe(204);
  });

  it('puts every project on the board at its step, with totals per command area and for the district', async () => {
    const { body } = await getJson('/api/procedure/board?asOf=2022-12-31');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM project`);
    expect(body.projects).toHaveLength(rows[0].n);
    const district = body.totals.find((t: { commandAreaId: number | null }) => t.commandAreaId === null);
    expect(Object.values(district.byStep as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(rows[0].n);
    expect(district.construction.neededMu).toBeGreaterThan(0);
    const areas = body.totals.filter((t: { commandAreaId: number | null }) => t.commandAreaId !== null);
    expect(areas.reduce((s: number, t: { construction: { securedMu: number } }) => s + t.construction.securedMu, 0)).toBeCloseTo(district.construction.securedMu, 1);
  });
});
