// The feature capability: OGC API – Features at /ogc (Part 1 core, Part 2 CRS, Part 3 queryables,
// Part 4 create/replace/update/delete with ETags, Part 5 schemas) plus each feature's history and
// restore. Thin routes: parse, call one function, send.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isEditable, LAYER_BY_ID, LAYERS, type LayerDef } from '../../geo/layers.ts';
import { actorOf } from '../core/actor.ts';
import { type CollectionColumns, layerGeometry } from '../core/catalogue.ts';
import { DomainError } from '../core/errors.ts';
import {
  checkFilter, checkFilterLang, compileFilter, equalsSql, type FilterContext, filterValue, orderSql, parseFilter, parseSortby, type Queryable, queryablesOf,
} from '../core/filter.ts';
import { useDepthCheckedJson } from '../core/json.ts';
import { featureBody, layerPath, object, text } from '../core/schemas.ts';
import { releasedColumns, seesSensitive } from '../core/release.ts';
import { type Change, writeFeatures, writeRefusal } from '../core/write.ts';
import { checkBody, MAX_BODY_BYTES, type WriteMode } from './body.ts';
import { CRS84_DEF, type FeatureCrs, parseCrs, unsupportedCrsMessage } from './crs.ts';
import { featureHistory } from './history.ts';
import { esc, linksList, page, table } from './html.ts';
import {
  collectionDoc, CONFORMANCE, DEFAULT_LIMIT, featureSchema, GEOJSON, HTML, JSON_TYPE, landing, type Link, MAX_LIMIT, OPENAPI,
  openApi, queryables, SCHEMA_JSON,
} from './ogc.ts';
import { OrderedIds } from './ordered-ids.ts';
import { type ItemsQuery, MAX_IDS, type OneItem, queryIds, queryItem, queryItems, summarise, temporalExtent, type TimeFilter } from './sql.ts';

/** How long a write waits for its own change to reach this process's change feed (ChangeFeed.seen). */
const WRITE_SEEN_WAIT_MS = 250;

type Query = Record<string, string | string[] | undefined>;
type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Query }>;

const ITEMS_PARAMS = new Set(['f', 'limit', 'offset', 'bbox', 'bbox-crs', 'crs', 'datetime', 'filter', 'filter-lang', 'filter-crs', 'sortby']);
/** what /ids takes besides property filters: the items' selecting parameters, and `ids` */
const IDS_PARAMS = new Set(['bbox', 'bbox-crs', 'datetime', 'filter', 'filter-lang', 'filter-crs', 'ids']);
/** the most ids `ids=` may name (a shared link's selection) */
const MAX_ASKED_IDS = 2_000;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const TEMPORAL_TTL_MS = 60_000;

const bad = (message: string, params: Record<string, string> = {}) => new DomainError('invalid_input', message, { ...params, field: params.parameter ?? params.header ?? null }, { field: params.parameter });

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) {
    // the same value twice is one: GDAL's OAPIF driver appends the query of the dataset's URL
    // (…/collections/parcel?filter=…) to every next link, which already carries it
    if (v.every((x) => x === v[0])) return v[0];
    throw bad(`give "${name}" once (got ${v.length} different values)`, { parameter: name });
  }
  return v;
}

export const baseUrl = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

function wantsHtml(request: Req): boolean {
  const f = single(request.query, 'f');
  if (f === 'html') return true;
  if (f === 'json' || f === 'geojson') return false;
  if (f !== undefined) throw bad(`f must be json or html (got "${f}")`, { parameter: 'f' });
  return /text\/html/.test(request.headers.accept ?? '');
}

function layerOf(id: string): LayerDef {
  const layer = LAYER_BY_ID.get(id);
  if (!layer) throw new DomainError('not_found', `no collection "${id}"; the collections are ${LAYERS.map((l) => l.id).join(', ')}`, { layer: id });
  return layer;
}

function editableLayerOf(id: string): LayerDef {
  const layer = layerOf(id);
  if (!isEditable(layer)) {
    throw new DomainError('read_only', `collection "${id}" is read-only; editable are ${LAYERS.filter(isEditable).map((l) => l.id).join(', ')}`, { layer: id });
  }
  return layer;
}

function featureIdOf(raw: string, layer: LayerDef): number {
  if (!/^\d{1,9}$/.test(raw)) throw new DomainError('not_found', `${layer.id} has no feature "${raw}" (feature ids are whole numbers)`, { layer: layer.id, id: raw });
  return Number(raw);
}

function crsParam(q: Query, name: 'crs' | 'bbox-crs' | 'filter-crs'): FeatureCrs {
  const raw = single(q, name);
  if (raw === undefined) return CRS84_DEF;
  const crs = parseCrs(raw);
  if (!crs) throw bad(unsupportedCrsMessage(name, raw), { parameter: name });
  return crs;
}

function contentCrs(request: FastifyRequest): FeatureCrs {
  const raw = request.headers['content-crs'];
  if (raw === undefined) return CRS84_DEF;
  const crs = parseCrs(String(raw));
  if (!crs) throw bad(unsupportedCrsMessage('Content-Crs', String(raw)), { header: 'Content-Crs' });
  return crs;
}

function intParam(q: Query, name: string, def: number, min: number, max: number): number {
  const raw = single(q, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw.trim())) throw bad(`${name} must be a whole number (got "${raw}")`, { parameter: name });
  const n = Number(raw);
  if (n < min || n > max) throw bad(`${name} must be between ${min} and ${max} (got ${n})`, { parameter: name });
  return n;
}

function parseBbox(raw: string, crs: FeatureCrs): [number, number, number, number] {
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length === 6) throw bad('bbox: only two-dimensional boxes (four numbers) are supported', { parameter: 'bbox' });
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    const order = crs.axisOrder === 'lonlat' ? 'minLon,minLat,maxLon,maxLat' : crs.axisOrder === 'latlon' ? 'minLat,minLon,maxLat,maxLon' : 'minNorthing,minEasting,maxNorthing,maxEasting';
    throw bad(`bbox must be four numbers ${order} in ${crs.label} (got "${raw}")`, { parameter: 'bbox' });
  }
  if (parts[0] > parts[2] || parts[1] > parts[3]) throw bad(`bbox ${raw} has a lower corner above its upper corner`, { parameter: 'bbox' });
  if (crs.geographic) {
    const [lat0, lat1] = crs.axisOrder === 'latlon' ? [parts[0], parts[2]] : [parts[1], parts[3]];
    if (Math.abs(lat0) > 90 || Math.abs(lat1) > 90 || parts.some((n) => Math.abs(n) > 180)) {
      throw bad(`bbox ${raw} is not in degrees of ${crs.label} (${crs.axisOrder === 'latlon' ? 'latitude first' : 'longitude first'})`, { parameter: 'bbox' });
    }
  }
  return parts as [number, number, number, number];
}

function parseDatetime(raw: string, layer: LayerDef): TimeFilter {
  const temporal = layer.temporal;
  if (!temporal) throw bad(`collection "${layer.id}" has no time property, so datetime does not apply`, { parameter: 'datetime' });
  const part = (s: string | undefined): string | undefined => {
    if (s === undefined || s === '' || s === '..') return undefined;
    if (!ISO.test(s) || Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))) {
      throw bad(`datetime "${raw}" is not an RFC 3339 date/time or interval (e.g. 2021-06-30, 2021-01-01/2021-06-30, ../2021-06-30)`, { parameter: 'datetime' });
    }
    return s;
  };
  const pieces = raw.split('/');
  if (pieces.length > 2) throw bad(`datetime "${raw}" has more than one "/"`, { parameter: 'datetime' });
  if (pieces.length === 1) {
    const t = part(pieces[0]);
    if (!t) throw bad('datetime: an instant cannot be open', { parameter: 'datetime' });
    return { column: temporal.column, start: t, end: t, endIsDate: t.length === 10 };
  }
  const start = part(pieces[0]);
  const end = part(pieces[1]);
  if (start && end && Date.parse(start) > Date.parse(end)) throw bad(`datetime "${raw}" ends before it starts`, { parameter: 'datetime' });
  return { column: temporal.column, start, end, endIsDate: end?.length === 10 };
}

/** `?name=value` on queryables (Part 3 queryables as query parameters), by the one filter rule. */
function propertyFilters(q: Query, queryables: Queryable[], reserved: ReadonlySet<string> = ITEMS_PARAMS): ItemsQuery['conditions'] {
  const conditions: ItemsQuery['conditions'] = [];
  for (const name of Object.keys(q)) {
    if (reserved.has(name)) continue;
    const queryable = queryables.find((r) => r.name === name);
    if (!queryable) {
      throw bad(`unknown parameter "${name}": filter by one of ${queryables.map((r) => r.name).join(', ')} (see /queryables)`, { parameter: name });
    }
    const value = filterValue(queryable, { type: 'string', value: single(q, name)! });
    if (typeof value === 'string') throw bad(value, { parameter: name });
    conditions.push((param) => equalsSql(queryable, value, param));
  }
  return conditions;
}

/** Part 3 `filter` (CQL2 text), its `filter-lang` and `filter-crs` (the CRS of its geometries, CRS84 unless named). */
function cql2Filter(q: Query, layer: LayerDef, queryables: Queryable[]): ItemsQuery['conditions'] {
  const text = single(q, 'filter');
  checkFilterLang(single(q, 'filter-lang'));
  const crs = crsParam(q, 'filter-crs');
  if (text === undefined) {
    if (q['filter-lang'] !== undefined || q['filter-crs'] !== undefined) throw bad('filter-lang and filter-crs are given without filter', { parameter: 'filter' });
    return [];
  }
  const expr = parseFilter(text);
  const ctx: FilterContext = { queryables, geometry: layerGeometry(layer), crs };
  checkFilter(expr, ctx);
  return [(param) => compileFilter(expr, ctx, param)];
}

/** Which features a query matches (bbox, datetime, ?name=value, CQL2 filter): the items' and the summary's one reading of it. */
function matchOf(q: Query, layer: LayerDef, cols: CollectionColumns, reserved: ReadonlySet<string> = ITEMS_PARAMS): Pick<ItemsQuery, 'bbox' | 'datetime' | 'conditions'> {
  const bboxCrs = crsParam(q, 'bbox-crs');
  const bboxRaw = single(q, 'bbox');
  if (q['bbox-crs'] !== undefined && bboxRaw === undefined) throw bad('bbox-crs is given without bbox', { parameter: 'bbox-crs' });
  const datetimeRaw = single(q, 'datetime');
  const queryables = queryablesOf(cols);
  return {
    bbox: bboxRaw !== undefined ? { coords: parseBbox(bboxRaw, bboxCrs), crs: bboxCrs } : undefined,
    datetime: datetimeRaw !== undefined ? parseDatetime(datetimeRaw, layer) : undefined,
    conditions: [...propertyFilters(q, queryables, reserved), ...cql2Filter(q, layer, queryables)],
  };
}

/** `ids=3,17,42`: whole numbers, comma-separated, at most MAX_ASKED_IDS */
function idsParam(q: Query): number[] | undefined {
  const raw = single(q, 'ids');
  if (raw === undefined) return undefined;
  if (!/^\s*(?:\d{1,9}\s*(?:,\s*\d{1,9}\s*)*)?$/.test(raw)) throw bad('ids must be feature ids (whole numbers) separated by commas, e.g. ids=3,17,42', { parameter: 'ids' });
  const ids = raw.trim() === '' ? [] : raw.split(',').map((s) => Number(s.trim()));
  if (ids.length > MAX_ASKED_IDS) throw bad(`ids names ${ids.length} features; at most ${MAX_ASKED_IDS} at once`, { parameter: 'ids' });
  return ids;
}

function ifMatch(request: FastifyRequest, required: true): number;
function ifMatch(request: FastifyRequest, required: false): number | undefined;
function ifMatch(request: FastifyRequest, required: boolean): number | undefined {
  const h = request.headers['if-match'];
  if (h === undefined) {
    if (!required) return undefined;
    throw new DomainError('precondition_required',
      'send If-Match with the ETag of the version you read (GET the feature first): a write without it could overwrite someone else’s change');
  }
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(String(h)) ?? /^\s*(\d+)\s*$/.exec(String(h));
  if (!m) throw new DomainError('precondition_required', `If-Match must be the feature's ETag, e.g. "3" (got ${String(h)})`, { header: 'If-Match' });
  return Number(m[1]);
}

const etag = (version: number | null) => (version === null ? undefined : `"${version}"`);

/** `extra`: foreign members after the links (the single item's `writable` and `writeRefusal`). */
function sendFeature(reply: FastifyReply, featureJson: string, version: number | null, crs: FeatureCrs, links: Link[], extra: Record<string, unknown> = {}) {
  const tag = etag(version);
  if (tag) reply.header('ETag', tag);
  reply.header('Content-Crs', `<${crs.uri}>`).type(GEOJSON);
  const members = Object.entries(extra).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
  return reply.send(`${featureJson.slice(0, -1)},"links":${JSON.stringify(links)}${members}}`);
}

export const featuresPlugin: FastifyPluginAsync = async (app) => {
  // sorted results kept between the pages of a table (ordered-ids.ts), dropped by their layer's changes
  const orderings = new OrderedIds();
  const unsubscribe = app.changes.subscribe((entry) => orderings.heard(entry));
  app.addHook('onClose', async () => unsubscribe());
  const columnsOf = async (layer: LayerDef): Promise<CollectionColumns> => (await app.featureColumns()).get(layer.id)!;
  const temporalCache = new Map<string, { at: number; value: [string | null, string | null] }>();
  const temporalOf = async (layer: LayerDef): Promise<[string | null, string | null] | undefined> => {
    const t = layer.temporal;
    if (!t) return undefined;
    const hit = temporalCache.get(layer.id);
    if (hit && Date.now() - hit.at < TEMPORAL_TTL_MS) return hit.value;
    const value = await temporalExtent(app.pg.pool, layer, t.column);
    temporalCache.set(layer.id, { at: Date.now(), value });
    return value;
  };
  // what the reader may see (server/core/release.ts): without the military grant the sensitive columns
  // are not selected at all, so neither items, filters, schemas nor HTML can show them
  const released = new WeakMap<CollectionColumns, CollectionColumns>();
  const readColumns = async (request: FastifyRequest, layer: LayerDef): Promise<CollectionColumns> => {
    const cols = await columnsOf(layer);
    if (seesSensitive(request.user)) return cols;
    let v = released.get(cols);
    if (!v) {
      v = releasedColumns(cols, layer, false);
      released.set(cols, v);
    }
    return v;
  };
  /**
   * One change through the core, and the feature as this reader sees it afterwards, read in the same
   * transaction: a write that committed is answered as written even when the connection goes before
   * a second read could be made.
   */
  const write = async (request: Req, layer: LayerDef, change: Change, reason?: string) => {
    const crs = change.op === 'delete' ? undefined : crsParam(request.query, 'crs');
    const cols = await readColumns(request, layer);
    let item: OneItem | null = null;
    const [result] = await writeFeatures({ pool: app.pg.pool, layer, cols: await columnsOf(layer) }, actorOf(request), [change], {
      reason,
      finally: crs && (async (client, [written]) => { item = await queryItem(client, layer, cols, written.id, crs); }),
    });
    // answered once this process's tile cache has heard of the change (at most a moment): the writer's
    // map then reloads the touched tiles fresh, without waiting for the change stream
    await app.changes.seen(layer.id, result.id, result.version, WRITE_SEEN_WAIT_MS);
    return { result, item: item as OneItem | null, crs: crs! };
  };

  useDepthCheckedJson(app, ['application/geo+json', 'application/merge-patch+json']);

  // ---- what the routes take (server/core/schemas.ts). A collection or feature the path does not name
  // is 404 (the handlers say which exist); query parameters are free-form (property filters, f=…) but
  // text without NUL; a body's properties hold no NUL either (the write path checks the rest) ----
  const pathPart = text(64, 1);
  // a CQL2 filter may carry a polygon: longer than other parameters
  // (given twice, the same filter is one: GDAL repeats the dataset URL's query on the next links; see single())
  const query = { type: 'object', properties: { filter: { anyOf: [text(8000), { type: 'array', items: text(8000), maxItems: 2 }] } }, additionalProperties: text(1000) } as const;
  const collection = { params: object({ id: layerPath }, ['id']), querystring: query };
  // /ids: a shared link's ids are checked in pieces of at most MAX_ASKED_IDS
  const idsRoute = { params: object({ id: layerPath }, ['id']), querystring: { ...query, properties: { ...query.properties, ids: text(MAX_ASKED_IDS * 10) } } };
  const item = { params: object({ id: layerPath, fid: pathPart }, ['id', 'fid']), querystring: query };
  const version = { params: object({ id: layerPath, fid: pathPart, version: pathPart }, ['id', 'fid', 'version']), querystring: query, body: { properties: { reason: text(1000) } } };

  // ---- documents ----
  const landingRoute = async (request: Req, reply: FastifyReply) => {
    const doc = landing(baseUrl(request));
    if (wantsHtml(request)) {
      return reply.type(HTML).send(page(doc.title, `<p>${esc(doc.description)}</p>${linksList(doc.links)}`));
    }
    return doc;
  };
  app.get('/ogc', { schema: { querystring: query } }, landingRoute);
  app.get('/ogc/', { schema: { querystring: query } }, landingRoute);

  app.get('/ogc/conformance', { schema: { querystring: query } }, async (request: Req, reply) => {
    if (wantsHtml(request)) return reply.type(HTML).send(page('Conformance', `<ul>${CONFORMANCE.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>`));
    return { conformsTo: CONFORMANCE };
  });

  app.get('/ogc/api', { schema: { querystring: query } }, async (request, reply) => reply.type(OPENAPI).send(openApi(baseUrl(request), LAYERS)));

  app.get('/ogc/collections', { schema: { querystring: query } }, async (request: Req, reply) => {
    const base = baseUrl(request);
    const collections = await Promise.all(LAYERS.map(async (l) => collectionDoc(base, l, await temporalOf(l))));
    const links: Link[] = [
      { href: `${base}/ogc/collections`, rel: 'self', type: JSON_TYPE },
      { href: `${base}/ogc/collections?f=html`, rel: 'alternate', type: HTML },
    ];
    if (wantsHtml(request)) {
      const rows = collections.map((c) => ({ id: c.id, title: c.title, editable: c['x-zs-editable'] ? '可编辑' : '' }));
      return reply.type(HTML).send(page('图层 Collections', table(rows, ['id', 'title', 'editable'], (r) => `${base}/ogc/collections/${String(r.id)}?f=html`)));
    }
    return { links, collections };
  });

  app.get('/ogc/collections/:id', { schema: collection }, async (request: Req, reply) => {
    const layer = layerOf(request.params.id);
    const doc = collectionDoc(baseUrl(request), layer, await temporalOf(layer));
    if (wantsHtml(request)) return reply.type(HTML).send(page(`${doc.title} (${doc.id})`, `<p>${esc(doc.description)}</p>${linksList(doc.links)}<p>CRS: ${doc.crs.map((c) => `<code>${esc(c)}</code>`).join(' ')}</p>`));
    return doc;
  });

  app.get('/ogc/collections/:id/queryables', { schema: collection }, async (request: Req, reply) => {
    const layer = layerOf(request.params.id);
    return reply.type(SCHEMA_JSON).send(queryables(baseUrl(request), layer, await readColumns(request, layer)));
  });

  app.get('/ogc/collections/:id/schema', { schema: collection }, async (request: Req, reply) => {
    const layer = layerOf(request.params.id);
    return reply.type(SCHEMA_JSON).send(featureSchema(baseUrl(request), layer, await readColumns(request, layer)));
  });

  // ---- features ----
  app.get('/ogc/collections/:id/items', { schema: collection }, async (request: Req, reply) => {
    const layer = layerOf(request.params.id);
    const cols = await readColumns(request, layer);
    const q = request.query;
    const html = wantsHtml(request);
    const crs = crsParam(q, 'crs');
    const sortby = single(q, 'sortby');
    const query: ItemsQuery = {
      limit: intParam(q, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT),
      offset: intParam(q, 'offset', 0, 0, 1_000_000_000),
      crs,
      ...matchOf(q, layer, cols),
      order: sortby !== undefined ? orderSql(parseSortby(sortby, queryablesOf(cols))) : undefined,
    };
    const result = await queryItems((await request.reader()).pool, layer, cols, query, orderings);

    const base = baseUrl(request);
    const path = `${base}/ogc/collections/${layer.id}/items`;
    const withParams = (changes: Record<string, string | undefined>) => {
      const params = new URLSearchParams();
      for (const k of Object.keys(q)) {
        const v = single(q, k);
        if (v !== undefined && !(k in changes)) params.set(k, v);
      }
      for (const [k, v] of Object.entries(changes)) if (v !== undefined) params.set(k, v);
      const s = params.toString();
      return s ? `${path}?${s}` : path;
    };
    const links: Link[] = [
      { href: withParams({ f: 'json' }), rel: 'self', type: GEOJSON, title: 'this page' },
      { href: withParams({ f: 'html' }), rel: 'alternate', type: HTML, title: 'this page as HTML' },
      { href: `${base}/ogc/collections/${layer.id}`, rel: 'collection', type: JSON_TYPE, title: layer.title.zh },
    ];
    const fmt = html ? 'html' : 'json';
    if (query.offset + result.numberReturned < result.numberMatched) {
      links.push({ href: withParams({ offset: String(query.offset + query.limit), limit: String(query.limit), f: fmt }), rel: 'next', type: html ? HTML : GEOJSON, title: 'next page' });
    }
    if (query.offset > 0) {
      links.push({ href: withParams({ offset: String(Math.max(0, query.offset - query.limit)), limit: String(query.limit), f: fmt }), rel: 'prev', type: html ? HTML : GEOJSON, title: 'previous page' });
    }
    reply.header('Content-Crs', `<${crs.uri}>`);
    if (html) {
      const features = JSON.parse(result.featuresJson) as { id: number; properties: Record<string, unknown> }[];
      const names = cols.read.slice(0, 10).map((r) => r.name);
      const rows = features.map((f) => ({ id: f.id, ...f.properties }));
      const nav = links.filter((l) => l.rel === 'next' || l.rel === 'prev').map((l) => `<a href="${esc(l.href)}">${esc(l.title)}</a>`).join(' · ');
      return reply.type(HTML).send(page(`${layer.title.zh}：第 ${query.offset + 1}–${query.offset + result.numberReturned} 条，共 ${result.numberMatched} 条`,
        `<p>${nav}</p>${table(rows, ['id', ...names], (r) => `${path}/${String(r.id)}?f=html`)}<p>${nav}</p>`));
    }
    reply.type(GEOJSON);
    return reply.send(`{"type":"FeatureCollection","numberMatched":${result.numberMatched},"numberReturned":${result.numberReturned},` +
      `"timeStamp":"${new Date().toISOString()}","links":${JSON.stringify(links)},"features":${result.featuresJson}}`);
  });

  // count and sums (亩, m², 元) of what a query matches: the attribute table's footer, for its result
  // and its selection (id IN (…)); the same parameters, and the same release rule, as the items
  app.get('/ogc/collections/:id/summary', { schema: collection }, async (request: Req) => {
    const layer = layerOf(request.params.id);
    const cols = await readColumns(request, layer);
    for (const name of ['limit', 'offset', 'crs', 'sortby', 'f']) if (request.query[name] !== undefined) throw bad(`"${name}" does not apply to a summary`, { parameter: name });
    return { collection: layer.id, ...(await summarise((await request.reader()).pool, layer, cols, matchOf(request.query, layer, cols))) };
  });

  // 选择集: the ids of the features bbox, datetime, property filters and a CQL2 filter select, as the
  // items would list them but without shapes (the map's box and lasso select); `ids=` keeps those of
  // the named ones that are there (a shared link's selection, checked for its reader). Not part of OGC API.
  app.get('/ogc/collections/:id/ids', { schema: idsRoute }, async (request: Req) => {
    const layer = layerOf(request.params.id);
    const cols = await readColumns(request, layer);
    const result = await queryIds((await request.reader()).pool, layer, matchOf(request.query, layer, cols, IDS_PARAMS), idsParam(request.query));
    return { layer: layer.id, numberMatched: result.numberMatched, numberReturned: result.ids.length, truncated: result.numberMatched > MAX_IDS, ids: result.ids };
  });

  app.get('/ogc/collections/:id/items/:fid', { schema: item }, async (request: Req, reply) => {
    const layer = layerOf(request.params.id);
    const id = featureIdOf(request.params.fid, layer);
    const crs = crsParam(request.query, 'crs');
    const html = wantsHtml(request);
    const item = await queryItem(app.pg.pool, layer, await readColumns(request, layer), id, crs);
    if (!item) throw new DomainError('not_found', `${layer.id} has no feature ${id}`, { layer: layer.id, id });
    const base = baseUrl(request);
    const self = `${base}/ogc/collections/${layer.id}/items/${id}`;
    const links: Link[] = [
      { href: self, rel: 'self', type: GEOJSON },
      { href: `${self}?f=html`, rel: 'alternate', type: HTML },
      { href: `${base}/ogc/collections/${layer.id}`, rel: 'collection', type: JSON_TYPE },
      { href: `${self}/history`, rel: 'version-history', type: JSON_TYPE, title: 'versions of this feature' },
    ];
    const tag = etag(item.version);
    // the answer depends on who asks (writable), not only on the version
    reply.header('Vary', 'Cookie');
    if (tag && request.headers['if-none-match'] === tag) return reply.header('ETag', tag).code(304).send();
    // for an account, on an editable layer: may this user write this feature, and if not why — the
    // write path's own checks (server/core/write.ts writeRefusal), so the editor knows before any save
    const refusal = request.user && isEditable(layer) && !html ? await writeRefusal(app.pg.pool, actorOf(request), layer, id) : undefined;
    const access = refusal === undefined ? {} : { writable: refusal === null, writeRefusal: refusal };
    if (html) {
      const f = JSON.parse(item.featureJson) as { properties: Record<string, unknown> };
      const rows = Object.entries(f.properties).map(([k, v]) => ({ property: k, value: v }));
      return reply.type(HTML).send(page(`${layer.title.zh} ${id}`, `${table(rows, ['property', 'value'])}${linksList(links)}`));
    }
    return sendFeature(reply, item.featureJson, item.version, crs, links, access);
  });

  // ---- writes ----
  const afterWrite = async (request: Req, reply: FastifyReply, layer: LayerDef, written: Awaited<ReturnType<typeof write>>, status: number) => {
    const { item, crs } = written;
    const id = written.result.id;
    const self = `${baseUrl(request)}/ogc/collections/${layer.id}/items/${id}`;
    reply.code(status);
    if (status === 201) reply.header('Location', self);
    if (!item) return reply.code(status === 201 ? 201 : 200).send({ id, message: 'written; the feature now has no geometry' });
    return sendFeature(reply, item.featureJson, item.version, crs, [{ href: self, rel: 'self', type: GEOJSON }, { href: `${self}/history`, rel: 'version-history', type: JSON_TYPE }]);
  };

  const body = (request: Req, mode: WriteMode, layer: LayerDef, cols: CollectionColumns) => {
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!['application/json', 'application/geo+json', 'application/merge-patch+json'].includes(type)) {
      throw new DomainError('unsupported_media_type', `send the feature as application/geo+json or application/json (got ${type || 'no Content-Type'})`, { contentType: type || null });
    }
    let b = request.body as unknown;
    // a merge patch may leave out "type"
    if (mode === 'patch' && typeof b === 'object' && b !== null && !Array.isArray(b) && (b as { type?: unknown }).type === undefined) b = { ...b, type: 'Feature' };
    return checkBody(b, layer, cols, contentCrs(request), mode, seesSensitive(request.user));
  };

  app.post('/ogc/collections/:id/items', { bodyLimit: MAX_BODY_BYTES, schema: { ...collection, body: featureBody } }, async (request: Req, reply) => {
    const layer = editableLayerOf(request.params.id);
    const checked = body(request, 'create', layer, await columnsOf(layer));
    const written = await write(request, layer, { op: 'create', props: checked.props, geometry: checked.geometry ?? null }, checked.reason);
    return afterWrite(request, reply, layer, written, 201);
  });

  for (const [method, mode] of [['put', 'replace'], ['patch', 'patch']] as const) {
    app[method]('/ogc/collections/:id/items/:fid', { bodyLimit: MAX_BODY_BYTES, schema: { ...item, body: featureBody } }, async (request: Req, reply) => {
      const layer = editableLayerOf(request.params.id);
      const id = featureIdOf(request.params.fid, layer);
      const version = ifMatch(request, true);
      const checked = body(request, mode, layer, await columnsOf(layer));
      const written = await write(request, layer, { op: 'update', id, version, props: checked.props, geometry: checked.geometry }, checked.reason);
      return afterWrite(request, reply, layer, written, 200);
    });
  }

  app.delete('/ogc/collections/:id/items/:fid', { schema: item }, async (request: Req, reply) => {
    const layer = editableLayerOf(request.params.id);
    const id = featureIdOf(request.params.fid, layer);
    const version = ifMatch(request, true);
    await write(request, layer, { op: 'delete', id, version }, single(request.query, 'reason'));
    return reply.code(204).send();
  });

  // ---- history ----
  app.get('/ogc/collections/:id/items/:fid/history', { schema: item }, async (request: Req) => {
    const layer = layerOf(request.params.id);
    const id = featureIdOf(request.params.fid, layer);
    const versions = await featureHistory(app.pg.pool, layer, id, seesSensitive(request.user));
    if (versions.length === 0) {
      const exists = await app.pg.pool.query(`SELECT 1 FROM "${layer.table}" WHERE id = $1`, [id]);
      if (!exists.rowCount) throw new DomainError('not_found', `${layer.id} has no feature ${id} and no history of one`, { layer: layer.id, id });
    }
    const self = `${baseUrl(request)}/ogc/collections/${layer.id}/items/${id}`;
    return {
      collection: layer.id,
      featureId: id,
      links: [{ href: `${self}/history`, rel: 'self', type: JSON_TYPE }, { href: self, rel: 'latest-version', type: GEOJSON }],
      versions,
    };
  });

  app.post('/ogc/collections/:id/items/:fid/history/:version/restore', { schema: version }, async (request: Req, reply) => {
    const layer = editableLayerOf(request.params.id);
    const id = featureIdOf(request.params.fid, layer);
    if (!/^\d{1,9}$/.test(request.params.version)) throw new DomainError('not_found', `no version "${request.params.version}"`, { layer: layer.id, id, version: request.params.version });
    const b = request.body as { reason?: unknown } | undefined;
    const reason = typeof b?.reason === 'string' ? b.reason : single(request.query, 'reason');
    const from = Number(request.params.version);
    // recorded as a restore of `from` (change_log.restored_from), with the reason if one is given
    const written = await write(request, layer, { op: 'restore', id, from, version: ifMatch(request, false) }, reason);
    return afterWrite(request, reply, layer, written, 200);
  });
};
