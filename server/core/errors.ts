// The one error type of the server (geo/errors.ts has the contract and the codes). Everything that
// refuses a request throws a DomainError; the one error handler (errorHandler below, set in app.ts)
// turns it — and Fastify's validation errors, and PostgreSQL's refusals of bad values — into
// `{ error, message, params, field? }` with the right status. Light on purpose (no pg, no fastify at
// runtime): the CLI and the export worker import it too.
import { ERROR_STATUS, type ErrorBody, type ErrorCode, type ErrorParams } from '../../geo/errors.ts';

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams;
  readonly field?: string;
  constructor(code: ErrorCode, message: string, params: ErrorParams = {}, opts: { status?: number; field?: string } = {}) {
    super(message);
    this.code = code;
    this.status = opts.status ?? ERROR_STATUS[code];
    this.params = params;
    this.field = opts.field ?? (typeof params.field === 'string' ? params.field : undefined);
  }

  /** Fastify and older callers read `statusCode`. */
  get statusCode(): number {
    return this.status;
  }

  toJSON(): ErrorBody {
    return { error: this.code, message: this.message, params: this.params, ...(this.field ? { field: this.field } : {}) };
  }
}

/** Seconds a client should wait before trying again while the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 2;
/** …and when the server is busy (no connection, or an account's share of expensive requests, came free). */
export const BUSY_RETRY_AFTER_S = 1;

/** The answers a client may simply retry, and after how many seconds (the Retry-After header). */
const RETRY_AFTER: Partial<Record<ErrorCode, number>> = {
  database_unavailable: DATABASE_RETRY_AFTER_S,
  commit_unknown: DATABASE_RETRY_AFTER_S,
  database_busy: BUSY_RETRY_AFTER_S,
  too_many_requests: BUSY_RETRY_AFTER_S,
};

interface PgError { code?: string; constraint?: string; column?: string; detail?: string; table?: string; message: string }

/** SQLSTATE classes and driver errors that mean the database cannot be reached (or went away). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as PgError & { errno?: number };
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(08|57P0[1-3])/.test(code) || code === '53300') return true; // connection exceptions, admin shutdown, too many connections
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed and is not queryable|not queryable/i.test(e.message ?? '');
}

/** pg-pool's refusal when every connection stayed in use for the whole wait (connectionTimeoutMillis). */
export function isPoolExhausted(err: unknown): boolean {
  return err instanceof Error && err.message === 'timeout exceeded when trying to connect';
}

/**
 * A database refusal as a DomainError naming the field, or null when it is not a refusal of the
 * input (a bug or an outage: the caller rethrows it). `table` names the columns' table for messages.
 */
export function fromDatabaseError(err: unknown, table?: string): DomainError | null {
  const e = err as PgError;
  if (!e || typeof e.code !== 'string') return null;
  const keyField = /Key \(([^)]+)\)/.exec(e.detail ?? '')?.[1];
  switch (e.code) {
    case '23502':
      return new DomainError('missing_attribute', `"${e.column}" is required`, { field: e.column ?? null }, { field: e.column });
    case '23503': {
      if (/still referenced/.test(e.detail ?? '')) {
        const by = /from table "([^"]+)"/.exec(e.detail ?? '')?.[1];
        return new DomainError('referenced', `the feature is still referenced${by ? ` by ${by}` : ''}: ${e.detail}`, { referencedBy: by ?? null });
      }
      return new DomainError('unknown_reference', `${e.detail ?? e.message}`.replace(/\.$/, ''), { field: keyField ?? null }, { field: keyField });
    }
    case '23505':
      return new DomainError('duplicate', `${e.detail ?? e.message}`.replace(/\.$/, ''), { field: keyField ?? null }, { field: keyField });
    case '23514': {
      const c = e.constraint ?? '';
      const field = table && c.startsWith(`${table}_`) && c.endsWith('_check') ? c.slice(table.length + 1, -'_check'.length) : undefined;
      return new DomainError('constraint', `the value breaks the rule ${c}${field ? ` on "${field}"` : ''}`, { constraint: c, field: field ?? null }, { field });
    }
    case '54001': // stack depth: input nested too deep for PostgreSQL's parsers
      return new DomainError('too_complex', 'the input is nested too deeply', {});
    case '42501':
      // the scope rule's refusal (migrations/functions/50_scope.sql zs_scope_refusal) in DETAIL: the row's area and the writer's
      if ((e as { hint?: string }).hint === 'out_of_scope') return new DomainError('out_of_scope', e.message, scopeParams(e.detail));
      return null;
    default:
      // class 22: data exceptions (bad number, out of range, bad date, NUL byte, bad encoding, bad JSON)
      if (e.code.startsWith('22')) return new DomainError('invalid_input', `a value is not acceptable: ${e.message}`, { reason: e.code });
      return null;
  }
}

/** The scope refusal's JSON (`{area, areas}`: command-area codes) as error params; {} if there is none. */
export function scopeParams(detail: unknown): ErrorParams {
  if (typeof detail === 'string') {
    try {
      const d = JSON.parse(detail) as { area?: unknown; areas?: unknown };
      return { area: typeof d.area === 'string' ? d.area : null, areas: Array.isArray(d.areas) ? d.areas.filter((a): a is string => typeof a === 'string') : [] };
    } catch { /* not the rule's JSON */ }
  } else if (detail && typeof detail === 'object') {
    return scopeParams(JSON.stringify(detail));
  }
  return {};
}

/**
 * An outage, an exhausted pool or a statement timeout as the DomainError a client can act on (all
 * 503 with Retry-After where retrying helps), or null for any other error.
 */
export function transientDatabaseError(err: unknown): DomainError | null {
  if (isPoolExhausted(err)) {
    return new DomainError('database_busy', 'every database connection stayed busy for the whole wait: try again in a moment', { retryAfterSeconds: BUSY_RETRY_AFTER_S });
  }
  if ((err as PgError)?.code === '57014') {
    return new DomainError('query_timeout', `the query took longer than the server allows and was cancelled (${(err as PgError).message})`, {});
  }
  if (isDatabaseUnavailable(err)) {
    return new DomainError('database_unavailable', 'the database cannot be reached just now: try again in a moment', { retryAfterSeconds: DATABASE_RETRY_AFTER_S });
  }
  return null;
}

interface FastifyLikeError extends Error {
  statusCode?: number;
  code?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/** Any thrown value as the status and body to send, and whether it is the server's own fault. */
export function toErrorReply(err: unknown): { status: number; body: ErrorBody; headers?: Record<string, string>; fault: boolean } {
  if (err instanceof DomainError) {
    const retry = RETRY_AFTER[err.code];
    return { status: err.status, body: err.toJSON(), headers: retry ? { 'retry-after': String(retry) } : undefined, fault: false };
  }
  const e = err as FastifyLikeError;
  if (e && Array.isArray(e.validation)) {
    const v = e.validation[0] ?? {};
    const missing = typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : '';
    const extra = typeof v.params?.additionalProperty === 'string' ? `/${v.params.additionalProperty}` : '';
    const path = `${v.instancePath ?? ''}${missing}${extra}`.replace(/^\//, '').replace(/\//g, '.');
    const where = e.validationContext ?? 'input';
    const field = path || undefined;
    return {
      status: 400,
      body: { error: 'invalid_input', message: `${where}${path ? ` ${path}` : ''}: ${v.message ?? 'is not valid'}`, params: { in: where, field: field ?? null, rule: (v as { keyword?: string }).keyword ?? null }, ...(field ? { field } : {}) },
      fault: false,
    };
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { status: 413, body: { error: 'payload_too_large', message: e.message, params: {} }, fault: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', message: e.message, params: {} }, fault: false };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 400, body: { error: 'invalid_input', message: 'a path parameter is longer than 100 characters', params: { in: 'params' } }, fault: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { error: 'invalid_json', message: `the body is not JSON: ${e.message}`, params: {} }, fault: false };
    default:
      break;
  }
  if (e instanceof SyntaxError) return { status: 400, body: { error: 'invalid_json', message: `the body is not JSON: ${e.message}`, params: {} }, fault: false };
  const transient = transientDatabaseError(err);
  if (transient) return { ...toErrorReply(transient), fault: transient.code === 'database_unavailable' };
  const refused = fromDatabaseError(err);
  if (refused) return { status: refused.status, body: refused.toJSON(), fault: false };
  // Fastify's own client errors (e.g. a bad URL encoding) keep their 4xx
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: e.statusCode === 413 ? 'payload_too_large' : e.statusCode === 415 ? 'unsupported_media_type' : 'invalid_input', message: e.message, params: {} }, fault: false };
  }
  return { status: 500, body: { error: 'internal_error', message: 'internal server error', params: {} }, fault: true };
}
