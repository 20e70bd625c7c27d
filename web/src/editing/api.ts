// The feature API as the editor uses it: read a feature with its ETag, write with If-Match, the
// schema for the attribute form, history and restore. A refusal is thrown as an ApiError (http.ts):
// its code and params (what and where: field, path, position, location) so the form can show it,
// worded by errorText, next to the field.
import type { HistoryEntry } from '../../../geo/api.ts';
import type { ErrorParams } from '../../../geo/errors.ts';
import { COMMAND_AREA } from '../../../geo/domain.ts';
import { api, ensureOk } from '../http.ts';
import { L } from '../i18n/i18n.svelte.ts';
import { featuresUrl } from '../map/data.ts';

export interface Feature {
  type: 'Feature';
  id: number;
  geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon;
  properties: Record<string, unknown>;
  /** the single item, read by an account: may it write this feature (the write path's checks of role and scope) */
  writable?: boolean;
  /** why not, as the write would refuse it: worded by code (web/src/i18n/errors.ts) */
  writeRefusal?: WriteRefusal | null;
}

/** A refusal known before a write (server/core/write.ts writeRefusal): the error code and its params. */
export interface WriteRefusal {
  code: string;
  params: ErrorParams;
}

export interface Saved {
  feature: Feature;
  etag: string;
}

export interface SchemaProperty {
  title: string;
  description?: string;
  type: string | string[];
  format?: string;
  readOnly?: boolean;
  /** recorded elsewhere than by a feature write: 'procedure' (the legal procedure's 报批 step) */
  'x-zs-recorded-by'?: string;
  /** names a feature of this layer (a foreign key): picked by name (referenceOptions) */
  'x-zs-references'?: string;
  oneOf?: { const: string; title: string; description: string }[];
}

export interface FeatureSchema {
  title: string;
  properties: Record<string, SchemaProperty>;
  required: string[];
}

/** One entry of a feature's history, as server/features/history.ts builds it (its geometry as GeoJSON). */
export type Version = Omit<HistoryEntry, 'before' | 'after'> & { before: Feature | null; after: Feature | null };

const items = (collection: string) => `/ogc/collections/${collection}/items`;

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  return ensureOk(await api(url, init));
}

async function saved(res: Response): Promise<Saved> {
  return { feature: (await res.json()) as Feature, etag: res.headers.get('etag') ?? '' };
}

export async function getFeature(collection: string, id: number): Promise<Saved> {
  return saved(await call(`${items(collection)}/${id}`, { cache: 'no-store' }));
}

export async function getSchema(collection: string): Promise<FeatureSchema> {
  return (await call(`/ogc/collections/${collection}/schema`)).json();
}

/** A feature another one may name (a project, village, command area): its id and what a person calls it. */
export interface ReferenceOption { id: number; name: string; code: string | null }

/** A picker's option: a command area by its label in the interface's language; any other feature by its own name and code. */
export const referenceLabel = (layerId: string, o: ReferenceOption): string =>
  layerId === 'command_area' && o.code && o.code in COMMAND_AREA ? L(COMMAND_AREA[o.code as keyof typeof COMMAND_AREA])
    : o.code && o.code !== o.name ? `${o.name} · ${o.code}` : o.name;

/**
 * The features of `layerId` a form may name, sorted by code then name: the small layer as the map reads
 * it (a project with its red line: a parcel lies in one), asked afresh each time a form opens, so a
 * project created a minute ago is there.
 */
export async function referenceOptions(layerId: string): Promise<ReferenceOption[]> {
  const fc = (await (await call(featuresUrl(layerId), { cache: 'no-cache' })).json()) as GeoJSON.FeatureCollection;
  return fc.features
    .map((f) => ({ id: Number(f.properties?.id ?? f.id), name: String(f.properties?.name ?? ''), code: f.properties?.code == null ? null : String(f.properties.code) }))
    .sort((a, b) => (a.code ?? '').localeCompare(b.code ?? '') || a.name.localeCompare(b.name, 'zh'));
}

const geojson = { 'content-type': 'application/geo+json' };

export async function createFeature(collection: string, geometry: Feature['geometry'], properties: Record<string, unknown>): Promise<Saved> {
  return saved(await call(items(collection), { method: 'POST', headers: geojson, body: JSON.stringify({ type: 'Feature', geometry, properties }) }));
}

export async function patchFeature(collection: string, id: number, etag: string, change: { geometry?: Feature['geometry']; properties?: Record<string, unknown> }): Promise<Saved> {
  return saved(await call(`${items(collection)}/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json', 'If-Match': etag },
    body: JSON.stringify(change),
  }));
}

export async function deleteFeature(collection: string, id: number, etag: string): Promise<void> {
  await call(`${items(collection)}/${id}`, { method: 'DELETE', headers: { 'If-Match': etag } });
}

export async function getHistory(collection: string, id: number): Promise<Version[]> {
  return ((await (await call(`${items(collection)}/${id}/history`, { cache: 'no-store' })).json()) as { versions: Version[] }).versions;
}

export async function restoreVersion(collection: string, id: number, version: number, etag: string | undefined): Promise<Saved> {
  return saved(await call(`${items(collection)}/${id}/history/${version}/restore`, { method: 'POST', headers: etag ? { 'If-Match': etag } : {} }));
}
