// What every resolver gets: the caller's Kazoo session (shared client + the caller's own token) and loaders made
// for this request only.
import { randomUUID } from 'node:crypto';
import type { KazooClient } from '../kazoo/client.js';
import type { KazooSession } from '../kazoo/session.js';
import { createLoaders } from '../loaders/index.js';
import type { Loaders } from '../loaders/index.js';

export interface GatewayContext {
  readonly session: KazooSession;
  readonly loaders: Loaders;
}

export function createContext(client: KazooClient, token: string | undefined, requestId?: string): GatewayContext {
  const session: KazooSession = { client, token, requestId: requestId ?? randomUUID() };
  let loaders: Loaders | undefined;
  // Made on first use: an idle subscription holds a context for hours and may never need them.
  return {
    session,
    get loaders() {
      loaders ??= createLoaders(session);
      return loaders;
    },
  };
}

/**
 * The Kazoo token of an HTTP request or graphql-ws connection: `X-Auth-Token` (Kazoo's own header) first, then
 * `Authorization: Bearer`.
 */
export function tokenFromHeaders(headers: {
  get(name: string): string | null | undefined;
}): string | undefined {
  const direct = headers.get('x-auth-token')?.trim();
  if (direct) return direct;
  const authorization = headers.get('authorization')?.trim();
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  return bearer || undefined;
}
