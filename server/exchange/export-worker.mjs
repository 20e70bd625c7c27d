// Entry of an export worker thread (export-in-worker.ts). Node does not pass a parent's module hooks
// (tsx's, or vitest's) to a worker, so the TypeScript is loaded here through tsx's CommonJS hook, in
// this thread (its ESM API starts a hooks thread of its own: ~100 ms more per export, measured).
// The worker's modules must therefore not use import.meta or top-level await when loaded.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('./export-worker.ts');
