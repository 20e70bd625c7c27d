// The one fetch of the web client: every call to the app's own API goes through `api()`. It waits for
// the session, sends the CSRF token on every change, retries once when the token was stale, and on a
// 401 hands over to the login screen. session.svelte.ts plugs the session in with `useAuth`.
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
