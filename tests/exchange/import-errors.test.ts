// Bad files are refused with a 4xx that names the file and the line or record, and nothing is written.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { useTestPool } from '../helpers/db.ts';
import { download, unzipEntries, upload } from './helpers.ts';
import yazl from 'yazl';

const pool = useTestPool();
let shpZip: Buffer;
let batches: number;
let history: number;

async function zip(files: { name: string; data: Buffer }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const f of files) z.addBuffer(f.data, f.name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  const { rows } = await pool.query(`SELECT project_id FROM parcel GROUP BY project_id HAVING count(*) BETWEEN 50 AND 400 ORDER BY project_id LIMIT 1`);
  shpZip = (await download(`layer=parcel&format=shp&project=${rows[0].project_id}`)).body;
});

beforeEach(async () => {
  batches = (await pool.query(`SELECT count(*)::int n FROM import_batch`)).rows[0].n;
  history = (await pool.query(`SELECT count(*)::int n FROM change_log`)).rows[0].n;
});

async function expectNothingWritten(): Promise<void> {
  expect((await pool.query(`SELECT count(*)::int n FROM import_batch`)).rows[0].n).toBe(batches);
  expect((await pool.query(`SELECT count(*)::int n FROM change_log`)).rows[0].n).toBe(history);
}

describe('bad files', () => {
  it('a truncated zip: 422 naming the file', async () => {
    const res = await upload([{ name: 'parcels.zip', data: shpZip.subarray(0, Math.floor(shpZip.length / 2)) }]);
    expect(res.status).toBe(422);
    expect(res.body.params.file).toBe('parcels.zip');
    expect(res.body.message).toMatch(/^parcels\.zip.*(truncated|damaged)/);
    await expectNothingWritten();
  });

  it('a shapefile without its .shx: 422 naming the .shp and the missing index', async () => {
    const entries = (await unzipEntries(shpZip)).filter((e) => !e.name.endsWith('.shx'));
    const res = await upload([{ name: 'no-index.zip', data: await zip(entries) }]);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/no-index\.zip: parcel\.shp.*no \.shx/);
    await expectNothingWritten();
  });

  it('a DXF with an open polyline: 422 naming the file and the line of the entity', async () => {
    const dxf = ['0', 'SECTION', '2', 'ENTITIES',
      '0', 'LWPOLYLINE', '8', 'parcel', '90', '3', '70', '0', '10', '37356500', '20', '2555200', '10', '37356540', '20', '2555200', '10', '37356540', '20', '2555240',
      '0', 'ENDSEC', '0', 'EOF'].join('\r\n');
    const res = await upload([{ name: 'open.dxf', data: dxf }]);
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('open.dxf (line 6): polyline on layer "parcel" is open: parcels need closed polylines');
    await expectNothingWritten();
  });

  it('a TXT with a letter in a coordinate: 422 naming the file and the line', async () => {
    const text = ['[属性描述]', '带号=37', '[地块坐标]', '4,0.1600,A-1,测试,面,,水田,0101,@',
      'J1,1,2555200.000,37356500.000', 'J2,1,2555240.000,3735650O.000', 'J3,1,2555240.000,37356540.000', 'J1,1,2555200.000,37356500.000'].join('\r\n');
    const res = await upload([{ name: '界址点.txt', data: iconv.encode(text, 'gbk') }]);
    expect(res.status).toBe(422);
    expect(res.body.params.where).toBe('line 6');
    expect(res.body.message).toBe('界址点.txt (line 6): Y coordinate "3735650O.000" is not a number');
    await expectNothingWritten();
  });

  it('a 200 MB upload: 413 naming the file, before it is parsed', async () => {
    const big = Buffer.alloc(200 * 1024 * 1024, 0x20);
    const res = await upload([{ name: 'huge.geojson', data: big }]);
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/^huge\.geojson: larger than the import limit of 100 MB/);
    await expectNothingWritten();
  });

  it('a file of no known format: 415', async () => {
    const res = await upload([{ name: 'notes.docx', data: 'hello' }]);
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/^notes\.docx: not a format this system imports/);
  });

  it('Gauss–Krüger coordinates without a zone prefix and no CRS: 422 asking for the CRS', async () => {
    const csv = 'code,WKT\r\nA-1,"POLYGON ((356500 2555200, 356540 2555200, 356540 2555240, 356500 2555200))"\r\n';
    const res = await upload([{ name: 'gk.csv', data: csv }]);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/gk\.csv: the coordinate system cannot be told.*give crs/);
    await expectNothingWritten();
  });

  it('a .prj in Xian 1980: 422 saying it needs 7 parameters', async () => {
    const entries = (await unzipEntries(shpZip)).map((e) => e.name.endsWith('.prj')
      ? { name: e.name, data: Buffer.from('PROJCS["Xian_1980_3_Degree_GK_Zone_37",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]]]]') } : e);
    const res = await upload([{ name: 'xian.zip', data: await zip(entries) }]);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/xian\.zip: parcel\.prj: .*Xian 1980.*7-parameter/);
  });

  it('a GeoJSON position that is null: that feature is an error naming the position, the others are read', async () => {
    const data = readFileSync(path.join(import.meta.dirname, '../fixtures/exchange/null-coordinate.geojson'));
    const project = (await pool.query(`SELECT min(id) id FROM project`)).rows[0].id;
    const res = await upload([{ name: 'null-coordinate.geojson', data }], { project: String(project) });
    expect(res.status).toBe(201);
    const [bad, good] = res.body.features;
    expect(bad.issues).toEqual([expect.objectContaining({ code: 'bad_coordinates', severity: 'error', message: expect.stringContaining('coordinates[0][2]: null') })]);
    expect(good.issues.map((i: { code: string }) => i.code)).not.toContain('bad_coordinates');
    expect(good.issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
  });

  it('ogr2ogr can still read the shapefile zip this suite breaks (sanity)', () => {
    try { execFileSync('ogrinfo', ['--version'], { stdio: 'pipe' }); } catch { return; }
    expect(shpZip.length).toBeGreaterThan(1000);
  });
});
