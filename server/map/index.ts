// The map-data capability: district extent, layer list with counts, features by bbox and label
// points (GeoJSON).
import type { FastifyPluginAsync } from 'fastify';
import { DISTRICT_BBOX, LABELLED_LAYERS, LAYER_BY_ID } from '../../geo/layers.ts';
import { DomainError } from '../core/errors.ts';
import { releasedFields, seesSensitive } from '../core/release.ts';
import { bbox as bboxSchema, int, layerPath, noQuery, object } from '../core/schemas.ts';
import { parseBbox } from '../../geo/bbox.ts';
import { districtInfo, layerFeatures, layerLabels, layerSummaries } from './sql.ts';

const MAX_LIMIT = 50_000;
const DEFAULT_LIMIT = 10_000;
export const mapPlugin: FastifyPluginAsync = async (app) => {
  const layerParams = object({ id: layerPath }, ['id']);
  const noLayer = (id: string) => new DomainError('not_found', `no layer "${id}"`, { layer: id });

  app.get('/api/district', { schema: { querystring: noQuery } }, async (request) => districtInfo((await request.reader()).pool, DISTRICT_BBOX));

  app.get('/api/layers', { schema: { querystring: noQuery } }, async (request) => ({ layers: await layerSummaries((await request.reader()).pool) }));

  app.get<{ Params: { id: string } }>('/api/layers/:id/labels', { schema: { params: layerParams, querystring: noQuery } }, async (request, reply) => {
    const layer = LAYER_BY_ID.get(request.params.id);
    if (!layer) throw noLayer(request.params.id);
    // only the labelled layers keep points; for the others they would be computed per call (171 s and
    // 50 MB for the parcels at scale 25) or kept on every write of the large layers, for no map
    if (!layer.labelPoints) {
      throw new DomainError('invalid_input', `layer "${layer.id}" has no label points; the labelled layers are ${LABELLED_LAYERS.join(', ')}`, { layer: layer.id });
    }
    reply.type('application/geo+json');
    return layerLabels((await request.reader()).pool, layer, releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request.user)));
  });

  app.get<{ Params: { id: string }; Querystring: { bbox?: string; limit?: number } }>('/api/layers/:id/features', {
    schema: {
      params: layerParams,
      querystring: object({ bbox: bboxSchema, limit: int(1, MAX_LIMIT, { default: DEFAULT_LIMIT }) }),
    },
  }, async (request, reply) => {
    const layer = LAYER_BY_ID.get(request.params.id);
    if (!layer) throw noLayer(request.params.id);
    let bbox: [number, number, number, number] | undefined;
    if (request.query.bbox !== undefined) {
      const parsed = parseBbox(request.query.bbox);
      if (typeof parsed === 'string') throw new DomainError('invalid_input', parsed, { field: 'bbox' }, { field: 'bbox' });
      bbox = parsed;
    }
    reply.type('application/geo+json');
    const fields = releasedFields((await app.layerFields()).get(layer.id)!, layer, seesSensitive(request.user));
    return layerFeatures((await request.reader()).pool, layer, fields, bbox, request.query.limit ?? DEFAULT_LIMIT);
  });
};
