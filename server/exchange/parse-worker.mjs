// Entry of an import's parse worker thread (parse-in-worker.ts): the TypeScript loaded through tsx's
// CommonJS hook in this thread, as export-worker.mjs does (see there why). The worker's modules must
// not use import.meta or top-level await when loaded.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('./parse-worker.ts');
