// One spooled export in a worker thread (started by export-in-worker.ts on PostgreSQL): its own connections, its
// own V8 heap (bounded by the parent's resourceLimits). It writes the file the parent names and tells
// the parent what it will hold, how far it is, and when it is written.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { type LayerFields, loadLayerFields } from '../core/catalogue.ts';
import { guardPool } from '../db/connection.ts';
import { type ExportMeta, type ExportParams, spoolHere } from './export.ts';
import { ExchangeError } from './formats-known.ts';
import { FileFormatError } from './types.ts';

export interface WorkerRequest {
  databaseUrl: string;
  /** the layers' fields as the caller read them; read here when not given */
  layerFields?: LayerFields;
  params: Omit<ExportParams, 'onProgress' | 'worker'>;
  file: string;
}

export type WorkerReply =
  | { kind: 'opened'; meta: ExportMeta }
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'written' }
  | { kind: 'error'; message: string; statusCode?: number; stack?: string };

const port = parentPort!;
const send = (reply: WorkerReply) => port.postMessage(reply);

async function run(): Promise<void> {
  const { databaseUrl, layerFields, params, file } = workerData as WorkerRequest;
  pg.types.setTypeParser(1082, (value: string) => value); // dates stay 'YYYY-MM-DD', as in db/database.ts
  // two connections: the COPY of the rows, and the queries beside it (count, extent, text widths)
  const pool = guardPool(new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 10_000, statement_timeout: params.statementTimeoutMs }), { warn: () => {} });
  try {
    const fields = layerFields ?? await loadLayerFields(pool);
    const spooling = await spoolHere(pool, fields, { ...params, onProgress: (done, total) => send({ kind: 'progress', done, total }) }, file);
    send({ kind: 'opened', meta: spooling.meta });
    await spooling.written;
    send({ kind: 'written' });
  } catch (err) {
    const known = err instanceof ExchangeError || err instanceof FileFormatError;
    send({ kind: 'error', message: err instanceof Error ? err.message : String(err), statusCode: known ? err.statusCode : undefined, stack: (err as Error)?.stack });
  } finally {
    await pool.end().catch(() => {});
    port.close();
  }
}

void run();
