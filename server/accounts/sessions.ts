// Sessions in the database (so every server process on it shares them), looked up by the SHA-256
// of the cookie's random token. A few seconds' cache keeps the lookup off the path of every tile;
// a session ended in this process leaves the cache at once, one ended by another process within
// CACHE_MS.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SessionUser } from '../../geo/api.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { recordEvent } from './users.ts';

export const COOKIE = 'zs_session';
const CACHE_MS = 5_000;
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
export async function checkLogin(pool: pg.Pool, username: string, password: string, ip: string): Promise<LoginResult> {
  const { rows } = await pool.query<SessionUser & { passwordHash: string; disabled: boolean; failedLogins: number; lockedFor: number | null }>(
    `SELECT id, username, display_name AS "displayName", roles, area_ids AS "areaIds", password_hash AS "passwordHash",
            disabled, failed_logins AS "failedLogins",
            CASE WHEN locked_until > now() THEN ceil(extract(epoch FROM locked_until - now()))::int END AS "lockedFor"
       FROM app_user WHERE username = $1`, [username]);
  const u = rows[0];
  if (u?.lockedFor) {
    await recordEvent(pool, { actor: username, username, event: 'login_locked', ip });
    return { ok: false, reason: 'locked', retryAfterSeconds: u.lockedFor };
  }
  const good = await verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
  if (!u || !good || u.disabled) {
    if (u) {
      const failures = u.failedLogins + 1;
      const lockS = failures >= LOCK_AFTER ? Math.min(LOCK_BASE_S * 2 ** (failures - LOCK_AFTER), LOCK_MAX_S) : 0;
      await pool.query(
        `UPDATE app_user SET failed_logins = $2, locked_until = CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3::int) END WHERE id = $1`,
        [u.id, failures, lockS],
      );
      await recordEvent(pool, { actor: username, username, event: 'login_failed', detail: { failures, disabled: u.disabled || undefined }, ip });
      if (lockS > 0) return { ok: false, reason: 'locked', retryAfterSeconds: lockS };
    }
    return { ok: false, reason: 'invalid' };
  }
  await pool.query('UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1', [u.id]);
  await recordEvent(pool, { actor: username, username, event: 'login', ip });
  return { ok: true, user: { id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, areaIds: u.areaIds } };
}

export class SessionStore {
  private cache = new Map<string, { session: Session; until: number }>();

  constructor(private pool: pg.Pool, private hours: number) {}

  /** A new session with a fresh token (never one the browser brought: no session fixation). */
  async create(user: SessionUser, ip: string, userAgent: string | undefined): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const tokenHash = hashToken(token);
    const { rows } = await this.pool.query<{ expiresAt: Date }>(
      `INSERT INTO app_session (token_hash, user_id, csrf_token, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4::int), $5, $6) RETURNING expires_at AS "expiresAt"`,
      [tokenHash, user.id, csrfToken, this.hours, ip, userAgent?.slice(0, 300) ?? null],
    );
    // expired sessions go when new ones come
    await this.pool.query('DELETE FROM app_session WHERE expires_at < now()');
    return { token, session: { tokenHash, csrfToken, expiresAt: rows[0].expiresAt.getTime(), user } };
  }

  /** The live session of a cookie token, or null (unknown, expired, or the account disabled). */
  async lookup(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(tokenHash);
    if (hit && hit.until > now) return hit.session.expiresAt > now ? hit.session : null;
    const { rows } = await this.pool.query<SessionUser & { csrfToken: string; expiresAt: Date }>(
      `SELECT u.id, u.username, u.display_name AS "displayName", u.roles, u.area_ids AS "areaIds",
              s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt"
         FROM app_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, [tokenHash]);
    const r = rows[0];
    if (!r) {
      this.cache.delete(tokenHash);
      return null;
    }
    const session: Session = {
      tokenHash, csrfToken: r.csrfToken, expiresAt: r.expiresAt.getTime(),
      user: { id: r.id, username: r.username, displayName: r.displayName, roles: r.roles, areaIds: r.areaIds },
    };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(tokenHash, { session, until: now + CACHE_MS });
    return session;
  }

  async end(session: Session): Promise<void> {
    this.cache.delete(session.tokenHash);
    await this.pool.query('DELETE FROM app_session WHERE token_hash = $1', [session.tokenHash]);
  }

  /** Forget cached sessions of a user whose rights changed (the rows are already deleted). */
  forgetUser(userId: number): void {
    for (const [k, v] of this.cache) if (v.session.user.id === userId) this.cache.delete(k);
  }
}
