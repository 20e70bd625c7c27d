// Sessions in the database (so every server process on it shares them), looked up by the SHA-256
// of the cookie's random token. Each process keeps the sessions it has looked up in memory, off the
// path of every tile, for as long as it hears revocations: a deleted session row or a user whose rights
// changed is announced on LISTEN/NOTIFY channel zs_session (migrations/functions/70_session_notify.sql),
// by whichever process or SQL client made the change. While that channel is not heard (not yet
// listening, connection lost) nothing is kept and every lookup reads the database.
import { sql } from 'kysely';
import { createHash, randomBytes } from 'node:crypto';
import type { SessionUser } from '../../geo/api.ts';
import type { Role } from '../../geo/roles.ts';
import type { Db } from '../db/kysely.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { recordEvent } from './users.ts';

export const COOKIE = 'zs_session';
/** how long a looked-up session is kept without being read again (revocations end it sooner) */
const CACHE_MS = 5 * 60_000;
const CACHE_MAX = 10_000;
/** consecutive failures before an account is throttled; each further one doubles the wait */
export const LOCK_AFTER = 5;
const LOCK_BASE_S = 60;
const LOCK_MAX_S = 15 * 60;

export type { SessionUser };

export interface Session {
  tokenHash: string;
  csrfToken: string;
  expiresAt: number;
  user: SessionUser;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export type LoginResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * Check a username and password. Unknown users cost the same scrypt as known ones; repeated failures
 * lock the account for 1, 2, 4 … 15 minutes (held in the database, so every process agrees).
 */
export async function checkLogin(db: Db, username: string, password: string, ip: string): Promise<LoginResult> {
  const u = await db.selectFrom('app_user')
    .select([
      'id', 'username', 'display_name as displayName', 'roles', 'area_ids as areaIds', 'password_hash as passwordHash',
      'disabled', 'failed_logins as failedLogins',
      sql<number | null>`CASE WHEN locked_until > now() THEN ceil(extract(epoch FROM locked_until - now()))::int END`.as('lockedFor'),
    ])
    .where('username', '=', username)
    .$narrowType<{ roles: Role[] }>()
    .executeTakeFirst();
  if (u?.lockedFor) {
    await recordEvent(db, { actor: username, username, event: 'login_locked', ip });
    return { ok: false, reason: 'locked', retryAfterSeconds: u.lockedFor };
  }
  const good = await verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
  if (!u || !good || u.disabled) {
    if (u) {
      const failures = u.failedLogins + 1;
      const lockS = failures >= LOCK_AFTER ? Math.min(LOCK_BASE_S * 2 ** (failures - LOCK_AFTER), LOCK_MAX_S) : 0;
      await db.updateTable('app_user')
        .set({ failed_logins: failures, locked_until: lockS > 0 ? sql<Date>`now() + make_interval(secs => ${lockS}::int)` : null })
        .where('id', '=', u.id)
        .execute();
      await recordEvent(db, { actor: username, username, event: 'login_failed', detail: { failures, disabled: u.disabled || undefined }, ip });
      if (lockS > 0) return { ok: false, reason: 'locked', retryAfterSeconds: lockS };
    }
    return { ok: false, reason: 'invalid' };
  }
  await db.updateTable('app_user')
    .set({ failed_logins: 0, locked_until: null, last_login_at: sql<Date>`now()` })
    .where('id', '=', u.id)
    .execute();
  await recordEvent(db, { actor: username, username, event: 'login', ip });
  return { ok: true, user: { id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, areaIds: u.areaIds } };
}

/** the LISTEN/NOTIFY channel of session revocations */
export const REVOCATION_CHANNEL = 'zs_session';

export class SessionStore {
  private cache = new Map<string, { session: Session; until: number }>();
  /** revocations are heard: cached sessions can be trusted */
  private listening = false;
  /** counts revocations, so a lookup that raced one is not cached */
  private revocations = 0;

  constructor(private db: Db, private hours: number) {}

  /** A new session with a fresh token (never one the browser brought: no session fixation). */
  async create(user: SessionUser, ip: string, userAgent: string | undefined): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const tokenHash = hashToken(token);
    const { expiresAt } = await this.db.insertInto('app_session')
      .values({
        token_hash: tokenHash, user_id: user.id, csrf_token: csrfToken,
        expires_at: sql<Date>`now() + make_interval(hours => ${this.hours}::int)`,
        ip, user_agent: userAgent?.slice(0, 300) ?? null,
      })
      .returning('expires_at as expiresAt')
      .executeTakeFirstOrThrow();
    // expired sessions go when new ones come
    await this.db.deleteFrom('app_session').where('expires_at', '<', sql<Date>`now()`).execute();
    return { token, session: { tokenHash, csrfToken, expiresAt: expiresAt.getTime(), user } };
  }

  /** The live session of a cookie token, or null (unknown, expired, or the account disabled). */
  async lookup(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(tokenHash);
    if (hit && hit.until > now) return hit.session.expiresAt > now ? hit.session : null;
    const seen = this.revocations;
    const r = await this.db.selectFrom('app_session as s')
      .innerJoin('app_user as u', 'u.id', 's.user_id')
      .select([
        'u.id', 'u.username', 'u.display_name as displayName', 'u.roles', 'u.area_ids as areaIds',
        's.csrf_token as csrfToken', 's.expires_at as expiresAt',
      ])
      .where('s.token_hash', '=', tokenHash)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .where((eb) => eb.not(eb.ref('u.disabled')))
      .$narrowType<{ roles: Role[] }>()
      .executeTakeFirst();
    if (!r) {
      this.cache.delete(tokenHash);
      return null;
    }
    const session: Session = {
      tokenHash, csrfToken: r.csrfToken, expiresAt: r.expiresAt.getTime(),
      user: { id: r.id, username: r.username, displayName: r.displayName, roles: r.roles, areaIds: r.areaIds },
    };
    // kept only while revocations are heard and none came in while this lookup ran (it may be the one)
    if (this.listening && this.revocations === seen) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(tokenHash, { session, until: now + CACHE_MS });
    }
    return session;
  }

  async end(session: Session): Promise<void> {
    this.cache.delete(session.tokenHash);
    await this.db.deleteFrom('app_session').where('token_hash', '=', session.tokenHash).execute();
  }

  /** Forget cached sessions of a user whose rights changed (the rows are already deleted). */
  forgetUser(userId: number): void {
    for (const [k, v] of this.cache) if (v.session.user.id === userId) this.cache.delete(k);
  }

  /** A revocation heard on REVOCATION_CHANNEL: "s:<token hash>" or "u:<user id>". */
  revoked(payload: string): void {
    this.revocations++;
    if (payload.startsWith('s:')) this.cache.delete(payload.slice(2));
    else if (payload.startsWith('u:')) this.forgetUser(Number(payload.slice(2)));
  }

  /** Revocations are heard from now on (true), or no longer (false): either way, start afresh. */
  hearing(on: boolean): void {
    this.listening = on;
    this.revocations++;
    this.cache.clear();
  }
}
