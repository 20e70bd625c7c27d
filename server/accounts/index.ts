// The accounts capability: who is asking, and whether they may.
//   POST /api/auth/login · POST /api/auth/logout · GET /api/auth/session · POST /api/auth/password
//   GET/POST /api/admin/users · PATCH /api/admin/users/:id · POST /api/admin/users/:id/password
//   GET /api/audit (data changes) · GET /api/audit/accounts (logins, account changes)
// Every request passes one hook: session from the cookie → CSRF check on writes → the route's entry
// in policy.ts. Refusals happen before the body is read, so nothing is parsed, let alone written.
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LAYERS } from '../../geo/layers.ts';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { timingSafeEqual } from 'node:crypto';
import { ROLE_IDS, seesSensitiveOf } from '../../geo/roles.ts';
import { DomainError } from '../core/errors.ts';
import { dateOrTime, id, idParams, noQuery, object, text } from '../core/schemas.ts';
import { accountEvents, auditQuery, dataChanges } from './audit.ts';
import { type Access, accessOf, refusal } from './policy.ts';
import { checkLogin, COOKIE, REVOCATION_CHANNEL, type Session, type SessionUser, SessionStore } from './sessions.ts';
import { listen } from '../db/notifications.ts';
import { passwordProblem } from './passwords.ts';
import { createUser, getUser, listUsers, recordEvent, setPassword, updateUser } from './users.ts';

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
  /** the bearer token that may read GET /metrics without a session (unset: administrators only) */
  metricsToken?: string;
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

// ---- what each route takes (server/core/schemas.ts); the functions of users.ts check the rest ----
const userFields = {
  username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{2,64}$' },
  displayName: text(100),
  password: { type: 'string', maxLength: 1024 },
  roles: { type: 'array', maxItems: 50, items: { type: 'string', enum: ROLE_IDS } },
  areaIds: { type: 'array', maxItems: 10_000, items: id },
  disabled: { type: 'boolean' },
} as const;
/** The answer of the session routes (login, password change, GET /api/auth/session). */
const sessionResponse = {
  200: {
    type: 'object',
    properties: {
      user: {
        type: ['object', 'null'],
        properties: {
          id: { type: 'integer' }, username: { type: 'string' }, displayName: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' } }, areaIds: { type: 'array', items: { type: 'integer' } },
        },
      },
      csrfToken: { type: ['string', 'null'] },
      expiresAt: { type: ['string', 'null'] },
      publicRead: { type: 'boolean' },
      seesMilitary: { type: 'boolean' },
    },
  },
} as const;
/** A change of a user: username and password are declared so that users.ts can say why they cannot be changed here. */
const userChange = { ...userFields, username: {}, password: {} };
const auditQuerystring = object({
  user: text(200), layer: { type: 'string', enum: ['', ...LAYERS.map((l) => l.id)] }, featureId: { type: 'string', pattern: '^\\d{0,10}$' },
  from: dateOrTime, to: dateOrTime, limit: { type: 'string', pattern: '^\\d{0,10}$' }, offset: { type: 'string', pattern: '^\\d{0,10}$' },
});

export const accountsPlugin = fp<AccountsOptions>(async (app: FastifyInstance, opts) => {
  const sessions = new SessionStore(app.db, opts.sessionHours);
  // revocations by any process (logout, password, rights) reach this one's session cache (sessions.ts)
  const revocations = listen({
    backend: app.databaseInfo.backend,
    url: app.databaseDirectUrl,
    pool: app.pg.pool,
    channel: REVOCATION_CHANNEL,
    onMessage: (payload) => sessions.revoked(payload),
    onListening: () => sessions.hearing(true),
    onLost: () => sessions.hearing(false),
    log: app.log,
  });
  app.addHook('onReady', () => revocations.start());
  app.addHook('onClose', () => revocations.close());
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

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[COOKIE];
    if (token) request.session = await sessions.lookup(token);
    request.user = request.session?.user ?? null;
    if (request.user) request.actor = request.user.username;

    // CSRF: a write with a session must carry the session's token in a header, which a page on
    // another site cannot set (the cookie alone is not enough); SameSite=Lax is the second line.
    if (UNSAFE.has(request.method) && request.session && request.routeOptions.url !== '/api/auth/login') {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, request.session.csrfToken)) {
        throw new DomainError('csrf', `a change needs the ${CSRF_HEADER} header from GET /api/auth/session`);
      }
    }
    const access = request.routeOptions.config?.access;
    if (!access) return; // no route matched: the 404 handler answers
    const no = refusal(access, request.user, opts.publicRead, request, opts.metricsToken);
    if (no) throw new DomainError(no.error, no.message, {}, { status: no.status });
  });

  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  const sessionBody = (request: FastifyRequest, s: Session | null) => ({
    user: s?.user ?? null,
    csrfToken: s?.csrfToken ?? null,
    expiresAt: s ? new Date(s.expiresAt).toISOString() : null,
    publicRead: opts.publicRead,
    seesMilitary: seesSensitiveOf(request.user),
  });

  app.get('/api/auth/session', { schema: { querystring: noQuery, response: sessionResponse } }, async (request) => sessionBody(request, request.session));

  app.post<{ Body: { username: string; password: string } }>('/api/auth/login', {
    config: { rateLimit: { max: opts.loginsPerMinute ?? 30, timeWindow: '1 minute' } },
    bodyLimit: 4096,
    schema: {
      querystring: noQuery,
      body: { type: 'object', required: ['username', 'password'], properties: { username: text(4096, 1), password: { type: 'string', minLength: 1 } } },
      response: sessionResponse,
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const wrong = () => new DomainError('invalid_credentials', 'wrong username or password');
    if (username.length > 64 || password.length > 256) throw wrong();
    const result = await checkLogin(app.db, username, password, request.ip);
    if (!result.ok) {
      if (result.reason === 'locked') {
        reply.header('Retry-After', String(result.retryAfterSeconds));
        throw new DomainError('too_many_attempts', `too many failed logins for ${username}: try again in ${Math.ceil(result.retryAfterSeconds / 60)} min`,
          { retryAfterSeconds: result.retryAfterSeconds });
      }
      throw wrong();
    }
    // a session the browser brought along ends: the new one has a new token (no fixation)
    if (request.session) await sessions.end(request.session);
    const { token, session } = await sessions.create(result.user, request.ip, request.headers['user-agent']);
    request.session = session;
    request.user = session.user;
    reply.setCookie(COOKIE, token, { ...cookieOptions, expires: new Date(session.expiresAt) });
    return sessionBody(request, session);
  });

  app.post('/api/auth/logout', { schema: { querystring: noQuery } }, async (request, reply) => {
    await sessions.end(request.session!);
    await recordEvent(app.db, { actor: request.user!.username, username: request.user!.username, event: 'logout', ip: request.ip });
    reply.clearCookie(COOKIE, cookieOptions);
    return reply.code(204).send();
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>('/api/auth/password', {
    bodyLimit: 4096,
    schema: {
      querystring: noQuery,
      body: object({ currentPassword: { type: 'string', minLength: 1 }, newPassword: { type: 'string' } }, ['currentPassword', 'newPassword']),
      response: sessionResponse,
    },
  }, async (request, reply) => {
    const user = request.user!;
    const { currentPassword, newPassword } = request.body;
    const problem = passwordProblem(newPassword);
    if (problem) throw new DomainError('weak_password', problem, { field: 'newPassword' }, { field: 'newPassword' });
    const check = await checkLogin(app.db, user.username, currentPassword, request.ip);
    if (!check.ok) {
      throw new DomainError('wrong_password', 'the current password is wrong', { field: 'currentPassword' }, { field: 'currentPassword', status: check.reason === 'locked' ? 429 : undefined });
    }
    await setPassword(app.db, user.id, newPassword, user.username, 'password_changed');
    sessions.forgetUser(user.id);
    // all sessions ended, this one included: start a new one so the user stays logged in here
    const { token, session } = await sessions.create(user, request.ip, request.headers['user-agent']);
    reply.setCookie(COOKIE, token, { ...cookieOptions, expires: new Date(session.expiresAt) });
    return sessionBody(request, session);
  });

  app.get('/api/admin/users', { schema: { querystring: noQuery } }, async () => ({ users: await listUsers(app.db) }));

  app.post<{ Body: Record<string, unknown> }>('/api/admin/users', {
    bodyLimit: 16 * 1024,
    schema: { querystring: noQuery, body: object(userFields, ['username', 'password']) },
  }, async (request, reply) => reply.code(201).send(await createUser(app.db, request.body, request.actor)));

  app.patch<{ Params: { id: number }; Body: Record<string, unknown> }>('/api/admin/users/:id', {
    bodyLimit: 16 * 1024,
    schema: { params: idParams('id'), querystring: noQuery, body: object(userChange) },
  }, async (request) => {
    const { user, endSessions } = await updateUser(app.db, request.params.id, request.body, request.actor);
    if (endSessions) sessions.forgetUser(user.id);
    return user;
  });

  app.post<{ Params: { id: number }; Body: { password: string } }>('/api/admin/users/:id/password', {
    bodyLimit: 4096,
    schema: { params: idParams('id'), querystring: noQuery, body: object({ password: userFields.password }, ['password']) },
  }, async (request) => {
    const id = request.params.id;
    if (!(await getUser(app.db, id))) throw new DomainError('not_found', `no user ${id}`, { id });
    const user = await setPassword(app.db, id, request.body.password, request.actor, 'password_reset');
    sessions.forgetUser(id);
    return user;
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit', { schema: { querystring: auditQuerystring } },
    async (request) => dataChanges(app.db, auditQuery(request.query)));

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit/accounts', { schema: { querystring: auditQuerystring } },
    async (request) => accountEvents(app.db, auditQuery(request.query)));
}, { name: 'accounts', dependencies: ['database'] });

