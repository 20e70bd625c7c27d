// Who is using the client. The session is loaded once (GET /api/auth/session) and plugged into the
// one fetch (http.ts `api`), which sends its CSRF token on every change and on a 401 (no session, or
// it expired) brings up the login screen. The server decides; the client only
// hides what it would refuse (geo/roles.ts).
import type { SessionUser } from '../../geo/api.ts';
import { has, layerWriteRefusal, type Role } from '../../geo/roles.ts';
import { api, ApiError, apiError, errorText, useAuth } from './http.ts';
import { i18n } from './i18n/i18n.svelte.ts';

export { api };
export type { SessionUser };

interface SessionBody {
  user: SessionUser | null;
  csrfToken: string | null;
  expiresAt: string | null;
  publicRead: boolean;
  seesMilitary: boolean;
}

export const session = $state({
  /** the session has been asked for (and answered) */
  loaded: false,
  user: null as SessionUser | null,
  csrfToken: null as string | null,
  expiresAt: null as string | null,
  publicRead: false,
  seesMilitary: false,
  /** show the login screen (no session and no public read, or a request came back 401) */
  needLogin: false,
  /** the server could not be reached for the session */
  error: null as string | null,
});

let loading: Promise<void> | null = null;

function apply(body: SessionBody): void {
  session.user = body.user;
  session.csrfToken = body.csrfToken;
  session.expiresAt = body.expiresAt;
  session.publicRead = body.publicRead;
  session.seesMilitary = body.seesMilitary;
  session.needLogin = !body.user && !body.publicRead;
  session.loaded = true;
  session.error = null;
}

/** Ask the server who we are (again, with `force`). */
export function loadSession(force = false): Promise<void> {
  if (!loading || force) {
    loading = fetch('/api/auth/session', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(async (res) => {
        if (!res.ok) throw await apiError(res);
        apply((await res.json()) as SessionBody);
      })
      .catch((e: unknown) => {
        loading = null;
        session.error = errorText(e, i18n.lang);
        throw e;
      });
  }
  return loading;
}

/** A refused login: the kind, and what refused it (an ApiError, or the network failure) for errorText. */
export type LoginResult = { ok: true } | { ok: false; error: 'invalid_credentials' | 'too_many_attempts' | 'other'; retryAfterSeconds?: number; cause: unknown };

export async function login(username: string, password: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (e) {
    return { ok: false, error: 'other', cause: e };
  }
  if (res.ok) {
    apply((await res.json()) as SessionBody);
    loading = Promise.resolve();
    return { ok: true };
  }
  const refusal = await apiError(res);
  if (res.status === 429 || refusal.code === 'too_many_attempts') {
    const given = Number(refusal.params.retryAfterSeconds ?? res.headers.get('retry-after') ?? 60);
    return { ok: false, error: 'too_many_attempts', retryAfterSeconds: Number.isFinite(given) ? given : 60, cause: refusal };
  }
  if (res.status === 401) return { ok: false, error: 'invalid_credentials', cause: refusal };
  return { ok: false, error: 'other', cause: refusal };
}

export async function logout(): Promise<void> {
  await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
  // start afresh: nothing of the last user's stays in the page
  location.reload();
}

/** Change one's own password. Resolves to null, or the server's refusal (its field, code and params). */
export async function changePassword(currentPassword: string, newPassword: string): Promise<ApiError | null> {
  const res = await api('/api/auth/password', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ currentPassword, newPassword }),
  });
  if (!res.ok) return apiError(res);
  // the server ended every session and started a new one here: new CSRF token
  apply((await res.json()) as SessionBody);
  return null;
}

/** Does the logged-in user hold this role? */
export const hasRole = (role: Role): boolean => has(session.user, role);

/** May the logged-in user edit this layer (geo/roles.ts)? The area scope is the server's to check. */
export const mayWrite = (layerId: string): boolean => !!session.user && layerWriteRefusal(session.user, layerId) === null;

useAuth({
  ready: () => loadSession(),
  csrfToken: () => session.csrfToken,
  refresh: () => loadSession(true),
  unauthenticated: () => {
    session.needLogin = true;
  },
});
