// JSON bodies, parsed only when they are not nested absurdly deep: code that walks a parsed value
// (GeoJSON checks, unwrapping a Feature, PostgreSQL's own parsers) must never meet a value so deep
// that it runs out of stack. Arrays and objects nested deeper than MAX_JSON_DEPTH are refused with
// 400 too_complex before JSON.parse sees them; the scan is one pass over the text.
import type { FastifyInstance } from 'fastify';
import { DomainError } from './errors.ts';

/** Deeper than any body the API takes (a FeatureCollection's MultiPolygon is about 8 levels). */
export const MAX_JSON_DEPTH = 64;

/** How deep arrays and objects nest in JSON text (strings skipped), stopping once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

export function tooDeep(): DomainError {
  return new DomainError('too_complex', `the input is nested too deeply: JSON bodies nest at most ${MAX_JSON_DEPTH} arrays and objects`, { maxDepth: MAX_JSON_DEPTH });
}

type Parser = (request: never, body: string, done: (err: Error | null, body?: unknown) => void) => void;

/** Fastify's own JSON parser (proto-poisoning refused, empty body refused) behind the depth check. */
export function depthCheckedJsonParser(app: FastifyInstance): Parser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as Parser;
  return (request, body, done) => {
    if (jsonDepth(body) > MAX_JSON_DEPTH) return done(tooDeep());
    parse(request, body, done);
  };
}

/** Use the depth-checked parser for these content types on `app` (and the contexts it encloses). */
export function useDepthCheckedJson(app: FastifyInstance, types: string[]): void {
  for (const t of types) if (app.hasContentTypeParser(t)) app.removeContentTypeParser(t);
  app.addContentTypeParser(types, { parseAs: 'string' }, depthCheckedJsonParser(app) as never);
}
