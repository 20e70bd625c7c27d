// The conflict-analysis capability (压占分析): thin routes over plain functions.
//   POST /api/conflicts               red line (GeoJSON or projectId) → overlaps per constraint layer, areas both ways
//   POST /api/conflicts/replacement   → farmland candidates to replace the cane-base land taken (调整置换地)
//   POST /api/conflicts/report        → the printable report, HTML (default) or PDF (format: "pdf")
//   GET  /api/conflicts/report?projectId=…&format=pdf|html&analyst=…   the same for a stored project
//   POST /api/conflicts/package       → the approval package (报批材料: 界址点, 地类, 三区三线), Excel (default) or PDF
//   GET  /api/conflicts/package?projectId=…&format=xlsx|pdf              the same for a stored project
//   POST /api/conflicts/overlaps?format=geojson|shp|dxf|gpkg&crs=4490|45xx  → the overlaps as a GIS file (压占图斑)
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { beijingDate, fileStamp } from '../../geo/time.ts';
import { DomainError } from '../core/errors.ts';
import { useDepthCheckedJson } from '../core/json.ts';
import { seesSensitive } from '../core/release.ts';
import { id, idOrNull, int, noQuery, object, text } from '../core/schemas.ts';
import { analyseConflicts } from './analysis.ts';
import { readConflictRequest } from './input.ts';
import type { Viewer } from './layers.ts';
import type { WriteFeatureFile } from '../core/feature-file.ts';
import { overlapCrs, overlapFile, overlapFormat, overlapLayers } from './overlaps.ts';
import { approvalPackage, packageFileName, packageHtml, packageWorkbook } from './package.ts';
import { PdfRenderer } from '../core/pdf.ts';
import { proposeReplacement } from './replacement.ts';
import { type ReportMeta, reportHtml } from './report.ts';

/** The viewer for the sensitive-attribute rule (layers.ts): military attributes only with the grant. */
function viewerOf(request: FastifyRequest): Viewer {
  return { actor: request.actor, mayReadSensitive: seesSensitive(request.user) };
}

const invalid = (message: string, field: string) => new DomainError('invalid_input', message, { field }, { field });

function intList(v: unknown, key: string): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) throw invalid(`${key} must be an array of whole numbers`, key);
  return v as number[];
}

function reportMeta(b: Record<string, unknown>): ReportMeta {
  const str = (k: string, max: number): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || v.length > max) throw invalid(`${k} must be text of at most ${max} characters`, k);
    return v;
  };
  const date = str('date', 10);
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid('date must be YYYY-MM-DD', 'date');
  return { projectName: str('projectName', 200), analyst: str('analyst', 100), unit: str('unit', 200), reviewer: str('reviewer', 100), date };
}

// ---- what the routes take (server/core/schemas.ts); input.ts checks the red line itself ----
const format = { type: 'string', enum: ['html', 'pdf'] } as const;
/** Either a red line ("geometry", or the body itself as GeoJSON) or a stored project, and the options. */
const analysisFields = {
  projectId: idOrNull,
  excludeProjectId: idOrNull,
  zone: { type: ['integer', 'null'], minimum: 1, maximum: 120 },
  toleranceM2: { type: 'number', minimum: 0, maximum: 1e12 },
  makeValid: { type: 'boolean' },
  crs: { type: ['string', 'integer', 'object', 'null'], maxLength: 200, pattern: '^[^\\u0000]*$' },
  geometry: { type: ['object', 'null'] },
} as const;
const reportFields = { projectName: text(200), analyst: text(100), unit: text(200), reviewer: text(100), date: { type: ['string', 'null'], pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' }, format } as const;
/** GeoJSON at the top level (type, coordinates, features…) is allowed, so unknown names are not refused. */
const analysisBody = { type: 'object', properties: analysisFields } as const;
const replacementBody = {
  type: 'object',
  properties: {
    ...analysisFields,
    excludeIds: { type: ['array', 'null'], maxItems: 100_000, items: id },
    kinds: { type: 'array', items: { type: 'string', enum: ['permanent_basic', 'cultivated'] } },
    maxCandidates: int(1, 5000),
  },
} as const;
const reportBody = { type: 'object', properties: { ...analysisFields, ...reportFields } } as const;
const reportQuery = object({
  projectId: id, excludeProjectId: id, zone: int(1, 120), toleranceM2: analysisFields.toleranceM2, makeValid: { type: 'boolean' }, ...reportFields,
}, ['projectId']);
const packageFormat = { type: 'string', enum: ['xlsx', 'pdf'] } as const;
const packageFields = { ...reportFields, format: packageFormat } as const;
const packageBody = { type: 'object', properties: { ...analysisFields, ...packageFields } } as const;
const packageQuery = object({
  projectId: id, excludeProjectId: id, zone: int(1, 120), toleranceM2: analysisFields.toleranceM2, makeValid: { type: 'boolean' }, ...packageFields,
}, ['projectId']);
const overlapsQuery = object({
  format: { type: 'string', enum: ['geojson', 'shp', 'dxf', 'gpkg'] },
  crs: { type: 'string', pattern: '^(?:[Ee][Pp][Ss][Gg]:)?\\d{4,5}$' },
});
const overlapsBody = {
  type: 'object',
  properties: { ...analysisFields, layers: { type: ['array', 'null'], maxItems: 50, items: { type: 'string', maxLength: 64 } } },
} as const;
/** The PDF lists every boundary point, about 45 to a page: beyond this many, the Excel workbook is the package. */
export const PACKAGE_PDF_MAX_POINTS = 5000;

export interface ConflictsOptions {
  /** the exchange's writers (server/app.ts hands them in): the overlap export */
  writeFeatureFile: WriteFeatureFile;
}

export const conflictsPlugin: FastifyPluginAsync<ConflictsOptions> = async (app, opts) => {
  const pdf = new PdfRenderer();
  app.addHook('onClose', () => pdf.close());
  // GeoJSON files sent as they are
  useDepthCheckedJson(app, ['application/geo+json']);

  const analyse = async (request: FastifyRequest, body: unknown) => {
    const { source, options } = readConflictRequest(body);
    // the red line on the primary (current); the constraints from where the route reads (a replica may serve)
    return analyseConflicts({ pool: app.pg.pool, constraints: (await request.reader()).pool, fields: await app.layerFields(), source, options, viewer: viewerOf(request) });
  };

  app.post('/api/conflicts', { schema: { querystring: noQuery, body: analysisBody } }, async (request) => analyse(request, request.body));

  app.post('/api/conflicts/replacement', { schema: { querystring: noQuery, body: replacementBody } }, async (request) => {
    const { source, options } = readConflictRequest(request.body);
    const b = request.body as Record<string, unknown>;
    const kinds = b.kinds;
    if (kinds !== undefined && (!Array.isArray(kinds) || kinds.some((k) => k !== 'permanent_basic' && k !== 'cultivated'))) {
      throw invalid('kinds must list "permanent_basic" and/or "cultivated"', 'kinds');
    }
    const max = b.maxCandidates;
    if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 5000)) {
      throw invalid('maxCandidates must be a whole number from 1 to 5000', 'maxCandidates');
    }
    const { analysis, ...result } = await proposeReplacement({
      pool: app.pg.pool, constraints: (await request.reader()).pool, fields: await app.layerFields(), source, options, viewer: viewerOf(request),
      excludeIds: intList(b.excludeIds, 'excludeIds'), kinds: kinds as string[] | undefined, maxCandidates: max as number | undefined,
    });
    return { ...result, redLine: { project: analysis.redLine.project, area: analysis.redLine.area }, convention: analysis.convention };
  });

  const report = async (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>, format: unknown) => {
    if (format !== undefined && format !== 'html' && format !== 'pdf') throw invalid('format must be "html" or "pdf"', 'format');
    const meta = reportMeta(body);
    const result = await analyse(request, body);
    const html = reportHtml(result, meta);
    if (format !== 'pdf') return reply.type('text/html; charset=utf-8').send(html);
    const file = await pdf.render(html);
    const name = `压占分析报告-${result.redLine.project?.code ?? 'redline'}-${fileStamp(meta.date ?? beijingDate(result.computedAt))}.pdf`;
    return reply.type('application/pdf')
      .header('Content-Disposition', `attachment; filename="conflict-report.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(file);
  };

  const approval = async (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>, format: unknown) => {
    if (format !== undefined && format !== 'xlsx' && format !== 'pdf') throw invalid('format must be "xlsx" or "pdf"', 'format');
    const meta = reportMeta(body);
    const pkg = approvalPackage(await analyse(request, body), meta);
    const ext = format === 'pdf' ? 'pdf' : 'xlsx';
    const disposition = `attachment; filename="approval-package.${ext}"; filename*=UTF-8''${encodeURIComponent(packageFileName(pkg, ext))}`;
    if (ext === 'xlsx') {
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('Content-Disposition', disposition).send(await packageWorkbook(pkg));
    }
    if (pkg.points.length > PACKAGE_PDF_MAX_POINTS) {
      throw new DomainError('too_many_boundary_points',
        `the red line has ${pkg.points.length} boundary points: the PDF lists at most ${PACKAGE_PDF_MAX_POINTS}; download the Excel workbook (format=xlsx)`,
        { points: pkg.points.length, max: PACKAGE_PDF_MAX_POINTS });
    }
    return reply.type('application/pdf').header('Content-Disposition', disposition).send(await pdf.render(packageHtml(pkg)));
  };

  app.post<{ Querystring: { format?: string } }>('/api/conflicts/package', {
    schema: { querystring: object({ format: packageFormat }), body: packageBody },
  }, async (request, reply) => {
    const { format: inBody, ...rest } = (request.body ?? {}) as Record<string, unknown>;
    return approval(request, reply, rest, request.query.format ?? inBody);
  });

  app.get<{ Querystring: Record<string, string | number | boolean> }>('/api/conflicts/package', {
    schema: { querystring: packageQuery },
  }, async (request, reply) => {
    const { format: asked, ...q } = request.query;
    return approval(request, reply, { ...q }, asked);
  });

  app.post<{ Querystring: { format?: string; crs?: string } }>('/api/conflicts/overlaps', {
    schema: { querystring: overlapsQuery, body: overlapsBody },
  }, async (request, reply) => {
    const format = overlapFormat(request.query.format);
    const { layers: asked, ...body } = (request.body ?? {}) as Record<string, unknown>;
    const result = await analyse(request, body);
    const layers = overlapLayers(result, asked);
    // CAD works in metres: DXF defaults to the analysis' zone; the rest to CGCS2000 lon/lat
    const crs = overlapCrs(request.query.crs, format === 'dxf' ? result.convention.planarEpsg : 4490);
    const file = await overlapFile(app.pg.pool, opts.writeFeatureFile, result, { format, crs, layers });
    const name = `压占图斑-${result.redLine.project?.code ?? 'redline'}-${fileStamp(beijingDate(result.computedAt))}-EPSG${crs.epsg}.${file.extension}`;
    return reply.type(file.contentType)
      .header('Content-Disposition', `attachment; filename="conflict-overlaps.${file.extension}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('x-feature-count', String(file.count))
      .header('x-export-crs', `EPSG:${crs.epsg}`)
      .header('access-control-expose-headers', 'x-feature-count, x-export-crs, content-disposition')
      .send(file.bytes);
  });

  app.post<{ Querystring: { format?: string } }>('/api/conflicts/report', {
    schema: { querystring: object({ format }), body: reportBody },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { format: inBody, ...rest } = body;
    return report(request, reply, rest, request.query.format ?? inBody);
  });

  app.get<{ Querystring: Record<string, string | number | boolean> }>('/api/conflicts/report', {
    schema: { querystring: reportQuery },
  }, async (request, reply) => {
    const { format: asked, ...q } = request.query;
    return report(request, reply, { ...q }, asked);
  });
};
