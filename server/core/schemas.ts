// The pieces every route's JSON schema is made of (Fastify validates params, querystring and body
// with them before a handler runs; the one error handler turns a failure into 400 invalid_input
// naming the field — server/core/errors.ts). The Fastify instance coerces types (coerceTypes: true):
// '12' in a path or query is the integer 12.
//
// Two rules hold for every value that can reach PostgreSQL:
//  - text never holds a NUL character (PostgreSQL's text cannot store U+0000): `text()` refuses it;
//  - numbers that become ids or int columns stay inside int4 (1…2,147,483,647): `id`.
import { LAYERS } from '../../geo/layers.ts';

/** Largest value of a PostgreSQL integer (int4): ids, versions, counts. */
export const MAX_INT4 = 2_147_483_647;

/** Any string without a NUL character. */
export const NO_NUL = '^[^\\u0000]*$';

/** A string without NUL, at most `max` characters (and at least `min`). */
export const text = (max: number, min = 0) => ({ type: 'string', pattern: NO_NUL, maxLength: max, ...(min ? { minLength: min } : {}) }) as const;

/** Nullable text. */
export const textOrNull = (max: number) => ({ type: ['string', 'null'], pattern: NO_NUL, maxLength: max }) as const;

/** A database id: a whole number 1…2,147,483,647. */
export const id = { type: 'integer', minimum: 1, maximum: MAX_INT4 } as const;
export const idOrNull = { type: ['integer', 'null'], minimum: 1, maximum: MAX_INT4 } as const;

/** A version (ETag value) or any other positive int4. */
export const positiveInt = id;

/** A whole number from min to max. */
export const int = (min: number, max: number, extra: Record<string, unknown> = {}) => ({ type: 'integer', minimum: min, maximum: max, ...extra }) as const;

/** Years the figures and reports can be asked for: the records start after 1900 and plans end by 2200. */
const YEAR = '(?:19\\d\\d|2[01]\\d\\d|2200)';
/** YYYY-MM-DD, a real calendar date (format: 'date' refuses 2021-02-30), years 1900–2200. */
export const date = { type: 'string', pattern: `^${YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$`, format: 'date' } as const;
export const dateOrNull = { type: ['string', 'null'], pattern: date.pattern, format: 'date' } as const;
/** YYYY-MM, years 1900–2200. */
export const month = { type: 'string', pattern: `^${YEAR}-(?:0[1-9]|1[0-2])$` } as const;
/** A date or a date and time (ISO 8601), as the audit filters take them; '' = not given. */
export const dateOrTime = { type: 'string', pattern: `^(?:${YEAR}-\\d{2}-\\d{2}(?:T[\\d:.]+(?:Z|[+-]\\d{2}:?\\d{2})?)?)?$`, maxLength: 40 } as const;

/** 'minLon,minLat,maxLon,maxLat' (or another CRS's order): checked in full by the route, here only its characters. */
export const bbox = { type: 'string', pattern: '^[-+0-9.eE, ]{1,200}$' } as const;

/** The map layers of geo/layers.ts. */
export const LAYER_IDS = LAYERS.map((l) => l.id);
export const layerId = { type: 'string', enum: LAYER_IDS } as const;
/**
 * A layer id in a path: shaped like one. An unknown name is the route's to answer (404 no layer "…"),
 * as a path that names nothing is not found rather than malformed.
 */
export const layerPath = { type: 'string', pattern: '^[a-z_]{1,64}$' } as const;

/** params: { [name]: id } for each name, all required. */
export const idParams = (...names: string[]) => ({
  type: 'object',
  additionalProperties: false,
  required: names,
  properties: Object.fromEntries(names.map((n) => [n, id])),
}) as const;

/** A querystring with no parameters at all. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

/** An object with exactly these properties (none unknown). */
export const object = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}), ...extra,
});

/**
 * A value of a feature's property: text never holds NUL; other values go through as they are. No
 * `type` here on purpose: with coerceTypes a type (even inside `if`) would turn 12 into "12".
 */
export const propertyValue = { pattern: NO_NUL } as const;

/** A GeoJSON feature body as the OGC write routes take it: its properties' text holds no NUL (the route checks the rest). */
export const featureBody = { properties: { properties: { additionalProperties: propertyValue } } } as const;
