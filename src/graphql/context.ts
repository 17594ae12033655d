// What every resolver gets: the caller's Kazoo session (shared client + the caller's own token, and the signal that
// says the caller went away), loaders made for this request only, and what the gateway shares between requests: its
// cursor codec (its key is the gateway's) and the listing sizes it has learned (which the loaders feed and the cost
// model reads).
import { randomUUID } from 'node:crypto';
import type { KazooClient } from '../kazoo/client.js';
import type { CancelSignal } from '../kazoo/cancellation.js';
import type { KazooSession } from '../kazoo/session.js';
import { createLoaders } from '../loaders/index.js';
import type { ListingSizes, Loaders } from '../loaders/index.js';
import type { CursorCodec } from './pagination.js';

export interface GatewayContext {
  readonly session: KazooSession;
  readonly loaders: Loaders;
  readonly cursors: CursorCodec;
  readonly listingSizes: ListingSizes;
}

export function createContext(
  client: KazooClient,
  cursors: CursorCodec,
  listingSizes: ListingSizes,
  token: string | undefined,
  requestId?: string,
  /** Aborts when the client went away: its Kazoo calls then stop (src/kazoo/cancellation.ts). */
  signal?: CancelSignal,
): GatewayContext {
  const session: KazooSession = { client, token, requestId: requestId ?? randomUUID(), signal };
  let loaders: Loaders | undefined;
  // Made on first use: an idle subscription holds a context for hours and may never need them.
  return {
    session,
    cursors,
    listingSizes,
    get loaders() {
      loaders ??= createLoaders(session, listingSizes);
      return loaders;
    },
  };
}

/** Header values by lower-case name, as node:http gives them (a repeated header is an array: its first value counts). */
type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The Kazoo token of an HTTP request or graphql-ws connection, one rule for both: `X-Auth-Token` (Kazoo's own header;
 * a `Bearer ` prefix is tolerated) first, then `Authorization: Bearer`.
 */
export function tokenFromHeaders(headers: HeaderValues): string | undefined {
  const first = (name: string): string | undefined => {
    const value = headers[name];
    return (typeof value === 'string' ? value : value?.[0])?.trim();
  };
  const direct = first('x-auth-token')?.replace(/^Bearer(\s+|$)/i, '').trim();
  if (direct) return direct;
  return /^Bearer\s+(.+)$/i.exec(first('authorization') ?? '')?.[1]?.trim() || undefined;
}

/** `context` with another session, and loaders of that session, made on first use as createContext makes them. */
export function withSession<Context extends GatewayContext>(context: Context, session: KazooSession): Context {
  let loaders: Loaders | undefined;
  return Object.create(context, {
    session: { value: session },
    loaders: { get: () => (loaders ??= createLoaders(session, context.listingSizes)) },
  }) as Context;
}
