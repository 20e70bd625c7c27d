// The progress capability (issue #7): figures as of any date, map colouring by % complete, monthly
// series for the dashboard, resettlement, reserved land, the problem log, the monthly dispatch report.
// Thin routes: each validates, calls one function of sql.ts / problems.ts / report.ts, returns its data.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { beijingDate, isCalendarDate } from '../../geo/time.ts';
import { actorOf } from '../core/actor.ts';
import { DomainError } from '../core/errors.ts';
import { releasedFields, seesSensitive } from '../core/release.ts';
import { ident } from '../core/catalogue.ts';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { parseBbox } from '../../geo/bbox.ts';
import { bbox as bboxSchema, date, dateOrNull, id, idOrNull, idParams, int, month, noQuery, object, positiveInt, text, textOrNull } from '../core/schemas.ts';
import {
  createProblem, listProblems, PROBLEM_KINDS, PROBLEM_STATUSES, type ProblemInput, type ProblemWrite, updateProblem,
} from './problems.ts';
import { dispatchHtml, dispatchReport, dispatchWorkbook, reportFileName } from './report.ts';
import { type GroupBy, mapProgress, monthlySeries, progress, reservedLand, resettlement, takeStatusesAsOf } from './sql.ts';



/** A real calendar date ('2021-02-30' is not), or the reason it is not. */
/** Years the figures can be asked for: the records start after 1900 and plans end before 2200. */
const YEARS = [1900, 2200] as const;
const yearOk = (s: string) => Number(s.slice(0, 4)) >= YEARS[0] && Number(s.slice(0, 4)) <= YEARS[1];

export function checkDate(s: string): string | null {
  if (!isCalendarDate(s)) return `"${s}" is not a calendar date (YYYY-MM-DD)`;
  return yearOk(s) ? null : `"${s}" is not between ${YEARS[0]} and ${YEARS[1]}`;
}

function checkMonth(s: string): string | null {
  const m = Number(s.slice(5, 7));
  if (!(m >= 1 && m <= 12)) return `"${s}" is not a month (YYYY-MM)`;
  return yearOk(s) ? null : `"${s}" is not between ${YEARS[0]} and ${YEARS[1]}`;
}

const bad = (message: string, field?: string): never => {
  throw new DomainError('invalid_input', message, { field: field ?? null }, { field });
};

const filters = {
  year: int(2000, 2100),
  areaId: id,
} as const;

const problemFields = {
  kind: { type: 'string', enum: PROBLEM_KINDS },
  title: text(500, 1),
  description: textOrNull(5000),
  status: { type: 'string', enum: PROBLEM_STATUSES },
  owner: textOrNull(200),
  openedOn: date,
  resolvedOn: dateOrNull,
  projectId: idOrNull,
  resettlementSiteId: idOrNull,
  lon: { type: ['number', 'null'], minimum: -180, maximum: 180 },
  lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
  version: positiveInt,
} as const;
const asOfOnly = { querystring: object({ asOf: date }) };

/** parcels' and houses' status as of a date: at most this many per request (a view at the layers' min zoom holds far fewer) */
export const TAKE_STATUS_LIMIT = 20_000;

export const progressPlugin = fp(async (app) => {
  const routes: FastifyPluginAsync = async (r) => {
    r.get<{ Querystring: { asOf?: string; groupBy?: GroupBy; year?: number; areaId?: number } }>('/api/progress', {
      schema: {
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { asOf: date, groupBy: { type: 'string', enum: ['district', 'area', 'project'], default: 'district' }, ...filters },
        },
      },
    }, async (request) => {
      const asOf = request.query.asOf ?? beijingDate();
      const err = checkDate(asOf);
      if (err) return bad(err);
      return progress((await request.reader()).pool, { asOf, groupBy: request.query.groupBy ?? 'district', year: request.query.year, areaId: request.query.areaId });
    });

    r.get<{ Querystring: { asOf?: string } }>('/api/progress/map', {
      schema: asOfOnly,
    }, async (request) => {
      const asOf = request.query.asOf ?? beijingDate();
      const err = checkDate(asOf);
      if (err) return bad(err);
      return mapProgress((await request.reader()).pool, asOf);
    });

    // the status of each parcel / house in a bbox as of a date, for the main map's past colours
    // (feature-state on the tiles): [id, status] pairs, compact; status through the release rule
    r.get<{ Querystring: { layer: 'parcel' | 'house'; asOf?: string; bbox: string; limit?: number } }>('/api/progress/features', {
      schema: {
        querystring: object({
          layer: { type: 'string', enum: ['parcel', 'house'] }, asOf: date, bbox: bboxSchema,
          limit: int(1, TAKE_STATUS_LIMIT, { default: TAKE_STATUS_LIMIT }),
        }, ['layer', 'bbox']),
      },
    }, async (request) => {
      const q = request.query;
      const asOf = q.asOf ?? beijingDate();
      const err = checkDate(asOf);
      if (err) return bad(err, 'asOf');
      const box = parseBbox(q.bbox);
      if (typeof box === 'string') return bad(box, 'bbox');
      const layer = LAYER_BY_ID.get(q.layer)!;
      const [status] = releasedFields([{ name: 'status', sql: 'h.status' }], layer, seesSensitive(request.user));
      return takeStatusesAsOf((await request.reader()).pool, {
        layer: q.layer, table: ident(layer.table), geometryColumn: ident(layer.geometryColumn), asOf, bbox: box,
        limit: q.limit ?? TAKE_STATUS_LIMIT, statusSql: status?.sql ?? 'NULL',
      });
    });

    r.get<{ Querystring: { from?: string; to?: string; year?: number; areaId?: number } }>('/api/progress/series', {
      schema: {
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { from: { ...month, default: '2021-01' }, to: date, ...filters },
        },
      },
    }, async (request) => {
      const to = request.query.to ?? beijingDate();
      const from = request.query.from ?? '2021-01';
      const err = checkDate(to) ?? checkMonth(from);
      if (err) return bad(err);
      if (from > to.slice(0, 7)) return bad(`from ${from} is after to ${to}`);
      return monthlySeries((await request.reader()).pool, { from, to, year: request.query.year, areaId: request.query.areaId });
    });

    r.get<{ Querystring: { asOf?: string } }>('/api/progress/resettlement', {
      schema: asOfOnly,
    }, async (request) => {
      const asOf = request.query.asOf ?? beijingDate();
      const err = checkDate(asOf);
      if (err) return bad(err);
      const reader = await request.reader();
      return resettlement(reader.pool, asOf, reader.db);
    });

    r.get<{ Querystring: { asOf?: string } }>('/api/progress/reserved-land', {
      schema: asOfOnly,
    }, async (request) => {
      const asOf = request.query.asOf ?? beijingDate();
      const err = checkDate(asOf);
      if (err) return bad(err);
      return reservedLand((await request.reader()).pool, asOf);
    });

    type DispatchQ = { month: string; areaId?: number; year?: number };
    const dispatchSchema = {
      querystring: {
        type: 'object', additionalProperties: false, required: ['month'],
        properties: { month, ...filters },
      },
    };
    const report = async (q: DispatchQ, request: FastifyRequest) => {
      const err = checkMonth(q.month);
      if (err) bad(err, 'month');
      return dispatchReport((await request.reader()).pool, q, seesSensitive(request.user));
    };
    r.get<{ Querystring: DispatchQ }>('/api/progress/dispatch', { schema: dispatchSchema }, async (request) => report(request.query, request));
    r.get<{ Querystring: DispatchQ }>('/api/progress/dispatch.xlsx', { schema: dispatchSchema }, async (request, reply) => {
      const rep = await report(request.query, request);
      const body = await dispatchWorkbook(rep);
      const name = reportFileName(rep, 'xlsx');
      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="dispatch-${rep.month}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
      return reply.send(body);
    });
    r.get<{ Querystring: DispatchQ }>('/api/progress/dispatch.html', { schema: dispatchSchema }, async (request, reply) => {
      const rep = await report(request.query, request);
      const qs = new URLSearchParams(Object.entries(request.query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
      reply.type('text/html; charset=utf-8');
      return reply.send(dispatchHtml(rep, `/api/progress/dispatch.xlsx?${qs}`));
    });

    r.get<{ Querystring: { asOf?: string; status?: string; kind?: string; projectId?: number; areaId?: number; open?: boolean } }>('/api/problems', {
      schema: {
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            asOf: date, status: { type: 'string', enum: PROBLEM_STATUSES }, kind: { type: 'string', enum: PROBLEM_KINDS },
            projectId: id, areaId: id, open: { type: 'boolean' },
          },
        },
      },
    }, async (request) => {
      const q = request.query;
      if (q.asOf) {
        const err = checkDate(q.asOf);
        if (err) return bad(err);
      }
      const problems = await listProblems(app.pg.pool, { asOf: q.asOf, status: q.status, kind: q.kind, projectId: q.projectId, areaId: q.areaId, openOnly: q.open },
        seesSensitive(request.user));
      return { asOf: q.asOf ?? null, count: problems.length, problems };
    });

    const problemWrite = async (request: FastifyRequest): Promise<ProblemWrite> =>
      ({ pool: app.pg.pool, cols: (await app.featureColumns()).get('problem')!, actor: actorOf(request), sees: seesSensitive(request.user) });

    r.post<{ Body: ProblemInput }>('/api/problems', { schema: { querystring: noQuery, body: object(problemFields, ['kind', 'title']) } }, async (request, reply) => {
      return reply.code(201).send(await createProblem(await problemWrite(request), request.body));
    });

    r.patch<{ Params: { id: number }; Body: ProblemInput & { version: number } }>('/api/problems/:id', {
      schema: {
        params: idParams('id'),
        querystring: noQuery,
        body: object(problemFields, ['version']),
      },
    }, async (request) => {
      const { version, ...input } = request.body;
      return updateProblem(await problemWrite(request), request.params.id, version, input);
    });
  };
  await app.register(routes);
}, { name: 'progress', dependencies: ['database'] });
