// The exchange capability (issue #6): export a layer in the formats land bureaus, CAD offices and the
// ministry's approval systems read; import their files through a validated preview and a commit.
//   GET  /api/export?layer=&format=&crs=&encoding=&project=&command_area=&status=&bbox=&filter=   (streamed)
//   GET  /api/export/formats
//   POST /api/import            multipart: file(s) + layer, crs, encoding, mapping (JSON), defaults (JSON)
//   GET  /api/import/:id        the preview again;  GET /api/import/:id/features  GeoJSON for the map
//   POST /api/import/:id/commit one transaction, recorded in the history as request.actor
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf } from '../core/actor.ts';
import { DomainError } from '../core/errors.ts';
import { jsonDepth, MAX_JSON_DEPTH, tooDeep } from '../core/json.ts';
import { layerGeometry } from '../core/catalogue.ts';
import { checkFilter, checkFilterLang, type FilterContext, parseFilter, queryablesOf } from '../core/filter.ts';
import { releasedColumns, seesSensitive } from '../core/release.ts';
import { bbox as bboxSchema, idParams, noQuery, object, text } from '../core/schemas.ts';
import { parseBbox } from '../../geo/bbox.ts';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { startExport } from './export.ts';
import { commitImport, createPreview, loadPreview, previewFeatures, startPreviewSweep } from './import.ts';
import { DEFAULT_IMPORT_LIMITS, IMPORT_MAX_BYTES, mb } from './limits.ts';
import { closeParseWorkers } from './parse-in-worker.ts';
import { withImportDir } from './prepare.ts';
import { EXPORTERS } from './registry.ts';
import { ExchangeError, EXPORT_EPSG, type ExportFilters, parseCrsRequest } from './source.ts';
import { ImportLimitError, type UploadedFile } from './types.ts';

export { IMPORT_MAX_BYTES };

/** How often previews past IMPORT_PREVIEW_HOURS are removed, with their rows. */
const PREVIEW_SWEEP_MS = 10 * 60_000;

/** An import preview's id in the path. */
const previewParams = idParams('id');

export interface ExportQuery {
  layer: string; format: string; crs?: string; encoding?: string; eol?: 'crlf' | 'lf';
  project?: string; command_area?: string; status?: string; bbox?: string;
  filter?: string; 'filter-lang'?: string;
}

/**
 * The multipart upload's files written into `dir` as they arrive (never held in memory), and its fields.
 * A file over IMPORT_MAX_BYTES is refused (413) as soon as it passes the limit.
 */
async function receiveUpload(request: FastifyRequest, dir: string): Promise<{ files: UploadedFile[]; fields: Record<string, string> }> {
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const name = part.filename || part.fieldname;
        const tooLarge = () => new ImportLimitError(name, undefined, `larger than the import limit of ${mb(IMPORT_MAX_BYTES)} MB: split it, or use the CLI (npm run cli -- import)`,
          'upload_size', mb(IMPORT_MAX_BYTES));
        // named by number: the client's file name never becomes a path
        const target = path.join(dir, `upload-${files.length}`);
        try {
          await pipeline(part.file, createWriteStream(target));
        } catch (err) {
          if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
          throw err;
        }
        if (part.file.truncated) throw tooLarge();
        files.push({ name, path: target, size: (await stat(target)).size });
      } else {
        const value = String(part.value);
        if (value.includes('\0')) throw new DomainError('invalid_input', `${part.fieldname} holds a NUL character`, { field: part.fieldname }, { field: part.fieldname });
        fields[part.fieldname] = value;
      }
    }
  } catch (err) {
    // the client went away mid-upload: its doing, not the server's fault (nothing to log)
    if (request.raw.destroyed && !(err instanceof DomainError)) throw new ExchangeError('the upload ended before it was complete');
    throw err;
  }
  return { files, fields };
}

export const exchangePlugin: FastifyPluginAsync<{ previewHours: number; maxUncompressedBytes?: number }> = async (app, opts) => {
  const hours = opts.previewHours;
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...(opts.maxUncompressedBytes ? { maxUncompressedBytes: opts.maxUncompressedBytes } : {}) };
  await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 10, fields: 20, fieldSize: 1024 * 1024 } });
  // expired previews go whether or not anyone uploads again; the first sweep once the app is ready
  const stopSweep = startPreviewSweep(app.pg.pool, hours, PREVIEW_SWEEP_MS, (err) => app.log.warn({ err }, 'removing expired import previews failed'));
  app.addHook('onClose', async () => {
    stopSweep();
    await closeParseWorkers();
  });

  app.get('/api/export/formats', { schema: { querystring: noQuery } }, async () => ({
    formats: [...EXPORTERS.values()].map((e) => ({
      id: e.id, label: e.label, extension: e.extension, defaultCrs: e.defaultCrs, crsKind: e.crsKind ?? 'any', defaultEncoding: e.defaultEncoding ?? 'utf-8',
    })),
    crs: [...EXPORT_EPSG, 'gk', 'gk-noprefix'],
  }));

  app.get<{ Querystring: ExportQuery }>('/api/export', {
    schema: {
      // the layer, format, crs and encoding are checked by name in export.ts (404 for an unknown layer)
      querystring: object({
        layer: text(64), format: text(64), crs: text(64), encoding: text(32),
        eol: { type: 'string', enum: ['crlf', 'lf'] }, project: text(200), command_area: text(200),
        status: text(1000), bbox: bboxSchema, filter: text(8000), 'filter-lang': text(32),
      }, ['layer', 'format']),
    },
  }, async (request, reply) => {
    const q = request.query;
    let bbox: [number, number, number, number] | undefined;
    if (q.bbox !== undefined) {
      const parsed = parseBbox(q.bbox);
      if (typeof parsed === 'string') throw new DomainError('invalid_input', parsed, { field: 'bbox' }, { field: 'bbox' });
      bbox = parsed;
    }
    parseCrsRequest(q.crs);
    const sensitive = seesSensitive(request.user);
    // the same CQL2 filter as the feature API's items, on the same queryables (those this reader may
    // read); its geometries in CRS84. Checked here, so a bad one is refused before any work starts.
    checkFilterLang(q['filter-lang']);
    let cql2: ExportFilters['cql2'];
    const layer = LAYER_BY_ID.get(q.layer);
    if (q.filter !== undefined && layer) {
      const expr = parseFilter(q.filter);
      const ctx: FilterContext = {
        queryables: queryablesOf(releasedColumns((await app.featureColumns()).get(layer.id)!, layer, sensitive)),
        geometry: layerGeometry(layer), crs: { srid: 4490, flip: false, geographic: true },
      };
      checkFilter(expr, ctx);
      cql2 = { ...ctx, expr };
    }
    const result = await startExport((await request.reader()).pool, await app.layerFields(), {
      layer: q.layer, format: q.format, crs: q.crs, encoding: q.encoding, eol: q.eol, sensitive, statementTimeoutMs: app.databaseLimits.longStatementTimeoutMs,
      filters: { project: q.project, commandArea: q.command_area, status: q.status?.split(',').map((s) => s.trim()).filter(Boolean), bbox, cql2 },
    });
    result.stream.on('error', (err) => request.log.error({ err }, 'export stream failed'));
    reply
      .header('content-type', result.contentType)
      .header('content-disposition', `attachment; filename="${result.fileName}"; filename*=UTF-8''${encodeURIComponent(result.fileName)}`)
      .header('x-feature-count', String(result.count))
      .header('x-export-crs', `EPSG:${result.epsg}`)
      .header('access-control-expose-headers', 'x-feature-count, x-export-crs, content-disposition');
    if (result.flagged) reply.header('x-crs-note', 'not RFC 7946: coordinates are in the CRS named in the "crs" member');
    return reply.send(result.stream);
  });

  // multipart: its fields are checked one by one below (a JSON schema cannot see inside the parts)
  app.post('/api/import', { schema: { querystring: noQuery } }, async (request, reply) => {
    if (!request.isMultipart()) throw new DomainError('unsupported_media_type', 'send the file(s) as multipart/form-data', { contentType: request.headers['content-type'] ?? null });
    // the request's files on disk (never its memory), in a folder removed however the request ends
    return withImportDir(undefined, async (dir) => {
      const { files, fields } = await receiveUpload(request, dir);
      const json = (name: string): Record<string, any> | undefined => {
        if (!fields[name]) return undefined;
        if (jsonDepth(fields[name]) > MAX_JSON_DEPTH) throw tooDeep();
        let value: unknown;
        try { value = JSON.parse(fields[name]); } catch { throw new ExchangeError(`${name} must be JSON`, 400, 'invalid_input', { field: name }); }
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ExchangeError(`${name} must be a JSON object`, 400, 'invalid_input', { field: name });
        return value as Record<string, any>;
      };
      const crs = parseCrsRequest(fields.crs);
      if (crs === 'gk' || crs === 'gk-noprefix') throw new ExchangeError('for an import, crs must name the zone: EPSG:4524/4525 (with zone prefix) or 4545/4546');
      const defaults = json('defaults') ?? {};
      if (fields.project) defaults.project_id = Number(fields.project);
      const encoding = fields.encoding?.toLowerCase();
      if (encoding && encoding !== 'utf-8' && encoding !== 'gbk') throw new ExchangeError(`encoding "${encoding}" is not utf-8 or gbk`);
      const layerId = fields.layer || 'parcel';
      // a client that goes away before the answer takes its parse with it
      const gone = new AbortController();
      const onClose = () => { if (!reply.raw.writableFinished) gone.abort(); };
      reply.raw.once('close', onClose);
      try {
        const preview = await createPreview(app.pg.pool, files, {
          layer: layerId, actor: actorOf(request), previewHours: hours, columns: await app.featureColumns(), epsg: crs, encoding: encoding as 'utf-8' | 'gbk' | undefined,
          mapping: json('mapping'), defaults, limits, workDir: dir, signal: gone.signal, statementTimeoutMs: app.databaseLimits.longStatementTimeoutMs,
        });
        return reply.code(201).send(preview);
      } finally {
        reply.raw.off('close', onClose);
      }
    });
  });

  app.get<{ Params: { id: number } }>('/api/import/:id', {
    schema: { params: previewParams, querystring: noQuery },
  }, async (request) => {
    return loadPreview(app.pg.pool, request.params.id, actorOf(request), hours);
  });

  app.get<{ Params: { id: number } }>('/api/import/:id/features', {
    schema: { params: previewParams, querystring: noQuery },
  }, async (request, reply) => {
    const features = await previewFeatures(app.pg.pool, request.params.id, actorOf(request), hours);
    return reply.type('application/geo+json').send(features);
  });

  app.post<{ Params: { id: number }; Body: { reason?: string } | undefined }>('/api/import/:id/commit', {
    schema: { params: previewParams, querystring: noQuery, body: { properties: { reason: text(1000) } } },
  }, async (request) => {
    const layer = (await app.pg.pool.query<{ layer: string }>('SELECT layer FROM import_batch WHERE id = $1', [request.params.id])).rows[0]?.layer;
    const cols = (await app.featureColumns()).get(layer ?? 'parcel')!;
    return commitImport(app.pg.pool, cols, request.params.id, actorOf(request), hours, request.body?.reason, app.databaseLimits.longStatementTimeoutMs);
  });
};
