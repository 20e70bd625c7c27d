// The one fetch of the web client: every call to the app's own API goes through `api()`. It waits for
// the session, sends the CSRF token on every change, retries once when the token was stale, and on a
// 401 hands over to the login screen. session.svelte.ts plugs the session in with `useAuth`.
// A refusal is an ApiError (code, params, field, status) and `errorText` words it in the user's
// language from the client's own table (i18n/errors.ts), never from the server's English message.
import type { ErrorParams } from '../../geo/errors.ts';
import { type Lang, wordCode } from './i18n/errors.ts';

export type { Lang };
export interface Auth {
  /** resolves once the session is known */
  ready(): Promise<void>;
  csrfToken(): string | null;
  /** ask the server for the session again (a new CSRF token) */
  refresh(): Promise<void>;
  /** a request came back 401: log in (again) */
  unauthenticated(): void;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let auth: Auth | null = null;

export function useAuth(a: Auth): void {
  auth = a;
}

/** fetch() for the app's API; the response is returned as is, refusals included. */
export async function api(input: string, init: RequestInit = {}): Promise<Response> {
  await auth?.ready().catch(() => {});
  const method = (init.method ?? 'GET').toUpperCase();
  const send = () => {
    const token = auth?.csrfToken();
    if (!UNSAFE.has(method) || !token) return fetch(input, init);
    const headers = new Headers(init.headers);
    headers.set('x-csrf-token', token);
    return fetch(input, { ...init, headers });
  };
  let res = await send();
  if (res.status === 403 && UNSAFE.has(method) && auth) {
    const body = (await res.clone().json().catch(() => null)) as { error?: string } | null;
    if (body?.error === 'csrf') {
      await auth.refresh().catch(() => {});
      res = await send();
    }
  }
  if (res.status === 401) auth?.unauthenticated();
  return res;
}

// ---- refusals ----

/**
 * A refusal of the server (any non-2xx answer): its code, params and field (geo/errors.ts). The
 * server's English `message` is kept for the console only; `errorText` words the refusal for people.
 */
export class ApiError extends Error {
  readonly status: number;
  /** the error code (geo/errors.ts ERROR_STATUS); '' when the answer was not the server's JSON */
  readonly code: string;
  readonly params: ErrorParams;
  readonly field?: string;
  /** the server's message, English for developers: never shown */
  readonly developerMessage: string;
  constructor(status: number, code: string, params: ErrorParams = {}, field?: string, developerMessage = '') {
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.params = params;
    this.field = field;
    this.developerMessage = developerMessage;
  }
}

/** The refusal a non-2xx response carries (reads its body). */
export async function apiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!body || typeof body !== 'object' || typeof body.error !== 'string') return new ApiError(res.status, '');
  const { error, message, params, field, ...rest } = body;
  // older routes put their params (retryAfterSeconds) beside the code
  const all = { ...(rest as ErrorParams), ...(params && typeof params === 'object' ? (params as ErrorParams) : {}) };
  const f = typeof field === 'string' ? field : typeof all.field === 'string' ? all.field : undefined;
  return new ApiError(res.status, error, all, f, typeof message === 'string' ? message : '');
}

/** The response if it is 2xx; else its refusal, thrown as an ApiError. */
export async function ensureOk(res: Response): Promise<Response> {
  if (!res.ok) throw await apiError(res);
  return res;
}

/** `api()` for JSON: the parsed body, or the refusal thrown as an ApiError. */
export async function apiJson<T>(input: string, init: RequestInit = {}): Promise<T> {
  return (await (await ensureOk(await api(input, init))).json()) as T;
}

/**
 * Anything caught, as the user reads it: a refusal worded from its code and params in `lang`
 * (web/src/i18n/errors.ts), never the server's English; a string as it is; anything else (a network
 * failure, a bug) with its own message, as before.
 */
export function errorText(err: unknown, lang: Lang): string {
  if (err instanceof ApiError) {
    if (!err.code) return lang === 'zh' ? `操作未完成（HTTP ${err.status}）` : `The operation did not complete (HTTP ${err.status})`;
    return wordCode(err.code, err.field && err.params.field === undefined ? { ...err.params, field: err.field } : err.params, lang);
  }
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  return String(err);
}
