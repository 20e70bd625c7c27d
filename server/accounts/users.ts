// Accounts: read, create, change, and the first admin. Plain functions over a pool; the routes in
// index.ts are thin. Every change is written to account_event in the same transaction.
import type pg from 'pg';
import type { User } from '../../geo/api.ts';
import { ROLE_IDS, type Role } from '../../geo/roles.ts';
import { DomainError } from '../core/errors.ts';
import { withTransaction } from '../db/transaction.ts';
import { hashPassword, passwordProblem, randomPassword } from './passwords.ts';

export type { User };

export const USER_COLUMNS = `id, username, display_name AS "displayName", roles, area_ids AS "areaIds", disabled,
  created_at AS "createdAt", last_login_at AS "lastLoginAt"`;

/** Largest PostgreSQL integer: ids beyond it name nothing. */
const MAX_INT4 = 2_147_483_647;

type Queryable = Pick<pg.Pool, 'query'>;

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<User>(`SELECT ${USER_COLUMNS} FROM app_user ORDER BY username`)).rows;
}

export async function getUser(db: Queryable, id: number): Promise<User | null> {
  return (await db.query<User>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function recordEvent(db: Queryable, e: { actor: string; username: string; event: string; detail?: unknown; ip?: string }): Promise<void> {
  await db.query('INSERT INTO account_event (actor, username, event, detail, ip) VALUES ($1, $2, $3, $4, $5)',
    [e.actor, e.username, e.event, e.detail === undefined ? null : JSON.stringify(e.detail), e.ip ?? null]);
}

export interface UserInput {
  username?: unknown;
  displayName?: unknown;
  password?: unknown;
  roles?: unknown;
  areaIds?: unknown;
  disabled?: unknown;
}

interface CheckedUser {
  username?: string;
  displayName?: string;
  password?: string;
  roles?: Role[];
  areaIds?: number[];
  disabled?: boolean;
}

/** Check a body field by field; the first problem is refused with the field's name. */
async function checkUserInput(db: Queryable, input: UserInput, creating: boolean): Promise<CheckedUser> {
  const out: CheckedUser = {};
  const bad = (field: string, message: string) => new DomainError('invalid_input', message, { field }, { field });
  if (creating || input.username !== undefined) {
    if (typeof input.username !== 'string' || !/^[A-Za-z0-9_.@-]{2,64}$/.test(input.username)) {
      throw bad('username', 'username must be 2–64 letters, digits or . _ @ -');
    }
    out.username = input.username;
  }
  if (input.displayName !== undefined) {
    if (typeof input.displayName !== 'string' || input.displayName.length > 100 || input.displayName.includes('\0')) throw bad('displayName', 'displayName must be text of at most 100 characters');
    out.displayName = input.displayName.trim();
  }
  if (creating || input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new DomainError('weak_password', problem, { field: 'password' }, { field: 'password' });
    out.password = input.password as string;
  }
  if (input.roles !== undefined) {
    if (!Array.isArray(input.roles) || input.roles.some((r) => !ROLE_IDS.includes(r as Role))) {
      throw bad('roles', `roles must be a list of ${ROLE_IDS.join(', ')}`);
    }
    out.roles = [...new Set(input.roles as Role[])];
  }
  if (input.areaIds !== undefined) {
    if (!Array.isArray(input.areaIds) || input.areaIds.some((a) => !Number.isInteger(a) || a < 1 || a > MAX_INT4)) throw bad('areaIds', 'areaIds must be a list of command area ids');
    const ids = [...new Set(input.areaIds as number[])];
    const known = (await db.query<{ id: number }>('SELECT id FROM command_area WHERE id = ANY($1::int[])', [ids])).rows.map((r) => r.id);
    const unknown = ids.filter((i) => !known.includes(i));
    if (unknown.length) throw new DomainError('unknown_reference', `no command area ${unknown.join(', ')}`, { field: 'areaIds', ids: unknown }, { field: 'areaIds' });
    out.areaIds = ids.sort((a, b) => a - b);
  }
  if (input.disabled !== undefined) {
    if (typeof input.disabled !== 'boolean') throw bad('disabled', 'disabled must be true or false');
    out.disabled = input.disabled;
  }
  return out;
}

export async function createUser(pool: pg.Pool, input: UserInput, actor: string): Promise<User> {
  const u = await checkUserInput(pool, input, true);
  const hash = await hashPassword(u.password!);
  return withTransaction(pool, async (c) => {
    const { rows } = await c.query<User>(
      `INSERT INTO app_user (username, display_name, password_hash, roles, area_ids, disabled)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [u.username, u.displayName ?? '', hash, u.roles ?? ['viewer'], u.areaIds ?? [], u.disabled ?? false],
    );
    if (!rows[0]) throw new DomainError('username_taken', `there is already a user ${u.username}`, { field: 'username', username: u.username! }, { field: 'username' });
    await recordEvent(c, { actor, username: u.username!, event: 'user_created', detail: { roles: rows[0].roles, areaIds: rows[0].areaIds } });
    return rows[0];
  });
}

/** Change name, roles, areas or disabled. Returns the user and whether their sessions must end. */
export async function updateUser(pool: pg.Pool, id: number, input: UserInput, actor: string): Promise<{ user: User; endSessions: boolean }> {
  if (input.password !== undefined) throw new DomainError('invalid_input', 'set passwords with POST /api/admin/users/:id/password', { field: 'password' }, { field: 'password' });
  if (input.username !== undefined) throw new DomainError('invalid_input', 'a username cannot be changed (the history refers to it)', { field: 'username' }, { field: 'username' });
  const u = await checkUserInput(pool, input, false);
  return withTransaction(pool, async (c) => {
    const before = (await c.query<User>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    if (!before) throw new DomainError('not_found', `no user ${id}`, { id });
    if (before.username === actor && ((u.roles && !u.roles.includes('admin')) || u.disabled)) {
      throw new DomainError('own_admin', 'you cannot remove your own admin role or disable yourself: ask another admin');
    }
    const { rows } = await c.query<User>(
      `UPDATE app_user SET display_name = coalesce($2, display_name), roles = coalesce($3, roles),
         area_ids = coalesce($4, area_ids), disabled = coalesce($5, disabled), updated_at = now()
       WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, u.displayName ?? null, u.roles ?? null, u.areaIds ?? null, u.disabled ?? null],
    );
    const user = rows[0];
    const changed: Record<string, unknown> = {};
    for (const k of ['displayName', 'roles', 'areaIds', 'disabled'] as const) {
      if (JSON.stringify(before[k]) !== JSON.stringify(user[k])) changed[k] = { from: before[k], to: user[k] };
    }
    await recordEvent(c, { actor, username: user.username, event: 'user_updated', detail: changed });
    // sessions carry the roles: a change of rights or a disabled account ends them
    const endSessions = 'roles' in changed || 'areaIds' in changed || user.disabled;
    if (endSessions) await c.query('DELETE FROM app_session WHERE user_id = $1', [id]);
    return { user, endSessions };
  });
}

export async function setPassword(pool: pg.Pool, id: number, password: unknown, actor: string, event: 'password_reset' | 'password_changed'): Promise<User> {
  const problem = passwordProblem(password);
  if (problem) throw new DomainError('weak_password', problem, { field: 'password' }, { field: 'password' });
  const hash = await hashPassword(password as string);
  return withTransaction(pool, async (c) => {
    const { rows } = await c.query<User>(
      `UPDATE app_user SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, hash],
    );
    if (!rows[0]) throw new DomainError('not_found', `no user ${id}`, { id });
    // every session of the account ends: whoever knew the old password is out
    await c.query('DELETE FROM app_session WHERE user_id = $1', [id]);
    await recordEvent(c, { actor, username: rows[0].username, event });
    return rows[0];
  });
}

/**
 * On a database without accounts, create `admin` with every role. The password is ADMIN_PASSWORD when
 * set, otherwise random and returned so the caller prints it once; it is stored only as a hash.
 */
export async function ensureInitialAdmin(pool: Queryable, password: string | undefined): Promise<{ username: string; password: string; generated: boolean } | null> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
  if (rows[0].n > 0) return null;
  const chosen = password ?? randomPassword();
  const problem = passwordProblem(chosen);
  if (problem) throw new DomainError('weak_password', `ADMIN_PASSWORD: ${problem}`, { field: 'ADMIN_PASSWORD' });
  const areas = (await pool.query<{ id: number }>('SELECT id FROM command_area ORDER BY id')).rows.map((r) => r.id);
  const hash = await hashPassword(chosen);
  const created = await pool.query(
    `INSERT INTO app_user (username, display_name, password_hash, roles, area_ids)
     VALUES ('admin', '管理员', $1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING id`,
    [hash, ['admin', 'viewer'], areas],
  );
  if (!created.rowCount) return null; // another process created it first
  await recordEvent(pool, { actor: 'system', username: 'admin', event: 'user_created', detail: { roles: ['admin', 'viewer'], initial: true } });
  return { username: 'admin', password: chosen, generated: password === undefined };
}
