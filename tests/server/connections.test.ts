// Every database connection the server holds is one a lost connection cannot turn into a crash: each
// pool is guarded (an error listener on every client from birth, server/db/connection.ts), and clients
// are checked out through withClient, which hands a broken one back with its error. Read from the
// sources, so a new `pool.connect()` or an unguarded pool fails here before it fails in production.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const files = readdirSync(join(ROOT, 'server'), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name))
  .map((e) => relative(ROOT, join(e.parentPath, e.name)));

/** Places that check a client out by hand, and why withClient does not fit. */
const CHECKOUTS: Record<string, string> = {
  'server/db/connection.ts': 'withClient itself',
  'server/exchange/source.ts': 'a COPY held across the batches of an async generator; released with an error when left unfinished',
};

describe('database connections', () => {
  it('are checked out through withClient, but for the places listed', () => {
    // a pool's connect() (a pg.Client of one's own, like the tile listener's, keeps its own listener)
    const found = files.filter((f) => /[pP]ool\.connect\(\s*\)/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(found.sort()).toEqual(Object.keys(CHECKOUTS).sort());
  });

  it('come from pools that are guarded', () => {
    for (const f of files) {
      const source = readFileSync(join(ROOT, f), 'utf8');
      const pools = source.match(/new pg\.Pool\(/g)?.length ?? 0;
      const guarded = source.match(/guardPool\(new pg\.Pool\(/g)?.length ?? 0;
      expect(guarded, `${f}: every new pg.Pool is wrapped in guardPool`).toBe(pools);
    }
  });
});
