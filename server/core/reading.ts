// Where a request reads: request.reader() — the primary, or a read replica for the routes declared
// as replica reads beside their access rule (server/accounts/policy.ts REPLICA_READ_ROUTES; app.ts
// hands the rule in). Without replicas every reader is the primary, as before.
//
// Read-your-writes (读己之写): after a signed-in user's write, the primary's WAL position (taken
// after the commit, so at or past it) is given back in a cookie signed with the session's own secret
// (its CSRF token, which every server process reads from the session row) — so it holds whichever
// app process the user's next request reaches. A replica serves that user only once it has replayed
// that far (server/db/replicas.ts waits up to REPLICA_WAIT_MS, then the primary serves). The signature
// binds the position to the session: another session's cookie, or one altered by anyone without the
// session, is ignored. The session's own browser knows that secret, so its user could write a larger
// position for themselves: that only sends their own reads to the primary after REPLICA_WAIT_MS, as
// a replica behind would (a server-only key shared by every process would need one stored in the
// database: not done).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, isDatabaseUnavailable } from './errors.ts';
import { formatLsn, type Lsn, parseLsn, type Reader } from '../db/replicas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** where this request's reads go: the primary, or a replica for replica-read routes (chosen once per request) */
    reader(): Promise<Reader>;
  }
}

export interface ReadingOptions {
  /** the route's declaration (server/accounts/policy.ts readsFrom) */
  readsFrom(method: string, url: string): 'replica' | 'primary';
  cookieSecure: boolean;
}

/** The cookie that carries the user's last write position. */
export const WROTE_COOKIE = 'zs_wrote';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const signature = (secret: string, sessionHash: string, lsn: string): string =>
  createHmac('sha256', secret).update(`${sessionHash}|${lsn}`).digest('base64url').slice(0, 22);

/** The cookie's value for a write at `lsn` in this session. */
export function signWrite(session: { csrfToken: string; tokenHash: string }, lsn: Lsn): string {
  const text = formatLsn(lsn);
  return `${text}.${signature(session.csrfToken, session.tokenHash, text)}`;
}

/** The write position a cookie carries, or null when it is missing, malformed or not this session's. */
export function verifiedWrite(session: { csrfToken: string; tokenHash: string } | null, value: string | undefined): Lsn | null {
  if (!session || !value) return null;
  const dot = value.lastIndexOf('.');
  if (dot < 0) return null;
  const text = value.slice(0, dot);
  const lsn = parseLsn(text);
  const sent = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(session.csrfToken, session.tokenHash, text));
  return lsn !== null && sent.length === expected.length && timingSafeEqual(sent, expected) ? lsn : null;
}

const chosen = new WeakMap<FastifyRequest, Promise<Reader>>();
/** the reader a request got, once chosen (for its error hook) */
const got = new WeakMap<FastifyRequest, Reader>();

export const readingPlugin = fp<ReadingOptions>(async (app, opts) => {
  const replicas = app.replicas;
  if (!replicas) {
    const primary: Promise<Reader> = Promise.resolve({ pool: app.pg.pool, db: app.db, source: 'primary', replayLsn: null });
    app.decorateRequest('reader', () => primary);
    return;
  }
  const primary = replicas.primaryReaderOf;
  app.decorateRequest('reader', function reader(this: FastifyRequest): Promise<Reader> {
    let choice = chosen.get(this);
    if (!choice) {
      const route = this.routeOptions.url;
      choice = route && opts.readsFrom(this.method, route) === 'replica'
        ? replicas.choose(verifiedWrite(this.session, this.cookies[WROTE_COOKIE])).then((r) => { got.set(this, r); return r; })
        : Promise.resolve(primary);
      chosen.set(this, choice);
    }
    return choice;
  });

  // a replica that fails a read for want of a connection leaves the rotation now, not at the next probe
  app.addHook('onError', async (request, _reply, err) => {
    const reader = got.get(request);
    if (reader && (isDatabaseUnavailable(err) || (err instanceof DomainError && err.code === 'database_unavailable'))) replicas.unreachable(reader, err);
  });

  // a cookie that outlives the lag a replica may have is of no more use
  const maxAge = Math.ceil(Math.max(60_000, 2 * replicas.maxLagMs) / 1000);
  app.addHook('onSend', async (request, reply) => {
    if (!UNSAFE.has(request.method) || !request.session || reply.statusCode >= 400) return;
    if (request.routeOptions.url?.startsWith('/api/auth/')) return; // sessions are read on the primary
    try {
      const lsn = await replicas.primaryLsn();
      reply.setCookie(WROTE_COOKIE, signWrite(request.session, lsn), { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.cookieSecure, maxAge });
    } catch (err) {
      // the write is stored; only this user's next reads may come from a replica a moment behind it
      request.log.warn({ err }, 'could not read the write position for read-your-writes');
    }
  });
}, { name: 'reading', dependencies: ['database', 'accounts'] });
