import pg from 'pg';
import { startEmbeddedDatabase } from './server/db/embedded.ts';
import { guardPool } from './server/db/connection.ts';
import { toErrorReply } from './server/core/errors.ts';
const e = await startEmbeddedDatabase('/tmp/pgl-sup', { error: (o, m) => console.log('ERR', m), info: (o, m) => console.log('INFO', m) });
const pool = guardPool(new pg.Pool({ connectionString: e.url, max: 1, idleTimeoutMillis: 0 }), { warn: (o, m) => console.log('WARN', m) });
console.log(await pool.query('select 1 as x').then(r => r.rows));
await e.engine.close();
const t = Date.now();
for (let i = 0; i < 6; i++) {
  const r = await pool.query('select 1 as x').then(r => 'ok', err => JSON.stringify(toErrorReply(err).body) + ' ' + err.message);
  console.log(Date.now() - t, r);
  await new Promise(r => setTimeout(r, 300));
}
await e.recovered();
console.log(await pool.query('select 1 as x').then(r => r.rows), Date.now() - t);
await pool.end(); await e.close();
