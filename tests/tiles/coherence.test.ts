// Several server processes on one database stay coherent: a change committed anywhere drops the
// cached tiles it touches in every process (LISTEN/NOTIFY), and only those. Two real processes on
// PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, appUrl, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';

const pool = useTestPool();
const onPostgres = inject('backend') === 'postgres';
if (!onPostgres) console.log('coherence.test: skipped on the embedded backend (one process owns PGlite); runs with DATABASE_URL');
const root = path.resolve(import.meta.dirname, '../..');

describe.skipIf(!onPostgres)('two server processes on one database', () => {
  let second: ChildProcess;
  let secondUrl = '';

  beforeAll(async () => {
    second = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info' },
    });
    secondUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      second.stdout!.on('data', (d) => {
        out += d;
        const m = out.match(/running at (http:\/\/[\d.:]+)/);
        if (m) resolve(m[1]);
      });
      second.on('exit', (code) => reject(new Error(`second server exited with ${code}: ${out}`)));
    });
  });
  afterAll(() => void second?.kill('SIGTERM'));

  it('an edit seen by one process invalidates the other’s cached tile, and only that', async () => {
    const t = await tileOver(pool, 'parcel', 15);
    const tilePath = `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`;
    const ownerOf = async (base: string) => {
      const body = new Uint8Array(await (await api(base + tilePath)).arrayBuffer());
      return decodeTile(body, t.z, t.x, t.y).parcel.find((f) => f.id === t.id)!.properties.owner_name;
    };
    const twoAway = `/tiles/parcel/${t.z}/${t.x + 2}/${t.y}.mvt`;
    const farBefore = await api(secondUrl + twoAway);
    const original = await ownerOf(secondUrl); // now cached in the second process
    expect(await ownerOf(secondUrl)).toBe(original);
    try {
      // the change goes through the first process's database connection, not the second's
      await pool.query(`UPDATE parcel SET owner_name = '协同测试户' WHERE id = $1`, [t.id]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await ownerOf(secondUrl)).toBe('协同测试户');
      expect(await ownerOf(appUrl())).toBe('协同测试户');
      // a tile two tiles away stays cached in the second process
      const far = await api(secondUrl + twoAway);
      expect(far.headers.get('x-cache')).toBe('HIT');
      expect(far.headers.get('etag')).toBe(farBefore.headers.get('etag'));
    } finally {
      await pool.query('UPDATE parcel SET owner_name = $2 WHERE id = $1', [t.id, original]);
    }
  });
});
