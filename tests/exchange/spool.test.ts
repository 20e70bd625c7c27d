// Formats complete only at their end (Shapefile, GeoPackage, the ledger) are spooled to a file first —
// on PostgreSQL in a worker thread with a bounded heap (server/exchange/export-worker.ts), on the
// embedded database in this thread. Whichever way: the same file, the same errors, no temporary files
// left behind when the reader goes away, and the CLI's file appears only when complete.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportToFile, type ExportParams, startExport } from '../../server/exchange/export.ts';
import { type LayerFields, loadLayerFields } from '../../server/core/catalogue.ts';
import { parseFiles } from './helpers.ts';
import '../../server/db/database.ts'; // the date parser the server registers

const onPostgres = inject('backend') === 'postgres';
// two connections, as the server has on PostgreSQL (a pool of one is the embedded database's session)
const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: onPostgres ? 2 : 1 });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-spool-'));
afterAll(async () => {
  await pool.end();
  rmSync(tmp, { recursive: true, force: true });
});

let layerFields: LayerFields;
beforeAll(async () => { layerFields = await loadLayerFields(pool); });

const params = (over: Partial<ExportParams> = {}): ExportParams =>
  ({ layer: 'parcel', format: 'gpkg', filters: { commandArea: 'gangcheng' }, sensitive: true, tmpDir: tmp, ...over });

async function bytesOf(p: ExportParams): Promise<Buffer> {
  const result = await startExport(pool, layerFields, p);
  const chunks: Buffer[] = [];
  for await (const c of result.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The temporary folders an export left in `tmp` (the test's own output files aside). */
const leftovers = () => readdirSync(tmp).filter((n) => n.startsWith('zs-'));

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

describe('spooled exports', () => {
  it.skipIf(!onPostgres)('a GeoPackage spooled in a worker thread holds the same features as one spooled in this thread', async () => {
    const [inWorker, here] = await Promise.all([bytesOf(params()), bytesOf(params({ worker: false }))]);
    const read = async (data: Buffer) => (await parseFiles([{ name: 'x.gpkg', data }])).features.map((f) => [f.props, f.geometry]);
    const a = await read(inWorker);
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(await read(here));
  });

  it.skipIf(!onPostgres)('more exports at once than there are workers (one per core) wait their turn and all complete', async () => {
    const n = os.availableParallelism() * 2 + 1;
    const files = await Promise.all(Array.from({ length: n }, () => bytesOf(params({ format: 'shp' }))));
    // the same rows each time: the same length (the zips differ only in their timestamps)
    expect(files[0].length).toBeGreaterThan(1000);
    for (const f of files) expect(f.length).toBe(files[0].length);
  });

  it('a filter the layer cannot take is refused before any file is written, with the same error either way', async () => {
    const bad = params({ layer: 'farmland', filters: { status: ['signed'] } });
    await expect(startExport(pool, layerFields, bad)).rejects.toMatchObject({ statusCode: 400, message: 'layer farmland has no status to filter by' });
    await expect(startExport(pool, layerFields, { ...bad, worker: false })).rejects.toMatchObject({ statusCode: 400, message: 'layer farmland has no status to filter by' });
    expect(await until(() => leftovers().length === 0)).toBe(true);
  });

  it('a reader that goes away before the end leaves no temporary files', async () => {
    for (const format of ['gpkg', 'shp', 'xlsx']) {
      const result = await startExport(pool, layerFields, params({ format, filters: {} }));
      expect(leftovers().length).toBeGreaterThan(0); // the export's folder, while it runs
      result.stream.destroy();
      expect(await until(() => leftovers().length === 0), `${format}: ${leftovers().join(', ')}`).toBe(true);
    }
  });

  it('the CLI\'s file appears when complete, and a failed export leaves neither it nor a part file', async () => {
    const out = path.join(tmp, 'out.zip');
    const meta = await exportToFile(pool, layerFields, params({ format: 'shp' }), out);
    expect(meta.count).toBeGreaterThan(100);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(existsSync(`${out}.part`)).toBe(false);

    const failed = path.join(tmp, 'failed.gpkg');
    await expect(exportToFile(pool, layerFields, params({ layer: 'farmland', filters: { status: ['signed'] } }), failed)).rejects.toMatchObject({ statusCode: 400 });
    expect(existsSync(failed)).toBe(false);
    expect(existsSync(`${failed}.part`)).toBe(false);
  });
});
