// The context of an operation over a long-lived transport (graphql-ws, graphql-sse): a GatewayContext (the
// subscriber's own Kazoo session and loaders) plus what only subscriptions need: the live registrations service and
// the subscriber's connection.
import type { GatewayContext } from './context.js';
import type { LiveData } from '../subscriptions/live-data.js';

interface SubscriberConnection {
  /** When the connection's Kazoo token expires (its JWT `exp`), if it says. */
  readonly expiresAt: Date | undefined;
  /** Ends the connection (closes the WebSocket, cuts the event stream), ending every operation on it. */
  close(code: number, reason: string): void;
}

export interface SubscriptionContext extends GatewayContext {
  readonly live: LiveData;
  readonly connection: SubscriberConnection;
}

/** The subscription context, or undefined for an operation that came over plain HTTP. */
export function subscriptionContextOf(context: GatewayContext): SubscriptionContext | undefined {
  return 'live' in context && 'connection' in context ? (context as SubscriptionContext) : undefined;
}
