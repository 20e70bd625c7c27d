// The rules of read replicas that need no database: the settings, WAL positions, the signed
// read-your-writes cookie and which routes may read a replica (server/accounts/policy.ts).
import { describe, expect, it } from 'vitest';
import { POLICY, readsFrom, REPLICA_READ_ROUTES } from '../../server/accounts/policy.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { signWrite, verifiedWrite } from '../../server/core/reading.ts';
import { formatLsn, parseLsn } from '../../server/db/replicas.ts';

const PRIMARY = 'postgres://postgres@127.0.0.1:5432/zs';

describe('READ_DATABASE_URLS, REPLICA_WAIT_MS, REPLICA_MAX_LAG_MS', () => {
  it('reads a comma-separated list, with the defaults 200 ms and 2000 ms', () => {
    const c = loadConfig({ DATABASE_URL: PRIMARY, READ_DATABASE_URLS: ' postgres://a:5433/zs, postgresql://b:5434/zs ' });
    expect(c.readDatabaseUrls).toEqual(['postgres://a:5433/zs', 'postgresql://b:5434/zs']);
    expect(c.replicaWaitMs).toBe(200);
    expect(c.replicaMaxLagMs).toBe(2000);
    expect(loadConfig({ DATABASE_URL: PRIMARY }).readDatabaseUrls).toEqual([]);
    expect(loadConfig({ DATABASE_URL: PRIMARY, REPLICA_WAIT_MS: '0', REPLICA_MAX_LAG_MS: '500' })).toMatchObject({ replicaWaitMs: 0, replicaMaxLagMs: 500 });
  });

  it('reads the pooler settings: a direct URL for LISTEN and migrations, named statements on or off', () => {
    expect(loadConfig({ DATABASE_URL: PRIMARY })).toMatchObject({ databaseDirectUrl: undefined, preparedStatements: true });
    expect(loadConfig({ DATABASE_URL: 'postgres://b:6432/zs', DATABASE_DIRECT_URL: PRIMARY, DATABASE_PREPARED_STATEMENTS: 'false' }))
      .toMatchObject({ databaseDirectUrl: PRIMARY, preparedStatements: false });
    expect(() => loadConfig({ DATABASE_DIRECT_URL: PRIMARY })).toThrow(/DATABASE_DIRECT_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, DATABASE_DIRECT_URL: 'mysql://a/zs' })).toThrow(/DATABASE_DIRECT_URL must start/);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, DATABASE_PREPARED_STATEMENTS: 'maybe' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
    expect(loadConfig({ PRINT_TIMEOUT_S: '30', PRINT_WAIT_S: '5' })).toMatchObject({ printTimeoutMs: 30_000, printWaitMs: 5_000 });
    expect(() => loadConfig({ PRINT_TIMEOUT_S: 'soon' })).toThrow(/PRINT_TIMEOUT_S/);
  });

  it('refuses what cannot work, saying why', () => {
    expect(() => loadConfig({ READ_DATABASE_URLS: 'postgres://a:5433/zs' })).toThrow(/READ_DATABASE_URLS needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, READ_DATABASE_URLS: 'mysql://a/zs' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, READ_DATABASE_URLS: 'postgres://a/zs,postgres://a/zs' })).toThrow(/twice/);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, REPLICA_WAIT_MS: '-1' })).toThrow(/REPLICA_WAIT_MS/);
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, REPLICA_MAX_LAG_MS: '2s' })).toThrow(/REPLICA_MAX_LAG_MS/);
  });
});

describe('WAL positions', () => {
  it('parse to numbers that compare as the WAL does, and print back', () => {
    expect(parseLsn('0/FF')! < parseLsn('1/0')!).toBe(true);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn('16/B374D848')!)).toBe('16/B374D848');
    for (const bad of ['', '16', '16/', 'G/1', '1/2/3', '123456789/0', null]) expect(parseLsn(bad)).toBeNull();
  });
});

describe('the read-your-writes cookie', () => {
  const session = { csrfToken: 'csrf-secret-of-this-session', tokenHash: 'hash-a' };
  const lsn = parseLsn('3/1A2B3C')!;

  it('is honoured in the session that wrote', () => {
    expect(verifiedWrite(session, signWrite(session, lsn))).toBe(lsn);
  });

  it('is ignored in another session, altered, or without a session', () => {
    const value = signWrite(session, lsn);
    expect(verifiedWrite({ csrfToken: 'another', tokenHash: 'hash-b' }, value)).toBeNull();
    expect(verifiedWrite(session, value.replace('3/1A2B3C', 'FFFFFFFF/0'))).toBeNull();
    expect(verifiedWrite(session, value.slice(0, -1))).toBeNull();
    expect(verifiedWrite(session, 'garbage')).toBeNull();
    expect(verifiedWrite(null, value)).toBeNull();
    expect(verifiedWrite(session, undefined)).toBeNull();
  });
});

/** reads that must see the newest data: a feature before its write (ETag), its history, import previews, accounts, sessions, the procedure */
const MUST_BE_CURRENT = [
  'GET /ogc/collections/:id/items/:fid', 'GET /ogc/collections/:id/items/:fid/history', 'GET /api/import/:id', 'GET /api/import/:id/features',
  'GET /api/auth/session', 'GET /api/admin/users', 'GET /api/audit', 'GET /api/audit/accounts', 'GET /api/projects/:id/procedure', 'GET /api/attachments/:id',
];

describe('which routes read a replica (server/accounts/policy.ts)', () => {
  it('declares only routes of the access policy', () => {
    for (const route of REPLICA_READ_ROUTES) expect(POLICY[route], route).toBeDefined();
  });

  it('keeps what must be current on the primary', () => {
    for (const route of MUST_BE_CURRENT) expect(POLICY[route], route).toBeDefined();
    for (const route of MUST_BE_CURRENT) expect(readsFrom(route.split(' ')[0], route.split(' ')[1]), route).toBe('primary');
    // every write, whatever it is
    for (const route of Object.keys(POLICY)) {
      const [method, url] = route.split(' ');
      if (['PUT', 'PATCH', 'DELETE'].includes(method)) expect(readsFrom(method, url), route).toBe('primary');
    }
    expect(readsFrom('HEAD', '/tiles/:layers/:z/:x/:y.mvt')).toBe('replica');
  });
});
