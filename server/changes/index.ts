// The change stream (GET /api/changes): every change of a map layer this process learns of
// (server/core/changes.ts), as Server-Sent Events, so that every open map re-requests exactly what
// changed. Each event's id says where the stream stands; a client that reconnects with Last-Event-ID
// is sent what it missed, or `reset` (refresh everything) when that is no longer known here — after a
// restart, on another process, or after longer away than the feed keeps.
// A response stays open at most maxSeconds; EventSource then reconnects by itself, which checks the
// session again (a logged-out reader's stream ends there).
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { CHANGE_STREAM } from '../../geo/api.ts';
import type { ChangeFeed, FeedEntry } from '../core/changes.ts';
import { DomainError } from '../core/errors.ts';
import { releasedChange } from '../core/release.ts';
import { int, object } from '../core/schemas.ts';

export interface ChangesOptions {
  /** open streams this process serves at most (each is an open connection) */
  maxStreams?: number;
  /** a comment line this often keeps proxies and the browser from closing an idle stream */
  heartbeatMs?: number;
}

/** What a client may fall behind by before its stream is ended (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How soon EventSource reconnects after a drop (the `retry` field). */
const RETRY_MS = 1_000;

/** "<boot>-<seq>": the entry's number within this process's feed. */
const eventId = (feed: ChangeFeed, seq: number): string => `${feed.boot}-${seq}`;

/** The number a Last-Event-ID names in this process's feed, or null when it is another's (or none). */
function resumeFrom(feed: ChangeFeed, lastEventId: string | undefined): number | null {
  const m = /^([0-9a-f]+)-(\d{1,15})$/.exec(lastEventId ?? '');
  return m && m[1] === feed.boot ? Number(m[2]) : null;
}

function frame(feed: ChangeFeed, entry: FeedEntry): string {
  const id = `id: ${eventId(feed, entry.seq)}\n`;
  if ('reset' in entry) return `${id}event: ${CHANGE_STREAM.reset}\ndata: {}\n\n`;
  return `${id}event: ${CHANGE_STREAM.change}\ndata: ${JSON.stringify(releasedChange(entry.change))}\n\n`;
}

export const changesPlugin: FastifyPluginAsync<ChangesOptions> = async (app, opts) => {
  const maxStreams = opts.maxStreams ?? 2_000;
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  const open = new Set<ServerResponse>();
  // open streams would keep the server from closing
  app.addHook('preClose', async () => { for (const res of open) res.end(); });

  // With read replicas a change is passed on only once every replica in rotation has replayed it (or
  // REPLICA_MAX_LAG_MS passed: a replica still short of it has left the rotation), in order: a
  // browser told of a change re-reads its tiles and features at once, and must not get them from a
  // replica that has not got the change yet (those tiles would not be cached, but shown).
  const replicas = app.replicas;
  const relayed = new Set<(entry: FeedEntry) => void>();
  let released = app.changes.position;
  let relay = Promise.resolve();
  const stopRelay = replicas && app.changes.subscribe((entry) => {
    relay = relay.then(async () => {
      const commit = 'change' in entry ? entry.change.commit : entry.commit;
      if (commit) await replicas.replayed(() => commit.lsn);
      released = entry.seq;
      for (const reader of relayed) reader(entry);
    });
  });
  if (stopRelay) app.addHook('onClose', async () => void stopRelay());
  const subscribe = (reader: (entry: FeedEntry) => void): (() => void) => {
    if (!replicas) return app.changes.subscribe(reader);
    relayed.add(reader);
    return () => relayed.delete(reader);
  };
  /** the newest entry a stream may be told of */
  const position = () => (replicas ? released : app.changes.position);

  app.get<{ Querystring: { maxSeconds: number } }>(CHANGE_STREAM.path, {
    schema: { querystring: object({ maxSeconds: int(1, 3_600, { default: 300 }) }) },
  }, async (request, reply) => {
    if (open.size >= maxStreams) {
      throw new DomainError('too_many_requests', `this server already serves ${maxStreams} change streams`, { limit: maxStreams });
    }
    const feed = app.changes;
    const last = request.headers['last-event-id'];
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no', // nginx: pass each event on at once
    });
    open.add(res);
    const send = (text: string) => {
      // ended (lifetime, a slow reader) but not yet closed: a write now would be an error event
      if (res.writableEnded || res.destroyed) return;
      res.write(text);
      // a reader that does not keep up is let go: it reconnects and is sent what it missed
      if (res.writableLength > MAX_BUFFERED_BYTES) res.end();
    };
    // what was missed (or that it is not known), then where the stream stands, then every new change
    // (all within this tick: nothing published in between)
    let head = `retry: ${RETRY_MS}\n\n`;
    if (typeof last === 'string') {
      const seq = resumeFrom(feed, last);
      const missed = seq === null || seq > position() ? null : feed.since(seq);
      if (missed === null) head += frame(feed, { seq: position(), reset: true });
      else for (const entry of missed) if (entry.seq <= position()) head += frame(feed, entry);
    }
    head += `id: ${eventId(feed, position())}\nevent: ${CHANGE_STREAM.hello}\ndata: {}\n\n`;
    send(head);
    const unsubscribe = subscribe((entry) => send(frame(feed, entry)));
    const heartbeat = setInterval(() => send(': ping\n\n'), heartbeatMs);
    const lifetime = setTimeout(() => res.end(), request.query.maxSeconds * 1000);
    res.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      open.delete(res);
    });
  });
};
