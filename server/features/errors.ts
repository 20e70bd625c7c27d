// Every refusal of the feature API: an HTTP status, a code, a message saying what is wrong, and where
// (a JSON path into the body, the field, the position or the location of an invalid geometry).
export interface ErrorDetails {
  path?: string;
  field?: string;
  position?: number[];
  /** [lon, lat] (CRS84) where PostGIS found the geometry invalid */
  location?: [number, number];
  allowed?: string[];
  currentVersion?: number;
  [key: string]: unknown;
}

export class FeatureError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails;
  constructor(status: number, code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

interface PgError { code?: string; constraint?: string; column?: string; detail?: string; table?: string; message: string }

/** A database refusal (constraint, foreign key, uniqueness) as a FeatureError naming the field. */
export function fromPgError(err: unknown, table: string): unknown {
  const e = err as PgError;
  if (!e || typeof e.code !== 'string') return err;
  const keyField = /Key \(([^)]+)\)/.exec(e.detail ?? '')?.[1];
  switch (e.code) {
    case '23502':
      return new FeatureError(422, 'missing_attribute', `"${e.column}" is required`, { field: e.column });
    case '23503': {
      if (/still referenced/.test(e.detail ?? '')) {
        const by = /from table "([^"]+)"/.exec(e.detail ?? '')?.[1];
        return new FeatureError(409, 'referenced', `the feature is still referenced${by ? ` by ${by}` : ''}: ${e.detail}`, { referencedBy: by });
      }
      return new FeatureError(422, 'unknown_reference', `${e.detail ?? e.message}`.replace(/\.$/, ''), { field: keyField });
    }
    case '23505':
      return new FeatureError(409, 'duplicate', `${e.detail ?? e.message}`.replace(/\.$/, ''), { field: keyField });
    case '23514': {
      const c = e.constraint ?? '';
      const field = c.startsWith(`${table}_`) && c.endsWith('_check') ? c.slice(table.length + 1, -'_check'.length) : undefined;
      return new FeatureError(422, 'constraint', `the value breaks the rule ${c}${field ? ` on "${field}"` : ''}`, { field, constraint: c });
    }
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new FeatureError(422, 'wrong_type', e.message);
    default:
      return err;
  }
}
