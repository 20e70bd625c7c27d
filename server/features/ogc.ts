// The documents of OGC API – Features: landing page, conformance, collections, queryables, schema,
// and the OpenAPI 3.0 description. Plain functions of the request's base URL and the catalogue.
import { DISTRICT_BBOX, isEditable, type LayerDef, REFERENCE_LAYER } from '../../geo/layers.ts';
import { vocabulary } from '../../geo/vocabulary.ts';
import { fieldTitle } from './collections.ts';
import type { CollectionColumns, ColumnKind } from '../core/catalogue.ts';
import { FILTER_LANGS, GEOMETRY_QUERYABLE, queryablesOf } from '../core/filter.ts';
import { CRS84, STORAGE_CRS, SUPPORTED_CRS_URIS } from './crs.ts';

export const GEOJSON = 'application/geo+json';
export const JSON_TYPE = 'application/json';
export const HTML = 'text/html';
export const OPENAPI = 'application/vnd.oai.openapi+json;version=3.0';
export const SCHEMA_JSON = 'application/schema+json';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

export interface Link { href: string; rel: string; type?: string; title?: string }

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters',
  // CQL2 `filter` on items (server/core/filter.ts): comparisons, IN, BETWEEN, LIKE, IS NULL, AND/OR/NOT, S_INTERSECTS
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus',
  'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete',
  'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update',
  'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags',
  'http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas',
];

export function landing(base: string) {
  return {
    title: '征收一张图 · OGC API – Features',
    description: '土地房屋征收的图层（演示数据，非真实数据） — the layers of the district’s land and house expropriation (synthetic demo data)',
    links: [
      { href: `${base}/ogc`, rel: 'self', type: JSON_TYPE, title: 'this document' },
      { href: `${base}/ogc?f=html`, rel: 'alternate', type: HTML, title: 'this document as HTML' },
      { href: `${base}/ogc/api`, rel: 'service-desc', type: OPENAPI, title: 'the API definition (OpenAPI 3.0)' },
      { href: `${base}/ogc/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'conformance classes' },
      { href: `${base}/ogc/collections`, rel: 'data', type: JSON_TYPE, title: 'the collections (layers)' },
    ] satisfies Link[],
  };
}

export function collectionDoc(base: string, layer: LayerDef, temporal: [string | null, string | null] | undefined) {
  const c = `${base}/ogc/collections/${layer.id}`;
  return {
    id: layer.id,
    title: layer.title.zh,
    description: `${layer.title.zh} / ${layer.title.en}${isEditable(layer) ? '（可编辑 editable）' : ''}（演示数据 synthetic）`,
    itemType: 'feature',
    links: [
      { href: c, rel: 'self', type: JSON_TYPE },
      { href: `${c}?f=html`, rel: 'alternate', type: HTML },
      { href: `${c}/items`, rel: 'items', type: GEOJSON, title: `${layer.title.zh} (GeoJSON)` },
      { href: `${c}/items?f=html`, rel: 'items', type: HTML, title: `${layer.title.zh} (HTML)` },
      { href: `${c}/queryables`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables', type: SCHEMA_JSON },
      { href: `${c}/schema`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/schema', type: SCHEMA_JSON },
    ] satisfies Link[],
    extent: {
      spatial: { bbox: [DISTRICT_BBOX], crs: CRS84 },
      ...(temporal ? { temporal: { interval: [temporal], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
    },
    crs: SUPPORTED_CRS_URIS,
    storageCrs: STORAGE_CRS,
    'x-zs-editable': isEditable(layer),
    ...(layer.temporal ? { 'x-zs-datetime-property': layer.temporal.column } : {}),
  };
}

function jsonType(kind: ColumnKind): Record<string, unknown> {
  switch (kind) {
    case 'int': return { type: 'integer' };
    case 'number': return { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'date': return { type: 'string', format: 'date' };
    case 'timestamp': return { type: 'string', format: 'date-time' };
    default: return { type: 'string' };
  }
}

const geometryFormat = (layer: LayerDef) =>
  layer.geometry === 'polygon' ? 'geometry-polygon-or-multipolygon' : layer.geometry === 'line' ? 'geometry-linestring-or-multilinestring' : 'geometry-point';

/** Part 3 queryables: the stored attributes, each usable as ?name=value and in a CQL2 filter on /items. */
export function queryables(base: string, layer: LayerDef, cols: CollectionColumns) {
  const properties: Record<string, unknown> = { [GEOMETRY_QUERYABLE]: { title: '几何', format: geometryFormat(layer), 'x-ogc-role': 'primary-geometry' } };
  for (const q of queryablesOf(cols)) {
    properties[q.name] = {
      title: fieldTitle(q.name).zh,
      description: fieldTitle(q.name).en,
      ...jsonType(q.kind),
      ...(q.vocab ? { enum: Object.keys(q.vocab) } : {}),
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/ogc/collections/${layer.id}/queryables`,
    type: 'object',
    title: layer.title.zh,
    properties,
    additionalProperties: false,
  };
}

/** Part 5 schema of a feature: every property, what a write may set, what is required, coded values with labels. */
export function featureSchema(base: string, layer: LayerDef, cols: CollectionColumns) {
  const writable = new Map(cols.writable.map((c) => [c.name, c]));
  const properties: Record<string, unknown> = {};
  for (const r of cols.read) {
    const w = writable.get(r.name);
    const t = fieldTitle(r.name);
    const vocab = w?.vocab ?? vocabulary(layer.id, r.name);
    properties[r.name] = {
      title: t.zh,
      description: t.en,
      ...jsonType(r.kind),
      ...(w?.nullable ? { type: [jsonType(r.kind).type, 'null'] } : {}),
      ...(vocab ? { oneOf: Object.entries(vocab).map(([k, l]) => ({ const: k, title: l.zh, description: l.en })) } : {}),
      ...(w ? {} : { readOnly: true }),
      // the layer whose feature it names (a foreign key): the form offers those features by name
      ...(REFERENCE_LAYER[r.name] ? { 'x-zs-references': REFERENCE_LAYER[r.name] } : {}),
      // who records it instead of a feature write (the editor shows it disabled, with the reason)
      ...(layer.procedureOwned && r.name in layer.procedureOwned ? { 'x-zs-recorded-by': 'procedure' } : {}),
      ...(layer.temporal?.column === r.name ? { 'x-ogc-role': 'primary-instant' } : {}),
    };
  }
  properties.geometry = { format: geometryFormat(layer), 'x-ogc-role': 'primary-geometry' };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/ogc/collections/${layer.id}/schema`,
    type: 'object',
    title: layer.title.zh,
    properties,
    required: cols.writable.filter((c) => !c.nullable && !c.hasDefault).map((c) => c.name),
    'x-zs-editable': isEditable(layer),
  };
}

/** The OpenAPI 3.0 description of the whole service. */
export function openApi(base: string, layers: readonly LayerDef[]) {
  const ref = (name: string) => ({ $ref: `#/components/parameters/${name}` });
  const json = (description: string, type = JSON_TYPE) => ({ description, content: { [type]: { schema: { type: 'object' } } } });
  const error = { description: 'what is wrong, and where', content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/error' } } } };
  const featureBody = {
    required: true,
    description: 'a GeoJSON Feature; coordinates in CRS84 unless the Content-Crs header names another supported CRS (in its axis order)',
    content: { [GEOJSON]: { schema: { type: 'object' } }, [JSON_TYPE]: { schema: { type: 'object' } } },
  };
  const collectionIds = layers.map((l) => l.id);
  return {
    openapi: '3.0.3',
    info: {
      title: '征收一张图 · OGC API – Features',
      version: '1.0.0',
      description: 'Read every layer; create, replace, patch and delete red lines, parcels, constraint features and resettlement sites with optimistic locking (ETag / If-Match) and full history. Synthetic demo data.',
    },
    servers: [{ url: `${base}/ogc` }],
    paths: {
      '/': { get: { summary: 'landing page', parameters: [ref('f')], responses: { 200: json('links to the API, conformance and collections') } } },
      '/conformance': { get: { summary: 'conformance classes', responses: { 200: json('conformsTo') } } },
      '/api': { get: { summary: 'this document', responses: { 200: json('OpenAPI 3.0', OPENAPI) } } },
      '/collections': { get: { summary: 'the collections', parameters: [ref('f')], responses: { 200: json('collections') } } },
      '/collections/{collectionId}': {
        get: { summary: 'one collection', parameters: [ref('collectionId'), ref('f')], responses: { 200: json('collection'), 404: error } },
      },
      '/collections/{collectionId}/queryables': {
        get: { summary: 'the properties usable as filters', parameters: [ref('collectionId')], responses: { 200: json('JSON Schema', SCHEMA_JSON) } },
      },
      '/collections/{collectionId}/schema': {
        get: { summary: 'the schema of a feature (writable properties, required, coded values)', parameters: [ref('collectionId')], responses: { 200: json('JSON Schema', SCHEMA_JSON) } },
      },
      '/collections/{collectionId}/items': {
        get: {
          summary: 'features, a page at a time',
          parameters: [ref('collectionId'), ref('limit'), ref('offset'), ref('bbox'), ref('bbox-crs'), ref('crs'), ref('datetime'), ref('filter'), ref('filter-lang'), ref('filter-crs'), ref('sortby'), ref('f')],
          responses: { 200: json('a FeatureCollection with numberMatched, numberReturned and next/prev links', GEOJSON), 400: error, 404: error },
        },
        post: {
          summary: 'create a feature (editable collections)',
          parameters: [ref('collectionId'), ref('Content-Crs')],
          requestBody: featureBody,
          responses: { 201: { description: 'created; Location and ETag headers' }, 400: error, 405: error, 413: error, 415: error, 422: error },
        },
      },
      '/collections/{collectionId}/summary': {
        get: {
          summary: 'count of the features a query matches, and sums of their areas (m²) and of their attributes in 亩, m² and 元',
          parameters: [ref('collectionId'), ref('bbox'), ref('bbox-crs'), ref('datetime'), ref('filter'), ref('filter-lang'), ref('filter-crs')],
          responses: { 200: json('{ collection, numberMatched, sums: [{ name, unit, value }] }'), 400: error, 404: error },
        },
      },
      '/collections/{collectionId}/items/{featureId}': {
        get: { summary: 'one feature, with its ETag', parameters: [ref('collectionId'), ref('featureId'), ref('crs'), ref('f')], responses: { 200: json('a Feature', GEOJSON), 404: error } },
        put: {
          summary: 'replace a feature', parameters: [ref('collectionId'), ref('featureId'), ref('If-Match'), ref('Content-Crs')], requestBody: featureBody,
          responses: { 200: { description: 'replaced' }, 412: error, 422: error, 428: error },
        },
        patch: {
          summary: 'change some properties and/or the geometry (JSON merge patch of a Feature)', parameters: [ref('collectionId'), ref('featureId'), ref('If-Match'), ref('Content-Crs')],
          requestBody: { ...featureBody, content: { 'application/merge-patch+json': { schema: { type: 'object' } }, ...featureBody.content } },
          responses: { 200: { description: 'updated' }, 412: error, 422: error, 428: error },
        },
        delete: { summary: 'delete a feature (its history stays)', parameters: [ref('collectionId'), ref('featureId'), ref('If-Match')], responses: { 204: { description: 'deleted' }, 412: error, 428: error } },
      },
      '/collections/{collectionId}/items/{featureId}/history': {
        get: { summary: 'every version of a feature: who, when, before and after', parameters: [ref('collectionId'), ref('featureId')], responses: { 200: json('versions'), 404: error } },
      },
      '/collections/{collectionId}/items/{featureId}/history/{version}/restore': {
        post: {
          summary: 'make a past version current again (a new, recorded write)',
          parameters: [ref('collectionId'), ref('featureId'), { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }, ref('If-Match')],
          responses: { 200: { description: 'restored' }, 404: error, 412: error, 428: error },
        },
      },
    },
    components: {
      parameters: {
        collectionId: { name: 'collectionId', in: 'path', required: true, schema: { type: 'string', enum: collectionIds } },
        featureId: { name: 'featureId', in: 'path', required: true, schema: { type: 'integer' } },
        f: { name: 'f', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html'] } },
        limit: { name: 'limit', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
        offset: { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        bbox: { name: 'bbox', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } },
        'bbox-crs': { name: 'bbox-crs', in: 'query', required: false, schema: { type: 'string', format: 'uri', enum: SUPPORTED_CRS_URIS, default: CRS84 } },
        crs: { name: 'crs', in: 'query', required: false, schema: { type: 'string', format: 'uri', enum: SUPPORTED_CRS_URIS, default: CRS84 } },
        datetime: { name: 'datetime', in: 'query', required: false, schema: { type: 'string' }, description: 'an instant or an interval (a/b, ../b, a/..) on the collection’s time property' },
        filter: {
          name: 'filter', in: 'query', required: false, schema: { type: 'string' },
          description: 'a CQL2 text filter on the queryables, e.g. status IN (\'未签约\', \'signed\') AND S_INTERSECTS(geometry, BBOX(109.5, 23.0, 109.7, 23.2)): =, <>, <, >, <=, >=, IN, BETWEEN, LIKE, IS NULL, AND, OR, NOT, S_INTERSECTS (POINT, LINESTRING, POLYGON, MULTI…, BBOX)',
        },
        sortby: {
          name: 'sortby', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', items: { type: 'string', pattern: '^[+-]?[A-Za-z_][A-Za-z0-9_]*$' } },
          description: 'the order of the items: queryables, each ascending unless prefixed by -, e.g. -area_mu,code; equal values keep the order of their ids, so pages follow each other',
        },
        'filter-lang': { name: 'filter-lang', in: 'query', required: false, schema: { type: 'string', enum: [...FILTER_LANGS], default: FILTER_LANGS[0] } },
        'filter-crs': { name: 'filter-crs', in: 'query', required: false, schema: { type: 'string', format: 'uri', enum: SUPPORTED_CRS_URIS, default: CRS84 }, description: 'the CRS of the filter’s geometries, in its axis order' },
        'Content-Crs': { name: 'Content-Crs', in: 'header', required: false, schema: { type: 'string' }, description: 'the CRS of the body’s coordinates, e.g. <http://www.opengis.net/def/crs/EPSG/0/4525>' },
        'If-Match': { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' }, description: 'the ETag of the version the change is based on' },
      },
      schemas: {
        error: {
          type: 'object', required: ['error', 'message'],
          properties: { error: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' }, field: { type: 'string' }, position: { type: 'array', items: { type: 'number' } }, location: { type: 'array', items: { type: 'number' } }, allowed: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  };
}
