// The map-data capability: district extent, layer list with counts, features by bbox and label
// points (GeoJSON).
import type { FastifyPluginAsync } from 'fastify';
import { DISTRICT_BBOX, LAYER_BY_ID } from '../../geo/layers.ts';
import { releasedFields, seesSensitive } from '../core/release.ts';
import { parseBbox } from '../../geo/bbox.ts';
import { districtInfo, layerFeatures, layerLabels, layerSummaries } from './sql.ts';

const MAX_LIMIT = 50_000;
const DEFAULT_LIMIT = 10_000;

export const mapPlugin: FastifyPluginAsync = async (app) => {
  app.get('/api/district', async () => districtInfo(app.pg.pool, DISTRICT_BBOX));

  app.get('/api/layers', async () => ({ layers: await layerSummaries(app.pg.pool) }));

  app.get<{ Params: { id: string } }>('/api/layers/:id/labels', async (request, reply) => {
    const layer = LAYER_BY_ID.get(request.params.id);
    if (!layer) return reply.code(404).send({ error: 'not_found', message: `no layer "${request.params.id}"` });
    if (layer.geometry !== 'polygon') return reply.code(400).send({ error: 'bad_request', message: `layer "${layer.id}" has no polygons to label` });
    reply.type('application/geo+json');
    return layerLabels(app.pg.pool, layer, releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request.user)));
  });

  app.get<{ Params: { id: string }; Querystring: { bbox?: string; limit?: number } }>('/api/layers/:id/features', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      querystring: {
        type: 'object',
        properties: {
          bbox: { type: 'string' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
        },
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const layer = LAYER_BY_ID.get(request.params.id);
    if (!layer) return reply.code(404).send({ error: 'not_found', message: `no layer "${request.params.id}"` });
    let bbox: [number, number, number, number] | undefined;
    if (request.query.bbox !== undefined) {
      const parsed = parseBbox(request.query.bbox);
      if (typeof parsed === 'string') return reply.code(400).send({ error: 'bad_request', message: parsed });
      bbox = parsed;
    }
    reply.type('application/geo+json');
    const fields = releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request.user));
    return layerFeatures(app.pg.pool, layer, fields, bbox, request.query.limit ?? DEFAULT_LIMIT);
  });
};
