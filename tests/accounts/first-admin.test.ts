// The first start on a database without accounts creates `admin` with a random password that is shown
// once (server/start.ts logs it) and stored only as a scrypt hash; later starts create nothing.
import { type ControlledTransaction, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/accounts/passwords.ts';
import { ensureInitialAdmin } from '../../server/accounts/users.ts';
import { createDb, type Database } from '../../server/db/kysely.ts';
import { useTestPool } from '../helpers/db.ts';

const db = createDb(useTestPool());

/** Run `fn` on a database without accounts, in a transaction that is rolled back: the suites' accounts stay. */
async function withoutAccounts(fn: (trx: ControlledTransaction<Database>) => Promise<void>): Promise<void> {
  const trx = await db.startTransaction().execute();
  try {
    await trx.deleteFrom('app_user').execute();
    await fn(trx);
  } finally {
    await trx.rollback().execute();
  }
}

describe('the first admin', () => {
  it('is created with a random password on a database without accounts, and only then', async () => {
    await withoutAccounts(async (trx) => {
      const first = await ensureInitialAdmin(trx, undefined);
      expect(first).toMatchObject({ username: 'admin', generated: true });
      expect(first!.password).toMatch(/^[A-Za-z0-9]{20}$/);
      const { rows } = await sql<{ password_hash: string; roles: string[] }>`SELECT password_hash, roles FROM app_user WHERE username = 'admin'`.execute(trx);
      expect(rows[0].password_hash).not.toContain(first!.password);
      expect(await verifyPassword(first!.password, rows[0].password_hash)).toBe(true);
      expect(rows[0].roles).toContain('admin');
      expect(await ensureInitialAdmin(trx, undefined)).toBeNull();
    });
  });

  it('is never created twice with the same password', async () => {
    const passwords: string[] = [];
    for (let i = 0; i < 2; i++) {
      await withoutAccounts(async (trx) => {
        passwords.push((await ensureInitialAdmin(trx, undefined))!.password);
      });
    }
    expect(passwords[0]).not.toBe(passwords[1]);
  });

  it('takes ADMIN_PASSWORD when it is given, and refuses a weak one', async () => {
    await withoutAccounts(async (trx) => {
      await expect(ensureInitialAdmin(trx, 'short')).rejects.toThrow(/ADMIN_PASSWORD: password must have at least 10/);
      expect(await ensureInitialAdmin(trx, 'a-chosen-password')).toMatchObject({ generated: false });
    });
  });
});
