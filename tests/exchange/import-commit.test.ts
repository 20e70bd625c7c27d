// Preview → commit: validation findings, one transaction recorded in the history under the actor, all
// or nothing, and no second commit.
import { beforeAll, describe, expect, it } from 'vitest';
import { commitImport } from '../../server/exchange/import.ts';
import { loadFeatureColumns, loadLayerFields } from '../../server/core/catalogue.ts';
import { localActor } from '../../server/core/write.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { commit, upload } from './helpers.ts';

const pool = useTestPool();
let projectId: number;
let existing: { code: string; status: string };

const square = (lon: number, lat: number, d: number): number[][] => [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feature = (props: Record<string, unknown>, coordinates: number[][][]) => ({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates } });

beforeAll(async () => {
  const { rows } = await pool.query(`SELECT p.project_id, p.code, p.status FROM parcel p WHERE p.status = 'unsigned' ORDER BY id LIMIT 1`);
  projectId = rows[0].project_id;
  existing = { code: rows[0].code, status: rows[0].status };
});

describe('validation report', () => {
  let preview: any;
  beforeAll(async () => {
    const bowtie = [[[109.61, 23.10], [109.611, 23.101], [109.611, 23.10], [109.61, 23.101], [109.61, 23.10]]];
    const spike = [[[109.62, 23.10], [109.621, 23.10], [109.621, 23.101], [109.6205, 23.101], [109.6205, 23.11], [109.62049, 23.101], [109.62, 23.101], [109.62, 23.10]]];
    const dup = [[[109.63, 23.10], [109.631, 23.10], [109.631, 23.10], [109.631, 23.101], [109.63, 23.101], [109.63, 23.10]]];
    const open = [[[109.64, 23.10], [109.641, 23.10], [109.641, 23.101], [109.64, 23.101]]];
    const res = await upload([{ name: 'checks.geojson', data: fc([
      feature({ code: 'CHK-1', owner_name: '甲', owner_type: 'household', land_class: '0101' }, bowtie),
      feature({ code: 'CHK-2', owner_name: '乙', owner_type: 'household', land_class: '0101' }, spike),
      feature({ code: 'CHK-3', owner_name: '丙', owner_type: 'household', land_class: '0101' }, dup),
      feature({ code: 'CHK-4', owner_name: '丁', owner_type: 'household', land_class: '0101' }, open),
      feature({ code: 'CHK-5', owner_name: '戊', owner_type: 'household', land_class: '0101' }, [square(110.5, 23.1, 0.001)]),
      feature({ code: 'CHK-6', owner_name: '己', land_class: '0101' }, [square(109.65, 23.1, 0.001)]),
    ]) }], { project: String(projectId) });
    expect(res.status).toBe(201);
    preview = res.body;
  });
  const issues = (seq: number) => preview.features[seq].issues.map((i: any) => i.code);

  it('a self-intersection is an error with its location', () => {
    const i = preview.features[0].issues.find((x: any) => x.code === 'self_intersection');
    expect(i.severity).toBe('error');
    expect(i.location[0]).toBeCloseTo(109.6105, 6);
    expect(i.location[1]).toBeCloseTo(23.1005, 6);
  });
  it('a spike is a warning', () => expect(issues(1)).toContain('spike'));
  it('duplicate points are a warning', () => expect(issues(2)).toContain('duplicate_points'));
  it('an unclosed ring is reported (and closed)', () => expect(issues(3)).toContain('unclosed_ring'));
  it('outside the district is an error', () => expect(issues(4)).toContain('outside_district'));
  it('a new parcel lacking a required column is an error naming it', () => {
    const i = preview.features[5].issues.find((x: any) => x.code === 'missing_field');
    expect(i.message).toMatch(/owner_type/);
  });
  it('the preview draws on the map: GeoJSON in EPSG:4490 with the issues', async () => {
    const res = await api(`${(await import('../helpers/db.ts')).appUrl()}/api/import/${preview.id}/features`);
    const body = await res.json();
    expect(body.features).toHaveLength(6);
    expect(body.features[0].properties._issues.some((i: any) => i.code === 'self_intersection')).toBe(true);
  });
  it('a batch with errors is not committed: 409, nothing written', async () => {
    const before = (await pool.query(`SELECT count(*)::int n FROM change_log`)).rows[0].n;
    const res = await commit(preview.id);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/error\(s\).*nothing was written/);
    expect((await pool.query(`SELECT count(*)::int n FROM change_log`)).rows[0].n).toBe(before);
    expect((await pool.query(`SELECT count(*)::int n FROM parcel WHERE code LIKE 'CHK-%'`)).rows[0].n).toBe(0);
  });
});

describe('commit', () => {
  it('writes new and updated parcels in one transaction recorded in the history as the actor', async () => {
    const res = await upload([{ name: 'new.geojson', data: fc([
      feature({ code: 'NEW-0001', owner_name: '新增农户', owner_type: 'household', land_class: '0103', status: 'unsigned' }, [square(109.70, 23.05, 0.0005)]),
      feature({ code: existing.code, status: '已签约' }, [square(109.701, 23.05, 0.0005)]),
    ]) }], { project: String(projectId) });
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ features: 2, errors: 0, insert: 1, update: 1 });
    const done = await commit(res.body.id);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ inserted: 1, updated: 1, layer: 'parcel' });
    const { rows } = await pool.query(
      `SELECT c.op, c.changed_by, c.reason, p.code, p.status, p.project_id FROM change_log c JOIN parcel p ON p.id = c.feature_id
        WHERE c.layer = 'parcel' AND c.reason = $1 ORDER BY c.op`, [`import #${res.body.id}: new.geojson`]);
    expect(rows.map((r) => [r.op, r.code, r.changed_by])).toEqual([['insert', 'NEW-0001', 'tester'], ['update', existing.code, 'tester']]);
    expect(rows.find((r) => r.op === 'update').status).toBe('signed');
    expect(rows.find((r) => r.op === 'insert').project_id).toBe(projectId);
  });

  it('a second commit of the same preview is refused (409)', async () => {
    const res = await upload([{ name: 'again.geojson', data: fc([feature({ code: existing.code, status: 'signed' }, [square(109.701, 23.05, 0.0005)])]) }]);
    expect((await commit(res.body.id)).status).toBe(200);
    const again = await commit(res.body.id);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already committed/);
  });

  it('records the actor given (the CLI and the accounts capability pass theirs)', async () => {
    const res = await upload([{ name: 'actor.geojson', data: fc([feature({ code: existing.code, paid_yuan: 10 }, [square(109.701, 23.05, 0.0005)])]) }]);
    await commitImport(pool, (await loadFeatureColumns(pool, await loadLayerFields(pool))).get('parcel')!, res.body.id, localActor('自然资源局 王工'), 24);
    const { rows } = await pool.query(`SELECT changed_by FROM change_log WHERE reason = $1`, [`import #${res.body.id}: actor.geojson`]);
    expect(rows).toEqual([{ changed_by: '自然资源局 王工' }]);
  });

  it('all or nothing: a database refusal (a check constraint) rolls back every row', async () => {
    const res = await upload([{ name: 'bad.geojson', data: fc([
      feature({ code: 'NEW-0002', owner_name: '甲', owner_type: 'household', land_class: '0101' }, [square(109.702, 23.05, 0.0005)]),
      feature({ code: 'NEW-0003', owner_name: '乙', owner_type: 'household', land_class: '0101', paid_yuan: -5 }, [square(109.703, 23.05, 0.0005)]),
    ]) }], { project: String(projectId) });
    expect(res.body.counts.errors).toBe(0);
    const done = await commit(res.body.id);
    expect(done.status).toBe(422);
    expect(done.body.error).toBe('import_refused');
    expect(done.body.params.refused).toEqual([expect.objectContaining({ ref: 'feature 2', error: 'constraint', field: 'paid_yuan' })]);
    expect((await pool.query(`SELECT count(*)::int n FROM parcel WHERE code IN ('NEW-0002', 'NEW-0003')`)).rows[0].n).toBe(0);
    expect((await pool.query(`SELECT status FROM import_batch WHERE id = $1`, [res.body.id])).rows[0].status).toBe('preview');
  });

  it('the Excel ledger updates statuses by 宗地编号 and touches no geometry', async () => {
    const { rows: [p] } = await pool.query(`SELECT code, ST_AsText(geom) g FROM parcel WHERE status = 'unsigned' AND project_id = $1 ORDER BY id LIMIT 1`, [projectId]);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(['宗地编号', '状态']);
    ws.addRow([p.code, '已签约']);
    const res = await upload([{ name: '台账.xlsx', data: Buffer.from(await wb.xlsx.writeBuffer()) }]);
    expect(res.body.counts).toMatchObject({ features: 1, errors: 0, update: 1 });
    expect((await commit(res.body.id)).status).toBe(200);
    const { rows: [after] } = await pool.query(`SELECT status, ST_AsText(geom) g FROM parcel WHERE code = $1`, [p.code]);
    expect(after).toEqual({ status: 'signed', g: p.g });
  });
});
