// A parse worker (started by parse-in-worker.ts): takes one import at a time, reads its files from disk
// and turns them into the preview's rows (prepare.ts) in a V8 heap of its own, bounded by the
// parent's resourceLimits. Kept between imports, so only the first pays for loading the formats.
import { parentPort } from 'node:worker_threads';
import type { ErrorCode, ErrorParams } from '../../geo/errors.ts';
import { DomainError } from '../core/errors.ts';
import { prepareImport, type PrepareOptions, type PreparedImport } from './prepare.ts';
import type { UploadedFile } from './types.ts';

export interface ParseRequest { files: UploadedFile[]; opts: PrepareOptions }

export type ParseReply =
  | { kind: 'prepared'; prepared: PreparedImport }
  | { kind: 'refused'; code: ErrorCode; message: string; params: ErrorParams; status: number; field?: string }
  | { kind: 'failed'; message: string; stack?: string };

const port = parentPort!;

port.on('message', (request: ParseRequest) => {
  prepareImport(request.files, request.opts).then(
    (prepared) => port.postMessage({ kind: 'prepared', prepared } satisfies ParseReply),
    (err: unknown) => {
      if (err instanceof DomainError) port.postMessage({ kind: 'refused', code: err.code, message: err.message, params: err.params, status: err.status, field: err.field } satisfies ParseReply);
      else port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err), stack: (err as Error)?.stack } satisfies ParseReply);
    },
  );
});
