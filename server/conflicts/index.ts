// The conflict-analysis capability (压占分析): thin routes over plain functions.
//   POST /api/conflicts               red line (GeoJSON or projectId) → overlaps per constraint layer, areas both ways
//   POST /api/conflicts/replacement   → farmland candidates to replace the cane-base land taken (调整置换地)
//   POST /api/conflicts/report        → the printable report, HTML (default) or PDF (format: "pdf")
//   GET  /api/conflicts/report?projectId=…&format=pdf|html&analyst=…   the same for a stored project
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { seesSensitive } from '../core/release.ts';
import { analyseConflicts } from './analysis.ts';
import { ConflictInputError, readConflictRequest } from './input.ts';
import type { Viewer } from './layers.ts';
import { PdfRenderer } from './pdf.ts';
import { proposeReplacement } from './replacement.ts';
import { type ReportMeta, reportHtml } from './report.ts';

/** The viewer for the sensitive-attribute rule (layers.ts): military attributes only with the grant. */
function viewerOf(request: FastifyRequest): Viewer {
  return { actor: request.actor, mayReadSensitive: seesSensitive(request.user) };
}

function sendError(reply: FastifyReply, err: unknown) {
  if (err instanceof ConflictInputError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
  throw err;
}

function intList(v: unknown, key: string): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) throw new ConflictInputError(400, 'bad_request', `${key} must be an array of whole numbers`);
  return v as number[];
}

function reportMeta(b: Record<string, unknown>): ReportMeta {
  const str = (k: string, max: number): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || v.length > max) throw new ConflictInputError(400, 'bad_request', `${k} must be text of at most ${max} characters`);
    return v;
  };
  const date = str('date', 10);
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ConflictInputError(400, 'bad_request', 'date must be YYYY-MM-DD');
  return { projectName: str('projectName', 200), analyst: str('analyst', 100), date };
}

export const conflictsPlugin: FastifyPluginAsync = async (app) => {
  const pdf = new PdfRenderer();
  app.addHook('onClose', () => pdf.close());
  // GeoJSON files sent as they are
  app.addContentTypeParser('application/geo+json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      (err as Error & { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });

  const analyse = async (request: FastifyRequest, body: unknown) => {
    const { source, options } = readConflictRequest(body);
    return analyseConflicts({ pool: app.pg.pool, fields: await app.layerFields(), source, options, viewer: viewerOf(request) });
  };

  app.post('/api/conflicts', async (request, reply) => {
    try {
      return await analyse(request, request.body);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/api/conflicts/replacement', async (request, reply) => {
    try {
      const { source, options } = readConflictRequest(request.body);
      const b = request.body as Record<string, unknown>;
      const kinds = b.kinds;
      if (kinds !== undefined && (!Array.isArray(kinds) || kinds.some((k) => k !== 'permanent_basic' && k !== 'cultivated'))) {
        throw new ConflictInputError(400, 'bad_request', 'kinds must list "permanent_basic" and/or "cultivated"');
      }
      const max = b.maxCandidates;
      if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 5000)) {
        throw new ConflictInputError(400, 'bad_request', 'maxCandidates must be a whole number from 1 to 5000');
      }
      const { analysis, ...result } = await proposeReplacement({
        pool: app.pg.pool, fields: await app.layerFields(), source, options, viewer: viewerOf(request),
        excludeIds: intList(b.excludeIds, 'excludeIds'), kinds: kinds as string[] | undefined, maxCandidates: max as number | undefined,
      });
      return { ...result, redLine: { project: analysis.redLine.project, area: analysis.redLine.area }, convention: analysis.convention };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  const report = async (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>, format: unknown) => {
    try {
      if (format !== undefined && format !== 'html' && format !== 'pdf') throw new ConflictInputError(400, 'bad_request', 'format must be "html" or "pdf"');
      const meta = reportMeta(body);
      const result = await analyse(request, body);
      const html = reportHtml(result, meta);
      if (format !== 'pdf') return reply.type('text/html; charset=utf-8').send(html);
      const file = await pdf.render(html);
      const name = `压占分析报告-${result.redLine.project?.code ?? 'redline'}-${meta.date ?? new Date().toISOString().slice(0, 10)}.pdf`;
      return reply.type('application/pdf')
        .header('Content-Disposition', `attachment; filename="conflict-report.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(file);
    } catch (err) {
      return sendError(reply, err);
    }
  };

  app.post<{ Querystring: { format?: string } }>('/api/conflicts/report', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { format, ...rest } = body;
    return report(request, reply, rest, request.query.format ?? format);
  });

  app.get<{ Querystring: Record<string, string> }>('/api/conflicts/report', async (request, reply) => {
    const { format, ...q } = request.query;
    const body: Record<string, unknown> = { ...q };
    if (q.toleranceM2 !== undefined) body.toleranceM2 = Number(q.toleranceM2);
    return report(request, reply, body, format);
  });
};
