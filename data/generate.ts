// `npm run generate -- [--scale N] [--seed S] [--reset] [--dry-run]`: generate the demo district and
// load it into DATABASE_URL (migrations applied first). --reset empties the domain tables and
// change_log first; --dry-run only generates and prints the counts. The benchmark scale is
// BENCHMARK_SCALE (see data/demo/index.ts).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../server/db/migrate.ts';
import { BENCHMARK_SCALE, DEFAULT_SEED, TABLE_ORDER, countRows, generateDistrict } from './demo/index.ts';
import { loadDistrict } from './load.ts';

interface Options { scale: number; seed: number; reset: boolean; dryRun: boolean }

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      reset: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run generate -- [--scale N] [--seed S] [--reset] [--dry-run]\n  scale 1 = the demo; scale ${BENCHMARK_SCALE} = the benchmark data set`);
    process.exit(0);
  }
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  if (!(scale >= 1)) throw new Error(`--scale must be a number ≥ 1 (got ${values.scale})`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got ${values.seed})`);
  return { scale, seed, reset: values.reset, dryRun: values['dry-run'] };
}

async function resetTables(pool: pg.Pool): Promise<void> {
  const tables = [...TABLE_ORDER, 'change_log'].join(', ');
  await pool.query(`TRUNCATE ${tables} RESTART IDENTITY CASCADE`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const t0 = performance.now();
  const district = generateDistrict({ scale: options.scale, seed: options.seed });
  const generatedIn = (performance.now() - t0) / 1000;
  console.log(`generated scale ${options.scale} (seed ${options.seed}) in ${generatedIn.toFixed(1)} s`);
  if (options.dryRun) {
    console.table(countRows(district));
    return;
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (postgres://…): the database to load into');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pool);
    if (options.reset) {
      await resetTables(pool);
      console.log('reset: domain tables and change_log emptied');
    }
    const t1 = performance.now();
    const counts = await loadDistrict(pool, district, (msg) => console.log(`  ${msg}`));
    console.table(counts);
    console.log(`loaded in ${((performance.now() - t1) / 1000).toFixed(1)} s (total ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
