// GET /health: 200 with the database versions while the database answers, 503 when it does not.
import type { FastifyPluginAsync } from 'fastify';
import { noQuery } from '../core/schemas.ts';

const databaseSchema = {
  type: 'object',
  properties: {
    backend: { type: 'string' },
    postgres: { type: 'string' },
    postgis: { type: 'string' },
    geos: { type: 'string' },
    proj: { type: 'string' },
    error: { type: 'string' },
  },
} as const;

export const healthPlugin: FastifyPluginAsync = async (app) => {
  app.get('/health', {
    schema: {
      querystring: noQuery,
      response: {
        200: { type: 'object', properties: { status: { const: 'ok' }, database: databaseSchema } },
        503: { type: 'object', properties: { status: { const: 'unavailable' }, database: databaseSchema } },
      },
    },
  }, async (_request, reply) => {
    try {
      await app.pg.pool.query({ text: 'SELECT 1', query_timeout: 5000 } as never);
      return { status: 'ok', database: app.databaseInfo };
    } catch (err) {
      return reply.code(503).send({
        status: 'unavailable',
        database: { backend: app.databaseInfo.backend, error: (err as Error).message },
      });
    }
  });
};
