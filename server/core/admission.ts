// Admission of expensive requests (label points, conflict analyses, exports, imports, reports): they
// hold a database connection for long, so together they may take only a bounded share of the pool,
// and one account only a few at once. Without this, twenty label requests from one viewer took every
// connection and everyone else's reads waited or failed. Which routes are expensive is declared beside
// their access rule (accounts/policy.ts EXPENSIVE_ROUTES); this plugin applies it to every route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LABELLED_LAYERS } from '../../geo/layers.ts';
import { BUSY_RETRY_AFTER_S, DomainError } from './errors.ts';
import { Slots } from './worker-slots.ts';

export interface AdmissionLimits {
  /** expensive requests running at once, all accounts together */
  slots: number;
  /** expensive requests one account (or one anonymous address) may have in flight, running or waiting; more are refused 429 */
  perAccount: number;
  /** how long an expensive request waits for a slot before it is refused 503 */
  waitMs: number;
}

/**
 * Expensive requests share half the pool's connections (at least one). An account may have in flight
 * what one map page asks for at once — the label points of every labelled layer — and a few more.
 */
export function admissionLimits(poolMax: number, waitMs = 10_000): AdmissionLimits {
  return { slots: Math.max(1, Math.floor(poolMax / 2)), perAccount: LABELLED_LAYERS.length + 3, waitMs };
}

/** The expensive requests' share of the pool, and a cap per account on top of it. */
export class Admission {
  private readonly slots: Slots;
  private readonly byAccount = new Map<string, number>();

  constructor(readonly limits: AdmissionLimits) {
    this.slots = new Slots('expensive', limits.slots);
  }

  /** running and waiting requests */
  get counts(): { running: number; waiting: number } {
    return { running: this.slots.running, waiting: this.slots.queued };
  }

  /** Waits for a slot; resolves to the function that gives it back (safe to call twice). */
  async enter(account: string): Promise<() => void> {
    const mine = this.byAccount.get(account) ?? 0;
    if (mine >= this.limits.perAccount) {
      throw new DomainError('too_many_requests', `this account already has ${mine} expensive requests (labels, analyses, exports, imports, reports) under way; wait for one to finish`,
        { limit: this.limits.perAccount, retryAfterSeconds: BUSY_RETRY_AFTER_S });
    }
    this.byAccount.set(account, mine + 1);
    let release: () => void;
    try {
      release = await this.slots.acquire({
        ms: this.limits.waitMs,
        error: () => new DomainError('database_busy', `the server is busy with other expensive requests; none finished within ${this.limits.waitMs / 1000} s`,
          { retryAfterSeconds: BUSY_RETRY_AFTER_S }),
      });
    } catch (err) {
      this.leave(account);
      throw err;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.leave(account);
      release();
    };
  }

  private leave(account: string): void {
    const n = (this.byAccount.get(account) ?? 1) - 1;
    if (n > 0) this.byAccount.set(account, n);
    else this.byAccount.delete(account);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the expensive requests' semaphore */
    admission: Admission;
  }
}

export interface AdmissionPluginOptions {
  limits: AdmissionLimits;
  /** whether a route (method and URL pattern) is expensive */
  isExpensive(method: string, url: string): boolean;
}

const accountOf = (request: FastifyRequest): string => request.user?.username ?? `address:${request.ip}`;

/** Every expensive route waits for a slot before its handler, and gives it back when its response ends. */
export const admissionPlugin = fp<AdmissionPluginOptions>(async (app: FastifyInstance, opts) => {
  const admission = new Admission(opts.limits);
  app.decorate('admission', admission);
  app.addHook('preHandler', async (request, reply) => {
    const url = request.routeOptions.url;
    if (!url || !opts.isExpensive(request.method, url)) return;
    const release = await admission.enter(accountOf(request));
    // 'close' comes when the response has been sent in full, streamed or not, or the client went away
    reply.raw.once('close', release);
  });
}, { name: 'admission', dependencies: ['accounts'] });
