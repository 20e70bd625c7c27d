// The server's first start: load the scale-1 demo district if there are no projects yet. Two
// processes starting at once must not both load it, so the check is repeated under a
// transaction-scoped advisory lock; the loser sees the winner's rows and does nothing.
import type pg from 'pg';
import { generateDistrict } from './demo/index.ts';
import { writeDistrict } from './load.ts';

const SEED_LOCK = 73190522; // pg_advisory_xact_lock key (migrate.ts uses 73190521)

async function hasProjects(client: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM project) AS any');
  return rows[0].any;
}

/** Loads the demo when `project` is empty; true if it did. */
export async function seedDemoIfEmpty(pool: pg.Pool, log: (msg: string) => void = () => {}): Promise<boolean> {
  if (await hasProjects(pool)) return false; // the common case, without generating anything
  const district = generateDistrict({ scale: 1 });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if (await hasProjects(client)) {
      await client.query('ROLLBACK');
      return false;
    }
    const started = performance.now();
    log('loading the demo district (synthetic data)…');
    const counts = await writeDistrict(client, district, log);
    await client.query('COMMIT');
    log(`demo district loaded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
