// What the attribute table asks the server: a collection's schema and queryables, a page of items in
// a sort order with a filter, the count and sums of a filter (/summary), and the ids of a whole result.
// All through the OGC API – Features at /ogc (server/features), so the release rule and the filter rule
// are the server's.
import { api, apiError } from '../http.ts';
import type { Field } from './cql.ts';
import { fetchIds } from '../map/selection.ts';

const OGC = '/ogc/collections';

export interface Column { key: string; title: string; type: Field['type']; labels?: Record<string, string> }

async function json<T>(url: string): Promise<T> {
  const res = await api(url);
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

interface SchemaDoc { properties: Record<string, { title?: string; type?: string | string[]; format?: string; oneOf?: { const: string; title: string; description?: string }[] }> }
interface QueryablesDoc { properties: Record<string, { title?: string; type?: string; format?: string; enum?: string[] }> }

const typeOf = (p: { type?: string | string[]; format?: string }): Field['type'] => {
  const t = Array.isArray(p.type) ? p.type.find((x) => x !== 'null') : p.type;
  if (t === 'number' || t === 'integer' || t === 'boolean') return t;
  if (p.format === 'date') return 'date';
  if (p.format === 'date-time') return 'date-time';
  return 'string';
};

/** The columns a reader sees (the schema), and the fields a filter may name (the queryables). */
export async function describe(layerId: string, lang: 'zh' | 'en'): Promise<{ columns: Column[]; fields: Field[] }> {
  const [schema, queryables] = await Promise.all([json<SchemaDoc>(`${OGC}/${layerId}/schema`), json<QueryablesDoc>(`${OGC}/${layerId}/queryables`)]);
  const columns: Column[] = [{ key: 'id', title: '', type: 'integer' }];
  for (const [key, p] of Object.entries(schema.properties)) {
    if (key === 'geometry') continue;
    const labels = p.oneOf ? Object.fromEntries(p.oneOf.map((o) => [o.const, lang === 'zh' ? o.title : o.description ?? o.title])) : undefined;
    columns.push({ key, title: p.title ?? key, type: typeOf(p), labels });
  }
  const fields: Field[] = Object.entries(queryables.properties)
    .filter(([key]) => key !== 'geometry')
    .map(([name, p]) => ({ name, type: typeOf(p), ...(p.enum ? { codes: p.enum } : {}) }));
  return { columns, fields };
}

export interface Query { filter: string; sortby: string }

export interface Page { numberMatched: number; features: GeoJSON.Feature[] }

const params = (q: Query, extra: Record<string, string>) => {
  const s = new URLSearchParams(extra);
  if (q.filter.trim()) s.set('filter', q.filter.trim());
  if (q.sortby) s.set('sortby', q.sortby);
  return s;
};

/** One page of the result. Geometry comes along (the items API has no properties= choice): it gives a row's extent to fly to. */
export function fetchPage(layerId: string, q: Query, offset: number, limit: number, signal?: AbortSignal): Promise<Page> {
  return api(`${OGC}/${layerId}/items?${params(q, { limit: String(limit), offset: String(offset) })}`, { signal }).then(async (res) => {
    if (!res.ok) throw await apiError(res);
    return (await res.json()) as Page;
  });
}

export interface Summary { numberMatched: number; sums: { name: string; unit: 'm2' | 'mu' | 'yuan'; value: number }[] }

/** Count and sums (亩, m², 元) of what a filter matches. */
export function fetchSummary(layerId: string, filter: string, signal?: AbortSignal): Promise<Summary> {
  const s = new URLSearchParams();
  if (filter.trim()) s.set('filter', filter.trim());
  return api(`${OGC}/${layerId}/summary?${s}`, { signal }).then(async (res) => {
    if (!res.ok) throw await apiError(res);
    return (await res.json()) as Summary;
  });
}

/** The most ids "select all results" takes (beyond it the selection would be too large to export as id IN …). */
export const MAX_SELECT_ALL = 10_000;

/** The first MAX_SELECT_ALL ids of a result, ascending: the server's /ids, shapes left out. */
export async function resultIds(layerId: string, filter: string): Promise<{ ids: number[]; numberMatched: number }> {
  const { ids, numberMatched } = await fetchIds(layerId, { filter: filter.trim() || undefined });
  return { ids: ids.slice(0, MAX_SELECT_ALL), numberMatched };
}

/** The projects (red lines) of a command area (片区): parcels and houses carry their project, not the area. */
export async function projectsOfArea(code: string): Promise<number[]> {
  const areas = await json<Page>(`${OGC}/command_area/items?${new URLSearchParams({ filter: `code = '${code}'`, limit: '10' })}`);
  const areaId = areas.features[0]?.id;
  if (areaId === undefined) return [];
  const projects = await json<Page>(`${OGC}/red_line/items?${new URLSearchParams({ filter: `command_area_id = ${Number(areaId)}`, limit: '10000' })}`);
  return projects.features.map((f) => Number(f.id)).sort((a, b) => a - b);
}

