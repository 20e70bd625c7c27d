// Reading a Server-Sent Events stream as a browser's EventSource would (the change stream, GET
// /api/changes): events parsed as they arrive, waited for one by one.
import { api } from './db.ts';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  /** every event so far, in order */
  events: SseEvent[];
  /** the first event (from the start, or after `after` events) that matches, waiting up to timeoutMs */
  next(match: (e: SseEvent) => boolean, opts?: { timeoutMs?: number; after?: number }): Promise<SseEvent>;
  /** resolves when the server ends the response */
  ended: Promise<void>;
  close(): void;
}

/** Parses "field: value" blocks separated by blank lines (comments and retry ignored). */
export function parseFrames(text: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = text.split('\n\n');
  const rest = blocks.pop()!;
  for (const block of blocks) {
    const e: SseEvent = { event: 'message', data: '' };
    let any = false;
    for (const line of block.split('\n')) {
      const m = /^([a-z]+): ?(.*)$/i.exec(line);
      if (!m) continue;
      if (m[1] === 'id') e.id = m[2];
      else if (m[1] === 'event') e.event = m[2];
      else if (m[1] === 'data') e.data += (e.data ? '\n' : '') + m[2];
      else continue;
      any = true;
    }
    if (any && (e.data || e.event !== 'message')) events.push(e);
  }
  return { events, rest };
}

export async function openStream(path: string, opts: { who?: string | null; lastEventId?: string } = {}): Promise<SseStream> {
  const ctl = new AbortController();
  const res = await api(path, {
    who: opts.who, signal: ctl.signal,
    headers: { accept: 'text/event-stream', ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}) },
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseFrames(buffer + value);
        buffer = parsed.rest;
        events.push(...parsed.events);
        for (const w of waiters) w();
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    events,
    ended,
    close: () => ctl.abort(),
    next(match, { timeoutMs = 5_000, after = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(after).find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.slice(-5))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}
