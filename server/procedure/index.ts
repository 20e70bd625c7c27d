// The procedure capability (征地程序, issue #19): each project's steps of the legal procedure with
// their dates and documents, its land quotas, and the board of every project by step. Thin routes:
// each validates, calls one function of server/core/procedure.ts, returns its data.
//   GET    /api/projects/:id/procedure?asOf=           the steps, warnings, signing date, quotas
//   PUT    /api/projects/:id/procedure/:step           record a step (body: version + the fields that change)
//   POST   /api/projects/:id/procedure/:step/attachments?name=   a scanned notice or document (the raw bytes)
//   GET    /api/attachments/:id                        its bytes, for readers of the project only
//   DELETE /api/attachments/:id?version=
//   POST   /api/projects/:id/quotas                    a quota secured (用地指标)
//   DELETE /api/projects/:id/quotas/:quotaId?version=
//   GET    /api/procedure/board?asOf=&areaId=          projects by step, overdue, notices running, quota totals
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { PROCEDURE_STEPS, type ProcedureStepId, QUOTA_KINDS, QUOTA_SOURCES } from '../../geo/procedure.ts';
import { beijingDate } from '../../geo/time.ts';
import { actorOf } from '../core/actor.ts';
import {
  addAttachment, addQuota, deleteAttachment, deleteQuota, procedureBoard, QuotaNeedCache, type QuotaInput, readAttachment, readProcedure, recordStep,
  type StepInput,
} from '../core/procedure.ts';
import { date, dateOrNull, id, idParams, object, positiveInt, text, textOrNull } from '../core/schemas.ts';

export interface ProcedureOptions {
  /** the largest attachment kept, in bytes */
  attachmentMaxBytes: number;
}

const step = { type: 'string', enum: PROCEDURE_STEPS } as const;
const version = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;
const stepFields = {
  version,
  plannedStartOn: dateOrNull, plannedEndOn: dateOrNull, startedOn: dateOrNull, completedOn: dateOrNull,
  docNo: textOrNull(200), waived: { type: 'boolean' }, note: textOrNull(2000), reason: textOrNull(500),
} as const;

const ATTACHMENT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'application/octet-stream'];

const routes: FastifyPluginAsync<ProcedureOptions> = async (r, opts) => {
  // an attachment arrives as its own bytes; what it is, is told from them (core), not from this header
  // every project's quota needs, kept until a red line or the land use changes
  const needs = new QuotaNeedCache(r.changes);
  r.addHook('onClose', async () => needs.off());
  r.addContentTypeParser(ATTACHMENT_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: opts.attachmentMaxBytes }, (_req, body, done) => done(null, body));

  r.get<{ Params: { id: number }; Querystring: { asOf?: string } }>('/api/projects/:id/procedure', {
    schema: { params: idParams('id'), querystring: object({ asOf: date }) },
  }, async (request) => readProcedure(r.pg.pool, request.params.id, request.query.asOf ?? beijingDate(), needs));

  r.put<{ Params: { id: number; step: ProcedureStepId }; Body: StepInput & { version: number; reason?: string | null } }>('/api/projects/:id/procedure/:step', {
    schema: {
      params: object({ id, step }, ['id', 'step']),
      body: object(stepFields, ['version']),
    },
  }, async (request) => {
    const { version: v, reason, ...input } = request.body;
    return recordStep(r.pg.pool, actorOf(request), request.params.id, request.params.step, v, input, reason ?? undefined);
  });

  r.post<{ Params: { id: number; step: ProcedureStepId }; Querystring: { name: string }; Body: Buffer }>('/api/projects/:id/procedure/:step/attachments', {
    schema: { params: object({ id, step }, ['id', 'step']), querystring: object({ name: text(255, 1) }, ['name']) },
  }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    return reply.code(201).send(await addAttachment(r.pg.pool, actorOf(request), request.params.id, request.params.step, request.query.name, body, opts.attachmentMaxBytes));
  });

  r.get<{ Params: { id: number } }>('/api/attachments/:id', { schema: { params: idParams('id') } }, async (request, reply) => {
    const file = await readAttachment(r.pg.pool, actorOf(request), request.params.id);
    return reply.type(file.mediaType).header('Cache-Control', 'private, no-store')
      .header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`).send(file.content);
  });

  r.delete<{ Params: { id: number }; Querystring: { version: number } }>('/api/attachments/:id', {
    schema: { params: idParams('id'), querystring: object({ version: positiveInt }, ['version']) },
  }, async (request, reply) => {
    await deleteAttachment(r.pg.pool, actorOf(request), request.params.id, request.query.version);
    return reply.code(204).send();
  });

  r.post<{ Params: { id: number }; Body: QuotaInput }>('/api/projects/:id/quotas', {
    schema: {
      params: idParams('id'),
      body: object({
        kind: { type: 'string', enum: QUOTA_KINDS }, source: { type: 'string', enum: QUOTA_SOURCES },
        mu: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 }, docNo: textOrNull(200), securedOn: dateOrNull,
      }, ['kind', 'source', 'mu']),
    },
  }, async (request, reply) => reply.code(201).send(await addQuota(r.pg.pool, actorOf(request), request.params.id, request.body)));

  r.delete<{ Params: { id: number; quotaId: number }; Querystring: { version: number } }>('/api/projects/:id/quotas/:quotaId', {
    schema: { params: idParams('id', 'quotaId'), querystring: object({ version: positiveInt }, ['version']) },
  }, async (request, reply) => {
    await deleteQuota(r.pg.pool, actorOf(request), request.params.id, request.params.quotaId, request.query.version);
    return reply.code(204).send();
  });

  r.get<{ Querystring: { asOf?: string; areaId?: number } }>('/api/procedure/board', {
    schema: { querystring: object({ asOf: date, areaId: id }) },
  }, async (request) => procedureBoard(r.pg.pool, { asOf: request.query.asOf ?? beijingDate(), areaId: request.query.areaId, needs }));
};

export const procedurePlugin = fp(async (app, opts: ProcedureOptions) => {
  // encapsulated: the attachment body parser applies to these routes only
  await app.register(routes, opts);
}, { name: 'procedure', dependencies: ['database', 'change-feed'] });
