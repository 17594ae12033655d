// The context of an operation over graphql-ws: a GatewayContext (the subscriber's own Kazoo session and loaders)
// plus what only subscriptions need: the live registrations service and the subscriber's connection.
import type { GatewayContext } from '../graphql/context.js';
import type { LiveRegistrations } from './live-registrations.js';

interface SubscriberConnection {
  /** When the connection's Kazoo token expires (its JWT `exp`), if it says. */
  readonly expiresAt: Date | undefined;
  /** Closes the WebSocket, ending every operation on it. */
  close(code: number, reason: string): void;
}

export interface SubscriptionContext extends GatewayContext {
  readonly registrations: LiveRegistrations;
  readonly connection: SubscriberConnection;
}

/** The subscription context, or undefined for an operation that did not come over graphql-ws (plain HTTP). */
export function subscriptionContextOf(context: GatewayContext): SubscriptionContext | undefined {
  return 'registrations' in context && 'connection' in context ? (context as SubscriptionContext) : undefined;
}
