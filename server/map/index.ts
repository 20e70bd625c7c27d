// The map-data capability: district extent, layer list with counts, features by bbox and label
// points (GeoJSON).
import type { FastifyPluginAsync } from 'fastify';
import { DISTRICT_BBOX, LAYER_BY_ID } from '../../geo/layers.ts';
import { seesSensitive } from '../accounts/index.ts';
import { releasedFields } from '../layer-sql.ts';
import { type BBox, districtInfo, layerFeatures, layerLabels, layerSummaries } from './sql.ts';

const MAX_LIMIT = 50_000;
const DEFAULT_LIMIT = 10_000;

/** '109.5,23.0,109.7,23.2' → numbers, or an error message saying what is wrong. */
export function parseBbox(raw: string): BBox | string {
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    return `bbox must be four numbers minLon,minLat,maxLon,maxLat (got "${raw}")`;
  }
  const [x0, y0, x1, y1] = parts;
  if (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90) return `bbox ${raw} is outside longitude −180…180 / latitude −90…90`;
  if (x0 > x1 || y0 > y1) return `bbox ${raw} has its minimum above its maximum`;
  return [x0, y0, x1, y1];
}

export const mapPlugin: FastifyPluginAsync = async (app) => {
  app.get('/api/district', async () => districtInfo(app.pg.pool, DISTRICT_BBOX));

  app.get('/api/layers', async () => ({ layers: await layerSummaries(app.pg.pool) }));

  app.get<{ Params: { id: string } }>('/api/layers/:id/labels', async (request, reply) => {
    const layer = LAYER_BY_ID.get(request.params.id);
    if (!layer) return reply.code(404).send({ error: 'not_found', message: `no layer "${request.params.id}"` });
    if (layer.geometry !== 'polygon') return reply.code(400).send({ error: 'bad_request', message: `layer "${layer.id}" has no polygons to label` });
    reply.type('application/geo+json');
    return layerLabels(app.pg.pool, layer, releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request)));
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
    let bbox: BBox | undefined;
    if (request.query.bbox !== undefined) {
      const parsed = parseBbox(request.query.bbox);
      if (typeof parsed === 'string') return reply.code(400).send({ error: 'bad_request', message: parsed });
      bbox = parsed;
    }
    reply.type('application/geo+json');
    const fields = releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request));
    return layerFeatures(app.pg.pool, layer, fields, bbox, request.query.limit ?? DEFAULT_LIMIT);
  });
};
