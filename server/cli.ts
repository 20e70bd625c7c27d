// The command line for batch work: the same export and import as the API, on DATABASE_URL (or the
// embedded database when the server is not running), with progress on the terminal.
//   npm run cli -- export --layer parcel --format gpkg [--crs EPSG:4524|gk|gk-noprefix] [--encoding gbk]
//                         [--project ID|CODE] [--command-area CODE] [--status signed,paid] [--bbox x0,y0,x1,y1]
//                         [--eol lf] [--out FILE] [--stats] [--no-sensitive]
//   npm run cli -- import FILE... [--layer parcel] [--crs EPSG:4524] [--encoding gbk] [--project ID]
//                         [--mapping JSON] [--defaults JSON] [--commit] [--actor NAME] [--reason TEXT]
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { type Config, loadConfig } from './config.ts';
import type { ExportMeta, ExportParams } from './exchange/export.ts';
import { exportFileInWorker } from './exchange/export-in-worker.ts';
import { ExchangeError, formatId, SPOOLED_FORMATS } from './exchange/formats-known.ts';

// A batch job starts a process per run, so start-up counts (the export benchmark measures it): only
// what the command needs is loaded. A Shapefile, GeoPackage or ledger into a file on PostgreSQL is
// handed whole to an export worker (exchange/export-in-worker.ts), so this thread loads neither pg nor
// any format; the embedded database (PGlite, its WASM build) and the import pipeline load only when used.

/** The database: DATABASE_URL straight through pg (as db/database.ts does), else the embedded one. */
async function connect(config: Config): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  const { migrate } = await import('./db/migrate.ts');
  const opened = await openPool(config);
  try {
    await migrate(opened.pool);
  } catch (err) {
    await opened.close();
    throw err;
  }
  return opened;
}

async function openPool(config: Config): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  if (config.databaseUrl) {
    const { default: pg } = await import('pg');
    pg.types.setTypeParser(1082, (value: string) => value); // dates stay 'YYYY-MM-DD', as in db/database.ts
    const { guardPool } = await import('./db/connection.ts');
    const pool = guardPool(new pg.Pool({ connectionString: config.databaseUrl, max: config.poolMax, connectionTimeoutMillis: 10_000 }), { warn: () => {} });
    return { pool, close: () => pool.end() };
  }
  const { createPool, openDatabase } = await import('./db/database.ts');
  const database = await openDatabase(config);
  const pool = createPool(database);
  return { pool, close: async () => { await pool.end(); await database.close(); } };
}

const USAGE = `usage:
  npm run cli -- export --layer parcel --format geojson|csv|shp|gpkg|kml|dxf|xlsx|txt [--crs EPSG:4490|4326|4524|4525|4545|4546|gk|gk-noprefix]
                        [--encoding utf-8|gbk] [--project ID|CODE] [--command-area CODE] [--status S1,S2] [--bbox x0,y0,x1,y1] [--out FILE] [--stats]
                        [--no-sensitive]   (leave out the layer's sensitive attributes, e.g. 军事用地's name/unit/use/notes)
  npm run cli -- import FILE... [--layer parcel] [--crs EPSG:4524] [--encoding gbk] [--project ID] [--mapping JSON] [--defaults JSON]
                        [--commit] [--actor NAME] [--reason TEXT]`;

const OPTIONS = {
  layer: { type: 'string', default: 'parcel' }, format: { type: 'string' }, crs: { type: 'string' }, encoding: { type: 'string' },
  project: { type: 'string' }, 'command-area': { type: 'string' }, status: { type: 'string' }, bbox: { type: 'string' },
  'max-id': { type: 'string' }, eol: { type: 'string' }, out: { type: 'string', short: 'o' }, stats: { type: 'boolean', default: false },
  mapping: { type: 'string' }, defaults: { type: 'string' }, commit: { type: 'boolean', default: false },
  actor: { type: 'string' }, reason: { type: 'string' }, 'no-sensitive': { type: 'boolean', default: false },
} as const;

const tty = process.stderr.isTTY;
function progress(line: string, final = false): void {
  if (tty) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
  else if (final) process.stderr.write(`${line}\n`);
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function exportCommand(values: Values, config: Config): Promise<number> {
  if (!values.format) throw new ExchangeError('--format is required');
  const t0 = performance.now();
  const bbox = values.bbox ? (values.bbox.split(',').map(Number) as [number, number, number, number]) : undefined;
  const params: ExportParams = {
    layer: values.layer!, format: values.format, crs: values.crs, encoding: values.encoding, eol: values.eol === 'lf' ? 'lf' : 'crlf',
    // the batch operator has the database itself: everything, unless asked to withhold
    sensitive: !values['no-sensitive'],
    filters: {
      project: values.project, commandArea: values['command-area'], status: values.status?.split(','), bbox,
      maxId: values['max-id'] ? Number(values['max-id']) : undefined,
    },
    onProgress: (done, total) => progress(`export ${values.layer} → ${values.format}: ${done.toLocaleString()} / ${total.toLocaleString()} (${total ? Math.round((done / total) * 100) : 100}%)`),
  };
  let out = values.out;
  let result: ExportMeta;
  if (config.databaseUrl && config.poolMax > 1 && SPOOLED_FORMATS.has(formatId(values.format)) && out && out !== '-') {
    result = await exportFileInWorker(config.databaseUrl, params, out);
  } else {
    const { pool, close } = await connect(config);
    try {
      const { exportToFile, startExport } = await import('./exchange/export.ts');
      const { loadLayerFields } = await import('./core/catalogue.ts');
      const layerFields = await loadLayerFields(pool);
      if (out && out !== '-') result = await exportToFile(pool, layerFields, params, out);
      else {
        // to stdout, or to the file name the export gives (known once the rows are counted)
        const r = await startExport(pool, layerFields, params);
        out ??= r.fileName;
        await pipeline(r.stream, out === '-' ? process.stdout : createWriteStream(out));
        result = r;
      }
    } finally {
      await close();
    }
  }
  const bytes = out === '-' ? 0 : (await stat(out!)).size;
  const ms = performance.now() - t0;
  progress(`export ${values.layer} → ${out}: ${result.count.toLocaleString()} features, EPSG:${result.epsg}, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s`, true);
  if (values.stats) {
    process.stderr.write(`${JSON.stringify({ rows: result.count, bytes, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  }
  return 0;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'export' && command !== 'import') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  const config = loadConfig(process.env);
  if (command === 'export') return exportCommand(values, config);
  const { pool, close } = await connect(config);
  try {
    if (positionals.length === 0) throw new ExchangeError('import needs at least one file');
    const { commitImport, createPreview } = await import('./exchange/import.ts');
    const { parseCrsRequest } = await import('./exchange/source.ts');
    const files = await Promise.all(positionals.map(async (f) => ({ name: path.basename(f), path: f, size: (await stat(f)).size })));
    const crs = parseCrsRequest(values.crs);
    if (typeof crs === 'string') throw new ExchangeError('--crs for an import must name the zone (EPSG:4524/4525/4545/4546)');
    const defaults = values.defaults ? JSON.parse(values.defaults) : {};
    if (values.project) defaults.project_id = Number(values.project);
    // a local tool: the database's own rights (every role, no area scope), recorded under its name
    const { localActor } = await import('./core/write.ts');
    const actor = localActor(values.actor ?? `cli:${os.userInfo().username}`);
    progress(`reading ${files.map((f) => f.name).join(', ')}…`);
    const { loadFeatureColumns, loadLayerFields } = await import('./core/catalogue.ts');
    const columns = await loadFeatureColumns(pool, await loadLayerFields(pool));
    const preview = await createPreview(pool, files, {
      layer: values.layer!, actor, previewHours: config.importPreviewHours, limits: { maxUncompressedBytes: config.importMaxUncompressedBytes }, columns, epsg: crs, encoding: values.encoding as 'utf-8' | 'gbk' | undefined,
      mapping: values.mapping ? JSON.parse(values.mapping) : undefined, defaults,
    });
    progress(`import #${preview.id} ${preview.fileName} (${preview.format}, ${preview.crs.epsg ? `EPSG:${preview.crs.epsg} from ${preview.crs.source}` : 'attributes only'}): ` +
      `${preview.counts.features} features, ${preview.counts.insert} new, ${preview.counts.update} updates, ${preview.counts.errors} errors, ${preview.counts.warnings} warnings`, true);
    for (const n of preview.notes) process.stderr.write(`  note: ${n}\n`);
    const findings = preview.features.flatMap((f) => f.issues.filter((i) => i.severity !== 'info').map((i) => `  ${i.severity.padEnd(7)} ${f.ref}: ${i.message}`));
    for (const line of findings.slice(0, 30)) process.stderr.write(`${line}\n`);
    if (findings.length > 30) process.stderr.write(`  … and ${findings.length - 30} more\n`);
    if (!values.commit) {
      process.stderr.write(`preview only: run again with --commit, or POST /api/import/${preview.id}/commit\n`);
      return preview.counts.errors ? 1 : 0;
    }
    const cols = columns.get(preview.layer)!;
    const done = await commitImport(pool, cols, preview.id, actor, config.importPreviewHours, values.reason);
    process.stderr.write(`committed import #${done.id} into ${done.layer}: ${done.inserted} inserted, ${done.updated} updated (history: ${actor.username})\n`);
    return 0;
  } finally {
    await close();
  }
}

main().then((code) => process.exit(code), (err) => {
  // the exchange's own errors (ExchangeError, FileFormatError) carry a status: their message is the report
  if (typeof (err as { statusCode?: unknown })?.statusCode === 'number') process.stderr.write(`\n${(err as Error).message}\n`);
  else process.stderr.write(`\n${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
