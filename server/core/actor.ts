// Who is asking, as the core sees it: the session's user (set by the accounts capability's hook) as an
// Actor for the write path and a Reader for the release rule. Capabilities ask here, never of each other.
import type { FastifyRequest } from 'fastify';
import type { Actor } from './write.ts';

/** The request's user as the one who writes; anonymous requests (public read) hold no role. */
export function actorOf(request: FastifyRequest): Actor {
  const user = request.user;
  return user ? { username: user.username, roles: user.roles, areaIds: user.areaIds } : { username: 'anonymous', roles: [], areaIds: [] };
}
