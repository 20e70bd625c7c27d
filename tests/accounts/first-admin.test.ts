// The first start on a database without accounts creates `admin` with a random password that is shown
// once (server/start.ts logs it) and stored only as a scrypt hash; later starts create nothing.
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/accounts/passwords.ts';
import { ensureInitialAdmin } from '../../server/accounts/users.ts';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

describe('the first admin', () => {
  it('is created with a random password on a database without accounts, and only then', async () => {
    const client = await pool.connect();
    try {
      // in a transaction that is rolled back: the suites' accounts stay
      await client.query('BEGIN');
      await client.query('DELETE FROM app_user');
      const first = await ensureInitialAdmin(client, undefined);
      expect(first).toMatchObject({ username: 'admin', generated: true });
      expect(first!.password).toMatch(/^[A-Za-z0-9]{20}$/);
      const { rows } = await client.query(`SELECT password_hash, roles FROM app_user WHERE username = 'admin'`);
      expect(rows[0].password_hash).not.toContain(first!.password);
      expect(await verifyPassword(first!.password, rows[0].password_hash)).toBe(true);
      expect(rows[0].roles).toContain('admin');
      expect(await ensureInitialAdmin(client, undefined)).toBeNull();
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('is never created twice with the same password', async () => {
    const client = await pool.connect();
    const passwords: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        await client.query('BEGIN');
        await client.query('DELETE FROM app_user');
        passwords.push((await ensureInitialAdmin(client, undefined))!.password);
        await client.query('ROLLBACK');
      }
    } finally {
      client.release();
    }
    expect(passwords[0]).not.toBe(passwords[1]);
  });

  it('takes ADMIN_PASSWORD when it is given, and refuses a weak one', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM app_user');
      await expect(ensureInitialAdmin(client, 'short')).rejects.toThrow(/ADMIN_PASSWORD: password must have at least 10/);
      expect(await ensureInitialAdmin(client, 'a-chosen-password')).toMatchObject({ generated: false });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
