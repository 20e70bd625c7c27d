// Entry of an export worker thread (export.ts). Node does not pass a parent's module hooks (tsx, or
// vitest's) to a worker, so the TypeScript is loaded through tsx's API here.
import { tsImport } from 'tsx/esm/api';

await tsImport('./export-worker.ts', import.meta.url);
