// The accounts capability: who is asking, and whether they may.
//   POST /api/auth/login · POST /api/auth/logout · GET /api/auth/session · POST /api/auth/password
//   GET/POST /api/admin/users · PATCH /api/admin/users/:id · POST /api/admin/users/:id/password
//   GET /api/audit (data changes) · GET /api/audit/accounts (logins, account changes)
// Every request passes one hook: session from the cookie → CSRF check on writes → the route's entry
// in policy.ts. Refusals happen before the body is read, so nothing is parsed, let alone written.
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { timingSafeEqual } from 'node:crypto';
import { seesSensitiveOf } from '../../geo/roles.ts';
import { accountEvents, auditQuery, dataChanges } from './audit.ts';
import { type Access, accessOf, refusal } from './policy.ts';
import { checkLogin, COOKIE, type Session, type SessionUser, SessionStore } from './sessions.ts';
import { passwordProblem } from './passwords.ts';
import { AccountError, createUser, getUser, listUsers, recordEvent, setPassword, updateUser } from './users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the logged-in user, or null */
    user: SessionUser | null;
    session: Session | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface AccountsOptions {
  publicRead: boolean;
  sessionHours: number;
  cookieSecure: boolean;
  /** logins per minute per client address (the per-account throttle is in sessions.ts) */
  loginsPerMinute?: number;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The headers helmet sets for this app's policy, collected once from its middleware. */
export function securityHeaders(secure: boolean): Record<string, string> {
  const options: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Svelte and MapLibre set style attributes
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        // MapLibre runs its workers from a blob
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: secure,
  };
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, response as never, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

function fail(reply: FastifyReply, err: unknown) {
  if (err instanceof AccountError) return reply.code(err.statusCode).send({ error: err.code, message: err.message, field: err.field });
  throw err;
}

export const accountsPlugin = fp<AccountsOptions>(async (app: FastifyInstance, opts) => {
  const sessions = new SessionStore(app.db, opts.sessionHours);
  const secure = opts.cookieSecure;

  app.decorateRequest('user', null);
  app.decorateRequest('session', null);

  // every route must say who may call it
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'OPTIONS') continue;
      const access = accessOf(m, route.url);
      if (!access) throw new Error(`route ${m} ${route.url} has no entry in server/accounts/policy.ts`);
      route.config = { ...(route.config as object), access };
    }
  });

  await app.register(fastifyCookie);
  // security headers: the same for every response, so worked out once (helmet built per request —
  // as @fastify/helmet does — was 18 % of a cached tile's CPU)
  const headers = securityHeaders(secure);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(fastifyRateLimit, { global: false });

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[COOKIE];
    if (token) request.session = await sessions.lookup(token);
    request.user = request.session?.user ?? null;
    if (request.user) request.actor = request.user.username;

    // CSRF: a write with a session must carry the session's token in a header, which a page on
    // another site cannot set (the cookie alone is not enough); SameSite=Lax is the second line.
    if (UNSAFE.has(request.method) && request.session && request.routeOptions.url !== '/api/auth/login') {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, request.session.csrfToken)) {
        return reply.code(403).send({ error: 'csrf', message: `a change needs the ${CSRF_HEADER} header from GET /api/auth/session` });
      }
    }
    const access = request.routeOptions.config?.access;
    if (!access) return; // no route matched: the 404 handler answers
    const no = refusal(access, request.user, opts.publicRead, request);
    if (no) return reply.code(no.status).send({ error: no.error, message: no.message });
  });

  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  const sessionBody = (request: FastifyRequest, s: Session | null) => ({
    user: s?.user ?? null,
    csrfToken: s?.csrfToken ?? null,
    expiresAt: s ? new Date(s.expiresAt).toISOString() : null,
    publicRead: opts.publicRead,
    seesMilitary: seesSensitiveOf(request.user),
  });

  app.get('/api/auth/session', async (request) => sessionBody(request, request.session));

  app.post<{ Body: { username?: unknown; password?: unknown } }>('/api/auth/login', {
    config: { rateLimit: { max: opts.loginsPerMinute ?? 30, timeWindow: '1 minute' } },
    bodyLimit: 4096,
  }, async (request, reply) => {
    const { username, password } = request.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return reply.code(400).send({ error: 'bad_request', message: 'send {"username": …, "password": …}' });
    }
    if (username.length > 64 || password.length > 256) return reply.code(401).send({ error: 'invalid_credentials', message: 'wrong username or password' });
    const result = await checkLogin(app.db, username, password, request.ip);
    if (!result.ok) {
      if (result.reason === 'locked') {
        return reply.code(429).header('Retry-After', String(result.retryAfterSeconds)).send({
          error: 'too_many_attempts', message: `too many failed logins for ${username}: try again in ${Math.ceil(result.retryAfterSeconds / 60)} min`,
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
      return reply.code(401).send({ error: 'invalid_credentials', message: 'wrong username or password' });
    }
    // a session the browser brought along ends: the new one has a new token (no fixation)
    if (request.session) await sessions.end(request.session);
    const { token, session } = await sessions.create(result.user, request.ip, request.headers['user-agent']);
    request.session = session;
    request.user = session.user;
    reply.setCookie(COOKIE, token, { ...cookieOptions, expires: new Date(session.expiresAt) });
    return sessionBody(request, session);
  });

  app.post('/api/auth/logout', async (request, reply) => {
    await sessions.end(request.session!);
    await recordEvent(app.db, { actor: request.user!.username, username: request.user!.username, event: 'logout', ip: request.ip });
    reply.clearCookie(COOKIE, cookieOptions);
    return reply.code(204).send();
  });

  app.post<{ Body: { currentPassword?: unknown; newPassword?: unknown } }>('/api/auth/password', { bodyLimit: 4096 }, async (request, reply) => {
    try {
      const user = request.user!;
      const { currentPassword, newPassword } = request.body ?? {};
      if (typeof currentPassword !== 'string' || !currentPassword) throw new AccountError(400, 'bad_request', 'send currentPassword and newPassword', 'currentPassword');
      const problem = passwordProblem(newPassword);
      if (problem) throw new AccountError(400, 'bad_request', problem, 'newPassword');
      const check = await checkLogin(app.db, user.username, currentPassword, request.ip);
      if (!check.ok) throw new AccountError(check.reason === 'locked' ? 429 : 400, 'wrong_password', 'the current password is wrong', 'currentPassword');
      await setPassword(app.db, user.id, newPassword, user.username, 'password_changed');
      sessions.forgetUser(user.id);
      // all sessions ended, this one included: start a new one so the user stays logged in here
      const { token, session } = await sessions.create(user, request.ip, request.headers['user-agent']);
      reply.setCookie(COOKIE, token, { ...cookieOptions, expires: new Date(session.expiresAt) });
      return sessionBody(request, session);
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.get('/api/admin/users', async () => ({ users: await listUsers(app.db) }));

  app.post<{ Body: Record<string, unknown> }>('/api/admin/users', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    try {
      return reply.code(201).send(await createUser(app.db, request.body ?? {}, request.actor));
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/admin/users/:id', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    try {
      const { user, endSessions } = await updateUser(app.db, Number(request.params.id), request.body ?? {}, request.actor);
      if (endSessions) sessions.forgetUser(user.id);
      return user;
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.post<{ Params: { id: string }; Body: { password?: unknown } }>('/api/admin/users/:id/password', { bodyLimit: 4096 }, async (request, reply) => {
    try {
      const id = Number(request.params.id);
      if (!Number.isInteger(id) || !(await getUser(app.db, id))) throw new AccountError(404, 'not_found', `no user ${request.params.id}`);
      const user = await setPassword(app.db, id, request.body?.password, request.actor, 'password_reset');
      sessions.forgetUser(id);
      return user;
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit', async (request, reply) => {
    try {
      return await dataChanges(app.db, auditQuery(request.query));
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit/accounts', async (request, reply) => {
    try {
      return await accountEvents(app.db, auditQuery(request.query));
    } catch (err) {
      return fail(reply, err);
    }
  });
}, { name: 'accounts', dependencies: ['database'] });

