// A session is one caller's view of Kazoo: the shared client plus that caller's token, request id and, when the
// caller can go away (an HTTP request, a subscription), the signal that says it did (cancellation.ts).
// Resource modules take a session first, like Crossbar's modules take a context.
import type { KazooClient, KazooEnvelope, KazooRequest } from './client.js';
import type { CancelSignal } from './cancellation.js';
import { KazooError } from './errors.js';

export interface KazooSession {
  readonly client: KazooClient;
  /** The caller's Kazoo auth token; undefined when the caller sent none. */
  readonly token: string | undefined;
  /** Propagated to Kazoo as X-Request-ID so a request can be followed across both logs. */
  readonly requestId?: string | undefined;
  /** Aborts when the caller went away: every call made with the session then stops with CANCELLED. */
  readonly signal?: CancelSignal | undefined;
}

/**
 * Sends an authenticated request: refuses locally, before any upstream call, when there is no token (and, through
 * the client, when the token is malformed or Kazoo refused it moments ago).
 */
export function send<T>(
  session: KazooSession,
  request: Omit<KazooRequest, 'token' | 'requestId' | 'signal'>,
): Promise<KazooEnvelope<T>> {
  if (session.token === undefined || session.token === '') {
    return Promise.reject(
      new KazooError('UNAUTHENTICATED', 'A Kazoo auth token is required: send it as X-Auth-Token or Authorization: Bearer'),
    );
  }
  return session.client.request<T>({ ...request, token: session.token, requestId: session.requestId, signal: session.signal });
}
