// Parsing an import off the event loop (issue #14): a file of any size is read in a worker thread with
// a V8 heap of its own, bounded by resourceLimits, so a large or hostile file neither stalls other
// requests nor grows this process's heap; a worker that runs out of its heap ends, and the file is
// refused (413 import_limit). Workers are kept between imports (starting one loads the format
// modules through tsx: about a second) and end after a minute idle; small files in the light formats
// are parsed in the request's own thread (prepare), where a worker would cost more than the parse.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../core/errors.ts';
import { reportWorkers } from '../core/worker-slots.ts';
import { ExchangeError } from './formats-known.ts';
import { INLINE_PARSE_BYTES, MAX_WHOLE_TEXT_BYTES, mb, PARSE_HEAP_MB } from './limits.ts';
import { prepareImport, type PrepareOptions, type PreparedImport } from './prepare.ts';
import type { ParseReply, ParseRequest } from './parse-worker.ts';
import { importerFor } from './registry.ts';
import { ImportLimitError, type UploadedFile } from './types.ts';

/** Parse workers at once (each up to PARSE_HEAP_MB of heap); further imports wait their turn. */
const MAX_WORKERS = Math.max(1, Math.min(2, os.availableParallelism()));
/** An idle worker ends after this long. */
const IDLE_MS = 60_000;

interface Job {
  request: ParseRequest;
  resolve: (p: PreparedImport) => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  idle?: NodeJS.Timeout;
  /** terminated, not yet exited: takes no job */
  ending?: boolean;
  /** ends the running job with this outcome (once) */
  finish(outcome: PreparedImport | Error): void;
}

const slots = new Set<Slot>();
const queue: Job[] = [];

function settle(job: Job, outcome: PreparedImport | Error): void {
  if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
  if (outcome instanceof Error) job.reject(outcome);
  else job.resolve(outcome);
}

function spawn(): Slot {
  const worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: PARSE_HEAP_MB } });
  const slot: Slot = {
    worker,
    // the job ends once, whichever comes first: its reply, the worker's error or exit, an abort
    finish(outcome) {
      const job = slot.job;
      slot.job = undefined;
      if (job) settle(job, outcome);
    },
  };
  const finish = slot.finish;
  worker.on('message', (reply: ParseReply) => {
    if (reply.kind === 'prepared') finish(reply.prepared);
    else if (reply.kind === 'refused') finish(new DomainError(reply.code, reply.message, reply.params, { status: reply.status, field: reply.field }));
    else finish(Object.assign(new Error(reply.message), { stack: reply.stack }));
    rest(slot);
    pump();
  });
  worker.on('error', (err: Error & { code?: string }) => {
    const name = slot.job?.request.opts.fileName ?? 'the upload';
    finish(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new ImportLimitError(name, undefined, `reading it needs more than the ${PARSE_HEAP_MB} MB of memory an import is given`, 'memory', PARSE_HEAP_MB)
      : err);
  });
  worker.on('exit', (code) => {
    slots.delete(slot);
    clearTimeout(slot.idle);
    finish(new Error(`the import's parse worker stopped (exit code ${code})`));
    pump();
  });
  slots.add(slot);
  return slot;
}

/** A worker between jobs: it does not keep the process alive, and ends if nothing comes. */
function rest(slot: Slot): void {
  slot.worker.unref();
  clearTimeout(slot.idle);
  slot.idle = setTimeout(() => end(slot), IDLE_MS);
  slot.idle.unref();
}

function end(slot: Slot): void {
  slot.ending = true;
  void slot.worker.terminate();
}

function pump(): void {
  while (queue.length) {
    let slot = [...slots].find((s) => !s.job && !s.ending);
    if (!slot) {
      if (slots.size >= MAX_WORKERS) return;
      slot = spawn();
    }
    const job = queue.shift()!;
    clearTimeout(slot.idle);
    slot.worker.ref();
    slot.job = job;
    const busy = slot;
    // a request that ends (the client went away) takes its parse with it
    job.onAbort = () => { busy.finish(cancelled()); end(busy); };
    job.signal?.addEventListener('abort', job.onAbort, { once: true });
    slot.worker.postMessage(job.request);
  }
}

/** The rows of an import prepared in a parse worker. */
export function prepareInWorker(files: UploadedFile[], opts: PrepareOptions, signal?: AbortSignal): Promise<PreparedImport> {
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const job: Job = { request: { files, opts }, resolve, reject, signal };
    queue.push(job);
    // still waiting for a worker: leave the queue
    signal?.addEventListener('abort', () => {
      const i = queue.indexOf(job);
      if (i >= 0) { queue.splice(i, 1); reject(cancelled()); }
    }, { once: true });
    pump();
  });
}

const cancelled = () => new ExchangeError('the upload was cancelled');

/**
 * Readers that may run in this thread for small files. The others load a library on first use that
 * stalls the thread loading it (measured: ExcelJS 1.7 s, better-sqlite3 0.16 s, xmldom 0.12 s), so
 * they always run in a worker.
 */
const INLINE_READERS: ReadonlySet<string> = new Set(['geojson', 'csv', 'txt', 'dxf', 'shp']);

/** The files (`bytes` to read) prepared in this thread when small and light to read, else in a worker. */
export function prepare(files: UploadedFile[], bytes: number, opts: PrepareOptions, signal?: AbortSignal): Promise<PreparedImport> {
  const reader = importerFor(files)?.id;
  const most = reader ? MAX_WHOLE_TEXT_BYTES[reader] : undefined;
  if (most !== undefined && bytes > most) {
    return Promise.reject(new ImportLimitError(opts.fileName, undefined,
      `${mb(bytes)} MB: a ${reader} file is read whole, and one over ${mb(most)} MB needs more than the ${PARSE_HEAP_MB} MB of memory an import is given; split it, or send it as GeoPackage or Shapefile`,
      'memory', PARSE_HEAP_MB));
  }
  // no reader: refused at once (415), wherever
  const here = reader === undefined || (bytes <= INLINE_PARSE_BYTES && INLINE_READERS.has(reader));
  return here ? prepareImport(files, opts) : prepareInWorker(files, opts, signal);
}

/** Parse workers running an import, idle, and imports waiting for one (for /metrics). */
export function parseWorkerStats(): { running: number; idle: number; queued: number } {
  const running = [...slots].filter((s) => s.job).length;
  return { running, idle: slots.size - running, queued: queue.length };
}

reportWorkers('import', parseWorkerStats);

/** End every parse worker (the app closes); imports still waiting are refused. */
export async function closeParseWorkers(): Promise<void> {
  for (const job of queue.splice(0)) job.reject(new Error('the server is shutting down'));
  await Promise.all([...slots].map((s) => { s.ending = true; return s.worker.terminate(); }));
}
