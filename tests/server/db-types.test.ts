// server/db/types.ts is generated from the live schema (`npm run db:types`, settings in
// .kysely-codegenrc.json): regenerated here from the test database, on either backend, it must come
// out the same. When a migration changes one of those tables, this fails with the difference:
// regenerate the file against a migrated database and commit it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../server/config.ts';

const require = createRequire(import.meta.url);
const codegenDir = path.dirname(require.resolve('kysely-codegen/package.json'));
const codegenBin = path.join(codegenDir, (require('kysely-codegen/package.json') as { bin: Record<string, string> }).bin['kysely-codegen']);

let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('server/db/types.ts', () => {
  it('is what kysely-codegen makes of the live schema', async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'zs-db-types-'));
    const out = path.join(tmp, 'types.ts');
    // asynchronously: on the embedded backend the database answers from this machine's event loops
    await promisify(execFile)(process.execPath, [codegenBin, '--url', inject('databaseUrl'), '--out-file', out, '--log-level', 'error'], {
      cwd: projectRoot, // where .kysely-codegenrc.json is
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      timeout: 60_000,
    });
    const generated = await readFile(out, 'utf8');
    const committed = await readFile(path.join(projectRoot, 'server/db/types.ts'), 'utf8');
    expect(generated).toContain('export interface DB {');
    expect(committed, 'server/db/types.ts is out of date: run `npm run db:types` against a migrated database').toBe(generated);
  });
});
