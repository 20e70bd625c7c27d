// Accounts: read, create, change, and the first admin. Plain functions over Kysely (app.db); the
// routes in index.ts are thin. Every change is written to account_event in the same transaction.
import { type Selectable, sql } from 'kysely';
import type { User } from '../../geo/api.ts';
import { ROLE_IDS, type Role } from '../../geo/roles.ts';
import { DomainError } from '../core/errors.ts';
import type { Db } from '../db/kysely.ts';
import type { AppUser } from '../db/types.ts';
import { hashPassword, passwordProblem, randomPassword } from './passwords.ts';

export type { User };

/** Largest PostgreSQL integer: ids beyond it name nothing. */
const MAX_INT4 = 2_147_483_647;

/** the app_user columns a User is made of (never password_hash) */
export const USER_COLUMNS = ['id', 'username', 'display_name', 'roles', 'area_ids', 'disabled', 'created_at', 'last_login_at'] as const;

type UserRow = Pick<Selectable<AppUser>, (typeof USER_COLUMNS)[number]>;

/** A row as the API shows it (timestamps as ISO strings, as JSON would write the Dates anyway). */
const toUser = (r: UserRow): User => ({
  id: r.id, username: r.username, displayName: r.display_name, roles: r.roles as Role[], areaIds: r.area_ids, disabled: r.disabled,
  createdAt: r.created_at.toISOString(), lastLoginAt: r.last_login_at?.toISOString() ?? null,
});

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.selectFrom('app_user').select(USER_COLUMNS).orderBy('username').execute()).map(toUser);
}

export async function getUser(db: Db, id: number): Promise<User | null> {
  const row = await db.selectFrom('app_user').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function recordEvent(db: Db, e: { actor: string; username: string; event: string; detail?: unknown; ip?: string }): Promise<void> {
  await db.insertInto('account_event')
    .values({ actor: e.actor, username: e.username, event: e.event, detail: e.detail === undefined ? null : JSON.stringify(e.detail), ip: e.ip ?? null })
    .execute();
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
async function checkUserInput(db: Db, input: UserInput, creating: boolean): Promise<CheckedUser> {
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
    const known = (await db.selectFrom('command_area').select('id').where('id', '=', sql<number>`ANY(${ids}::int[])`).execute()).map((r) => r.id);
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

export async function createUser(db: Db, input: UserInput, actor: string): Promise<User> {
  const u = await checkUserInput(db, input, true);
  const hash = await hashPassword(u.password!);
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('app_user')
      .values({
        username: u.username!, display_name: u.displayName ?? '', password_hash: hash,
        roles: u.roles ?? ['viewer'], area_ids: u.areaIds ?? [], disabled: u.disabled ?? false,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning(USER_COLUMNS)
      .executeTakeFirst();
    if (!row) throw new DomainError('username_taken', `there is already a user ${u.username}`, { field: 'username', username: u.username! }, { field: 'username' });
    const user = toUser(row);
    await recordEvent(trx, { actor, username: u.username!, event: 'user_created', detail: { roles: user.roles, areaIds: user.areaIds } });
    return user;
  });
}

/** Change name, roles, areas or disabled. Returns the user and whether their sessions must end. */
export async function updateUser(db: Db, id: number, input: UserInput, actor: string): Promise<{ user: User; endSessions: boolean }> {
  if (input.password !== undefined) throw new DomainError('invalid_input', 'set passwords with POST /api/admin/users/:id/password', { field: 'password' }, { field: 'password' });
  if (input.username !== undefined) throw new DomainError('invalid_input', 'a username cannot be changed (the history refers to it)', { field: 'username' }, { field: 'username' });
  const u = await checkUserInput(db, input, false);
  return db.transaction().execute(async (trx) => {
    const beforeRow = await trx.selectFrom('app_user').select(USER_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!beforeRow) throw new DomainError('not_found', `no user ${id}`, { id });
    const before = toUser(beforeRow);
    if (before.username === actor && ((u.roles && !u.roles.includes('admin')) || u.disabled)) {
      throw new DomainError('own_admin', 'you cannot remove your own admin role or disable yourself: ask another admin');
    }
    // the fields given change; the others keep their values
    const user = toUser(await trx.updateTable('app_user')
      .set({
        ...(u.displayName !== undefined && { display_name: u.displayName }),
        ...(u.roles !== undefined && { roles: u.roles }),
        ...(u.areaIds !== undefined && { area_ids: u.areaIds }),
        ...(u.disabled !== undefined && { disabled: u.disabled }),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returning(USER_COLUMNS)
      .executeTakeFirstOrThrow());
    const changed: Record<string, unknown> = {};
    for (const k of ['displayName', 'roles', 'areaIds', 'disabled'] as const) {
      if (JSON.stringify(before[k]) !== JSON.stringify(user[k])) changed[k] = { from: before[k], to: user[k] };
    }
    await recordEvent(trx, { actor, username: user.username, event: 'user_updated', detail: changed });
    // sessions carry the roles: a change of rights or a disabled account ends them
    const endSessions = 'roles' in changed || 'areaIds' in changed || user.disabled;
    if (endSessions) await trx.deleteFrom('app_session').where('user_id', '=', id).execute();
    return { user, endSessions };
  });
}

export async function setPassword(db: Db, id: number, password: unknown, actor: string, event: 'password_reset' | 'password_changed'): Promise<User> {
  const problem = passwordProblem(password);
  if (problem) throw new DomainError('weak_password', problem, { field: 'password' }, { field: 'password' });
  const hash = await hashPassword(password as string);
  return db.transaction().execute(async (trx) => {
    const row = await trx.updateTable('app_user')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(USER_COLUMNS)
      .executeTakeFirst();
    if (!row) throw new DomainError('not_found', `no user ${id}`, { id });
    // every session of the account ends: whoever knew the old password is out
    await trx.deleteFrom('app_session').where('user_id', '=', id).execute();
    await recordEvent(trx, { actor, username: row.username, event });
    return toUser(row);
  });
}

/**
 * On a database without accounts, create `admin` with every role. The password is ADMIN_PASSWORD when
 * set, otherwise random and returned so the caller prints it once; it is stored only as a hash.
 */
export async function ensureInitialAdmin(db: Db, password: string | undefined): Promise<{ username: string; password: string; generated: boolean } | null> {
  const { n } = await db.selectFrom('app_user').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  if (n > 0) return null;
  const chosen = password ?? randomPassword();
  const problem = passwordProblem(chosen);
  if (problem) throw new DomainError('weak_password', `ADMIN_PASSWORD: ${problem}`, { field: 'ADMIN_PASSWORD' });
  const areas = (await db.selectFrom('command_area').select('id').orderBy('id').execute()).map((r) => r.id);
  const hash = await hashPassword(chosen);
  const created = await db.insertInto('app_user')
    .values({ username: 'admin', display_name: '管理员', password_hash: hash, roles: ['admin', 'viewer'], area_ids: areas })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!created) return null; // another process created it first
  await recordEvent(db, { actor: 'system', username: 'admin', event: 'user_created', detail: { roles: ['admin', 'viewer'], initial: true } });
  return { username: 'admin', password: chosen, generated: password === undefined };
}
