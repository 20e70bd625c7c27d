// Database functions and triggers are defined in exactly one place: a file of migrations/functions/,
// re-applied on every start (server/db/migrate.ts), never a numbered migration. And the files alone
// decide them: a database migrated from scratch has the same functions and triggers as the test
// database (which the suites have been using, and on PostgreSQL may have been migrated before).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { functionsDirName, migrate, migrationsDir, sqlFiles } from '../../server/db/migrate.ts';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();
const functionsDir = path.join(migrationsDir, functionsDirName);

/** file name → SQL text without -- comments (a comment naming a function defines nothing) */
async function readSql(dir: string): Promise<Map<string, string>> {
  const files = await sqlFiles(dir);
  return new Map(await Promise.all(files.map(async (f) =>
    [f, (await readFile(path.join(dir, f), 'utf8')).replace(/--[^\n]*/g, '')] as [string, string])));
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** which functions files and which numbered migrations match */
function definers(texts: { functions: Map<string, string>; numbered: Map<string, string> }, re: RegExp): { functions: string[]; numbered: string[] } {
  const match = (m: Map<string, string>) => [...m].filter(([, sql]) => re.test(sql)).map(([f]) => f);
  return { functions: match(texts.functions), numbered: match(texts.numbered) };
}

const functionDefinition = (name: string): RegExp =>
  new RegExp(`\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+(?:public\\.)?"?${escape(name)}"?\\s*\\(`, 'i');

/** CREATE [OR REPLACE] TRIGGER <name>, or the per-table template of a loop over tables:
 *  format('CREATE OR REPLACE TRIGGER %I_touch … ON %I …', t, t) defines parcel_touch on parcel */
function triggerDefinition(table: string, name: string): RegExp {
  const names = [escape(name)];
  if (name.startsWith(`${table}_`)) names.push(`%I_${escape(name.slice(table.length + 1))}`);
  return new RegExp(`\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:CONSTRAINT\\s+)?TRIGGER\\s+(?:${names.join('|')})\\s`, 'i');
}

interface Defs {
  functions: Record<string, string>;
  triggers: Record<string, string>;
}

/** every zs_ function (by signature) and every trigger on a public table, with their definitions */
async function definitions(db: pg.Pool): Promise<Defs> {
  const f = await db.query<{ sig: string; def: string }>(
    `SELECT p.oid::regprocedure::text AS sig, pg_get_functiondef(p.oid) AS def
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proname LIKE 'zs\\_%' ORDER BY 1`);
  const t = await db.query<{ name: string; def: string }>(
    `SELECT c.relname || '.' || t.tgname AS name, pg_get_triggerdef(t.oid) AS def
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1`);
  return {
    functions: Object.fromEntries(f.rows.map((r) => [r.sig, r.def])),
    triggers: Object.fromEntries(t.rows.map((r) => [r.name, r.def])),
  };
}

describe('database functions and triggers', () => {
  it('each zs_ function and each trigger is defined by exactly one functions file and by no numbered migration', async () => {
    const texts = { functions: await readSql(functionsDir), numbered: await readSql(migrationsDir) };
    const functions = (await pool.query<{ name: string }>(
      `SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname LIKE 'zs\\_%' ORDER BY 1`)).rows;
    const triggers = (await pool.query<{ table: string; name: string }>(
      `SELECT c.relname AS table, t.tgname AS name
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1, 2`)).rows;
    // the catalogue is not empty: the queries do find what the files create
    expect(functions.map((f) => f.name)).toEqual(expect.arrayContaining(['zs_record_change', 'zs_touch', 'zs_check_scope']));
    expect(triggers).toEqual(expect.arrayContaining([{ table: 'parcel', name: 'parcel_history' }, { table: 'change_log', name: 'change_log_progress' }]));

    const wrong: string[] = [];
    for (const { name } of functions) {
      const d = definers(texts, functionDefinition(name));
      if (d.functions.length !== 1 || d.numbered.length) wrong.push(`function ${name}: functions files [${d.functions}], numbered migrations [${d.numbered}]`);
    }
    for (const { table, name } of triggers) {
      const d = definers(texts, triggerDefinition(table, name));
      if (d.functions.length !== 1 || d.numbered.length) wrong.push(`trigger ${name} on ${table}: functions files [${d.functions}], numbered migrations [${d.numbered}]`);
    }
    expect(wrong).toEqual([]);
  });

  it('no numbered migration creates a function or a trigger, and every function the files create exists', async () => {
    const texts = { functions: await readSql(functionsDir), numbered: await readSql(migrationsDir) };
    const creates = /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(?:FUNCTION|PROCEDURE|TRIGGER)\b/i;
    expect([...texts.numbered].filter(([, sql]) => creates.test(sql)).map(([f]) => f)).toEqual([]);
    const named = [...texts.functions.values()].flatMap((sql) =>
      [...sql.matchAll(/\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?"?(\w+)"?\s*\(/gi)].map((m) => m[1].toLowerCase()));
    const { rows } = await pool.query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = ANY ($1)`, [named]);
    expect(named.filter((n) => !rows.some((r) => r.name === n))).toEqual([]);
  });

  it('a database migrated from scratch has the same zs_ functions and triggers as the test database', async (ctx) => {
    const fresh = await openFreshDatabase();
    if ('skip' in fresh) {
      process.stdout.write(`functions.test.ts: comparison with a fresh database skipped: ${fresh.skip}\n`);
      ctx.skip(fresh.skip);
      return;
    }
    try {
      const freshPool = new pg.Pool({ connectionString: fresh.url, max: 1 });
      try {
        await migrate(freshPool);
        const [mine, theirs] = [await definitions(pool), await definitions(freshPool)];
        expect(Object.keys(mine.functions).length).toBeGreaterThan(0);
        expect(Object.keys(mine.triggers).length).toBeGreaterThan(0);
        expect(mine).toEqual(theirs);
      } finally {
        await freshPool.end();
      }
    } finally {
      await fresh.close();
    }
  }, 180_000);
});

/** A second, empty database on the same backend: a new database on the PostgreSQL server, or a
 *  second embedded PGlite (PGlite is one database, so there is no CREATE DATABASE to use there). */
async function openFreshDatabase(): Promise<{ url: string; close(): Promise<void> } | { skip: string }> {
  if (inject('backend') === 'postgres') {
    const adminUrl = new URL(inject('databaseUrl'));
    adminUrl.pathname = '/postgres';
    const name = `zs_functions_test_${process.pid}_${Date.now()}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    try {
      await admin(`CREATE DATABASE ${name}`);
    } catch (err) {
      return { skip: `cannot create a second database on the PostgreSQL server: ${(err as Error).message}` };
    }
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${name}`;
    return { url: url.toString(), close: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zs-functions-test-'));
  try {
    const db = await startEmbeddedDatabase(dataDir);
    return {
      url: db.url,
      async close() {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    return { skip: `cannot start a second embedded PGlite: ${(err as Error).message}` };
  }
}
