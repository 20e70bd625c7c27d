// A spooled export (Shapefile, GeoPackage, the ledger) in a worker thread with a V8 heap of its own,
// bounded by resourceLimits, on connections of its own: however many rows, its memory stays bounded and
// the caller's heap is not grown by it. The worker side is export-worker.ts. Light on purpose (no format
// module, no pg): the CLI's main thread hands an export over with nothing else loaded.
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerSlots } from '../core/worker-slots.ts';
import type { ExportMeta, ExportParams, Spooling } from './export.ts';
import type { WorkerReply, WorkerRequest } from './export-worker.ts';
import { ExchangeError, formatId } from './formats-known.ts';

/**
 * V8 heap limits of an export worker. The spooled writers hold one batch (2,000 rows, its objects
 * reused from batch to batch) and reused buffers; everything else they allocate dies young. Measured
 * at 100,000 parcels: 32 MB old / 8 MB young is as fast as 64/16 and peaks ~10 MB lower; 24/8 spent
 * ~20 % of the worker's CPU collecting. The ledger holds more: exceljs keeps its shared-strings table
 * to the end.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 };
const LEDGER_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 };

/** Export workers at once: one per core (server/core/worker-slots.ts); further exports wait for a worker to finish. */
const exportSlots = workerSlots('export');

/**
 * The spool in a worker thread; this thread only hears of its progress. Errors before the rows are
 * counted (an unknown layer, a filter naming no project, …) reject like the in-thread export.
 */
export async function spoolInWorker(request: WorkerRequest, onProgress?: ExportParams['onProgress']): Promise<Spooling> {
  const release = await exportSlots.acquire();
  const { onProgress: _, worker: __, ...params } = request.params as ExportParams;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./export-worker.mjs', import.meta.url), {
      workerData: { ...request, params } satisfies WorkerRequest,
      resourceLimits: formatId(params.format) === 'xlsx' ? LEDGER_LIMITS : WORKER_LIMITS,
    });
  } catch (err) {
    release();
    throw err;
  }
  worker.on('exit', release);
  const failure = (err: Error): Error =>
    (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new ExchangeError('the export ran out of the memory it is given: export less at a time (by project, command area or bbox)', 507)
      : err;
  let opened: (meta: ExportMeta) => void;
  let failed: (err: Error) => void;
  const meta = new Promise<ExportMeta>((resolve, reject) => { opened = resolve; failed = reject; });
  let finished = false;
  const written = new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => { finished = true; failed(err); reject(err); };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'opened') opened(reply.meta);
      else if (reply.kind === 'progress') onProgress?.(reply.done, reply.total);
      else if (reply.kind === 'written') { finished = true; resolve(); }
      else if (reply.statusCode) fail(new ExchangeError(reply.message, reply.statusCode));
      else fail(Object.assign(new Error(reply.message), { stack: reply.stack }));
    });
    worker.on('error', (err) => fail(failure(err)));
    worker.on('exit', (code) => { if (!finished) fail(new Error(`the export worker stopped before the end (exit code ${code})`)); });
  });
  written.catch(() => {});
  return { meta: await meta, written, cancel: () => { if (!finished) void worker.terminate(); } };
}

/**
 * A spooled export into the file `out`: written beside it and renamed into place when complete, so a
 * failed export leaves no half file; the format's own temporary files in a folder removed either way.
 */
export async function spoolToFile(p: ExportParams, out: string, spool: (p: ExportParams, file: string) => Promise<Spooling>): Promise<ExportMeta> {
  const part = `${out}.part`;
  const dir = await mkdtemp(path.join(p.tmpDir ?? os.tmpdir(), 'zs-export-'));
  try {
    const spooling = await spool({ ...p, tmpDir: dir }, part);
    await spooling.written;
    await rename(part, out);
    return spooling.meta;
  } finally {
    await rm(part, { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The CLI's export of a spooled format on PostgreSQL, done wholly by a worker (which reads the layer's
 * fields itself): this thread loads neither pg nor any format.
 */
export function exportFileInWorker(databaseUrl: string, p: ExportParams, out: string): Promise<ExportMeta> {
  return spoolToFile(p, out, (params, file) => spoolInWorker({ databaseUrl, params, file }, p.onProgress));
}
