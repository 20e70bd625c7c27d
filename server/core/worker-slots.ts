// Worker threads at once, per kind of job (exports, imports): each worker is a V8 heap and connections
// of its own, so a kind runs at most one per core and further jobs wait their turn. The slots are the
// process's, as the threads are (every app built in one process shares them); the metrics capability
// reads their counts at scrape time (server/metrics/index.ts). Light on purpose: the CLI loads it too.
import os from 'node:os';

/** A counting semaphore: `max` holders at once, the rest wait in turn (also the expensive requests' share of the pool: core/admission.ts). */
export class Slots {
  private running_ = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly kind: string, readonly max: number) {}

  /**
   * Waits for a slot (with `wait`, at most `wait.ms`, then `wait.error()` is thrown); the function
   * returned gives it back (once, however often it is called).
   */
  async acquire(wait?: { ms: number; error: () => Error }): Promise<() => void> {
    if (this.running_ < this.max) this.running_++;
    else {
      await new Promise<void>((resolve, reject) => {
        // handed over by a release: `running` stays
        const grant = () => { clearTimeout(timer); resolve(); };
        const timer = wait && setTimeout(() => { this.waiting.splice(this.waiting.indexOf(grant), 1); reject(wait.error()); }, wait.ms);
        this.waiting.push(grant);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running_--;
    };
  }

  /** jobs holding a slot */
  get running(): number {
    return this.running_;
  }

  /** jobs waiting for one */
  get queued(): number {
    return this.waiting.length;
  }
}

const byKind = new Map<string, Slots>();

/** The slots of a kind of job (created on first use, one per core unless told). */
export function workerSlots(kind: string, max = os.availableParallelism()): Slots {
  let slots = byKind.get(kind);
  if (!slots) byKind.set(kind, (slots = new Slots(kind, max)));
  return slots;
}

type WorkerCounts = { running: number; queued: number };
/** Pools that keep workers of their own (the import parsers, reused between jobs) report their counts here. */
const reporters = new Map<string, () => WorkerCounts>();

export function reportWorkers(kind: string, counts: () => WorkerCounts): void {
  reporters.set(kind, counts);
}

/** Every kind's running and queued jobs, for the metrics. */
export function workerCounts(): (WorkerCounts & { kind: string })[] {
  return [
    ...[...byKind.values()].map((s) => ({ kind: s.kind, running: s.running, queued: s.queued })),
    ...[...reporters].map(([kind, counts]) => ({ kind, ...counts() })),
  ];
}
