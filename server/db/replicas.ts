// 只读副本 (read replicas): hot-standby servers fed by streaming replication (READ_DATABASE_URLS).
// Reads that may be a little late go to one of them; which routes those are is declared beside the
// access rule (server/accounts/policy.ts REPLICA_READ_ROUTES) and applied per request by
// server/core/reading.ts. This module keeps the replicas' state and picks one:
// - every POLL_MS it reads the primary's WAL position (pg_current_wal_lsn) and each replica's replay
//   position (pg_last_wal_replay_lsn), on connections of its own (a busy pool never makes a replica
//   look dead);
// - lag is measured in time from those positions: a replica is as late as the oldest primary sample
//   it has not replayed yet. `now() - pg_last_xact_replay_timestamp()` is not used: on an idle primary
//   nothing is replayed, so it grows without bound while the replica is perfectly current;
// - a replica further behind than maxLagMs, or down, leaves the rotation (a log line, a metric) and
//   comes back once it is reachable and caught up;
// - a user who has just written carries the write's LSN (the session's, signed into a cookie): a
//   replica serves that user only once it has replayed that far; we wait up to waitMs, then read the
//   primary.
import pg from 'pg';
import { guardPool } from './connection.ts';
import { createDb, type Db } from './kysely.ts';

/** A WAL position ("16/B374D848") as a number that compares. */
export type Lsn = bigint;

export function parseLsn(text: string | null | undefined): Lsn | null {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text ?? '');
  return m ? (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`) : null;
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Where a request reads: the primary (always current) or a replica, with the position it had replayed when chosen. */
export interface Reader {
  pool: pg.Pool;
  db: Db;
  /** 'primary' or the replica's name (host:port/database) */
  source: string;
  /** a lower bound of what this reader's data contains; null = the primary, current by definition */
  replayLsn: Lsn | null;
}

export interface ReplicaOptions {
  urls: string[];
  poolMax: number;
  statementTimeoutMs: number;
  connectionWaitMs: number;
  /** a replica later than this leaves the rotation (REPLICA_MAX_LAG_MS) */
  maxLagMs: number;
  /** how long a reader who wrote waits for a replica to replay the write before reading the primary (REPLICA_WAIT_MS) */
  waitMs: number;
  pollMs?: number;
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export const POLL_MS = 250;
/** while a reader waits for a replica to replay its write, the replica is asked this often */
const WAIT_POLL_MS = 10;
/** a monitoring query that takes longer counts as the replica being unreachable */
const PROBE_TIMEOUT_MS = 1_000;

/** One replica's state as the monitor last saw it. */
export class Replica {
  readonly name: string;
  readonly pool: pg.Pool;
  readonly db: Db;
  up = false;
  /** replayed WAL position, null before the first successful probe */
  replayLsn: Lsn | null = null;
  lagMs = 0;
  inRotation = false;
  /** times it went out of rotation because it could not be reached */
  downEvents = 0;
  reads = 0;
  private probe: pg.Client | undefined;
  private probing: Promise<void> | undefined;
  private why = 'not probed yet';

  constructor(readonly url: string, opts: ReplicaOptions) {
    const u = new URL(url);
    this.name = `${u.hostname}:${u.port || '5432'}${u.pathname}`;
    this.pool = guardPool(new pg.Pool({
      connectionString: url, max: opts.poolMax, connectionTimeoutMillis: Math.min(opts.connectionWaitMs, 2_000),
      statement_timeout: opts.statementTimeoutMs, keepAlive: true, idleTimeoutMillis: 10_000,
    }), opts.log);
    this.db = createDb(this.pool);
  }

  /** Reads the replay position (coalesced: callers at the same moment share one query). */
  refresh(): Promise<void> {
    this.probing ??= this.readPosition().finally(() => { this.probing = undefined; });
    return this.probing;
  }

  private async readPosition(): Promise<void> {
    try {
      if (!this.probe) {
        const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, keepAlive: true });
        c.on('error', () => { if (this.probe === c) this.probe = undefined; c.end().catch(() => {}); });
        await c.connect();
        this.probe = c;
      }
      const { rows } = await this.probe.query<{ lsn: string | null; standby: boolean }>(
        { text: 'SELECT pg_last_wal_replay_lsn()::text AS lsn, pg_is_in_recovery() AS standby', query_timeout: PROBE_TIMEOUT_MS } as never);
      if (!rows[0].standby) throw new Error('it is not a standby (promoted?): pg_is_in_recovery() is false');
      const lsn = parseLsn(rows[0].lsn);
      if (lsn === null) throw new Error('it has replayed nothing yet');
      if (this.replayLsn === null || lsn > this.replayLsn) this.replayLsn = lsn;
      this.up = true;
    } catch (err) {
      const c = this.probe;
      this.probe = undefined;
      await c?.end().catch(() => {});
      this.up = false;
      this.why = (err as Error).message;
    }
  }

  get reason(): string {
    return this.why;
  }

  async close(): Promise<void> {
    await this.probe?.end().catch(() => {});
    this.probe = undefined;
    await this.pool.end().catch(() => {});
  }
}

/** The primary's WAL position over the last few seconds: what lag in time is measured against. */
class PrimaryHistory {
  private samples: { at: number; lsn: Lsn }[] = [];

  add(at: number, lsn: Lsn, keepMs: number): void {
    this.samples.push({ at, lsn });
    while (this.samples.length > 2 && this.samples[1].at < at - keepMs) this.samples.shift();
  }

  /**
   * How late a replica at `replayed` is: the age of the oldest sample it has not reached (0 when it has
   * reached the newest). Precise to one poll; a replica behind every sample kept is at least that old.
   */
  lagMs(replayed: Lsn, now: number): number {
    const newest = this.samples.at(-1);
    if (!newest || replayed >= newest.lsn) return 0;
    for (const s of this.samples) if (s.lsn > replayed) return now - s.at;
    return 0;
  }
}

export class ReplicaSet {
  readonly replicas: Replica[];
  private readonly primaryReader: Reader;
  private readonly history = new PrimaryHistory();
  private monitor: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private closed = false;
  private readonly settled: { lsn: () => Lsn | null; until: number; resolve: () => void }[] = [];
  /** reads by where they went, and reads of writers that found no replica caught up in time */
  readonly counts = { primary: 0, writerFallbacks: 0 };

  constructor(private readonly primary: pg.Pool, primaryDb: Db, private readonly primaryUrl: string, private readonly opts: ReplicaOptions) {
    this.replicas = opts.urls.map((u) => new Replica(u, opts));
    this.primaryReader = { pool: primary, db: primaryDb, source: 'primary', replayLsn: null };
  }

  get maxLagMs(): number {
    return this.opts.maxLagMs;
  }

  get primaryReaderOf(): Reader {
    return this.primaryReader;
  }

  async start(): Promise<void> {
    await this.poll();
    for (const r of this.replicas) if (!r.inRotation) this.opts.log.warn({ replica: r.name, reason: r.reason, lagMs: r.lagMs }, `read replica ${r.name} is not in rotation at start`);
    const tick = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => void this.poll().finally(tick), this.opts.pollMs ?? POLL_MS);
      this.timer.unref();
    };
    tick();
  }

  /** The primary's current WAL insert position: at or past the end of every transaction committed before it was asked. */
  async primaryLsn(): Promise<Lsn> {
    const { rows } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    return parseLsn(rows[0].lsn)!;
  }

  /**
   * A reader for a request. `writtenLsn`: the user's last write (null = none known): only a replica
   * that has replayed it may serve, after waiting up to waitMs for one; otherwise the primary.
   */
  async choose(writtenLsn: Lsn | null): Promise<Reader> {
    const rotation = this.replicas.filter((r) => r.inRotation);
    if (rotation.length === 0) return this.onPrimary();
    const ready = (rs: Replica[]) => rs.filter((r) => writtenLsn === null || (r.replayLsn !== null && r.replayLsn >= writtenLsn));
    let candidates = ready(rotation);
    if (candidates.length === 0 && this.opts.waitMs > 0) {
      const deadline = Date.now() + this.opts.waitMs;
      while (candidates.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, Math.max(1, deadline - Date.now()))));
        await Promise.all(rotation.map((r) => r.refresh()));
        candidates = ready(rotation.filter((r) => r.up));
      }
    }
    if (candidates.length === 0) {
      this.counts.writerFallbacks++;
      return this.onPrimary();
    }
    const r = candidates[this.turn++ % candidates.length];
    r.reads++;
    return { pool: r.pool, db: r.db, source: r.name, replayLsn: r.replayLsn };
  }

  /**
   * Resolves once every replica in rotation has replayed `lsn()` (null: not known yet), or after
   * maxLagMs — by then a replica still short of it has left the rotation. The change stream waits on
   * this before telling browsers to re-read what changed, so they do not re-read it from a replica
   * that does not have it yet.
   */
  replayed(lsn: () => Lsn | null): Promise<void> {
    if (this.allReplayed(lsn())) return Promise.resolve();
    return new Promise((resolve) => this.settled.push({ lsn, until: Date.now() + this.opts.maxLagMs, resolve }));
  }

  private allReplayed(lsn: Lsn | null): boolean {
    return lsn !== null && this.replicas.every((r) => !r.inRotation || (r.replayLsn !== null && r.replayLsn >= lsn));
  }

  private onPrimary(): Reader {
    this.counts.primary++;
    return this.primaryReader;
  }

  /**
   * A request on `reader` failed because its database could not be reached: a replica leaves the
   * rotation at once rather than at the next probe (which brings it back once it answers).
   */
  unreachable(reader: Reader, err: unknown): void {
    const r = this.replicas.find((x) => x.pool === reader.pool);
    if (!r || !r.inRotation) return;
    r.up = false;
    r.inRotation = false;
    r.downEvents++;
    this.opts.log.warn({ replica: r.name, err }, `read replica ${r.name} left the rotation: unreachable (a read on it failed); its reads go to the others or the primary`);
  }

  /** One round: the primary's position, then every replica's; rotation updated, changes logged. */
  private async poll(): Promise<void> {
    const now = Date.now();
    try {
      if (!this.monitor) {
        const c = new pg.Client({ connectionString: this.primaryUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
        c.on('error', () => { if (this.monitor === c) this.monitor = undefined; c.end().catch(() => {}); });
        await c.connect();
        this.monitor = c;
      }
      const { rows } = await this.monitor.query<{ lsn: string }>({ text: 'SELECT pg_current_wal_lsn()::text AS lsn', query_timeout: PROBE_TIMEOUT_MS } as never);
      this.history.add(now, parseLsn(rows[0].lsn)!, this.opts.maxLagMs * 2 + 5_000);
    } catch {
      // the primary unreachable: the replicas keep their last lag; reads fail or succeed on their own
      const c = this.monitor;
      this.monitor = undefined;
      await c?.end().catch(() => {});
    }
    await Promise.all(this.replicas.map((r) => r.refresh()));
    for (const r of this.replicas) {
      const was = r.inRotation;
      r.lagMs = r.replayLsn === null ? Infinity : this.history.lagMs(r.replayLsn, Date.now());
      r.inRotation = r.up && r.lagMs <= this.opts.maxLagMs;
      if (was && !r.inRotation) {
        if (!r.up) r.downEvents++;
        this.opts.log.warn({ replica: r.name, reason: r.up ? `lag ${r.lagMs} ms > ${this.opts.maxLagMs} ms` : r.reason },
          `read replica ${r.name} left the rotation: ${r.up ? 'too far behind' : 'unreachable'}; its reads go to the others or the primary`);
      } else if (!was && r.inRotation && r.replayLsn !== null) {
        this.opts.log.info({ replica: r.name, lagMs: r.lagMs }, `read replica ${r.name} is in rotation`);
      }
    }
    for (let i = this.settled.length - 1; i >= 0; i--) {
      const w = this.settled[i];
      if (this.allReplayed(w.lsn()) || Date.now() >= w.until) {
        this.settled.splice(i, 1);
        w.resolve();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.settled.splice(0)) w.resolve();
    await this.monitor?.end().catch(() => {});
    await Promise.all(this.replicas.map((r) => r.close()));
  }
}
