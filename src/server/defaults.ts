// The gateway's defaults, in one place that both the composition root (gateway.ts) and the environment reader
// (config.ts) import, so configuration never depends on the server it configures. Each says why it is what it is.

/** Largest GraphQL document in lexical tokens, refused while parsing. */
export const DEFAULT_MAX_QUERY_TOKENS = 5_000;
/** Operations in one batched POST (when batching is on). */
export const DEFAULT_MAX_BATCH_SIZE = 10;
/** Operations one WebSocket may run at once. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;
/** WebSockets open at once per client address (an office behind one NAT) and per token (a few tabs). */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 200;
export const DEFAULT_MAX_CONNECTIONS_PER_TOKEN = 10;

/**
 * Requests (HTTP requests, WebSocket upgrades and operations) per bucket, whatever they cost: enough for a test suite
 * or a busy screen (the graphql-http audit sends about 60 in a second), not for a flood of the gateway itself.
 */
export const DEFAULT_REQUESTS_PER_SECOND = 50;
export const DEFAULT_REQUEST_BURST = 100;

/**
 * Estimated Kazoo calls per bucket (use-cost-rate-limit.ts): Kazoo's own per-account bucket (100 tokens, 10 per
 * second), so one caller of the gateway cannot spend more of an account's Kazoo budget than Kazoo allows any client.
 */
export const DEFAULT_COST_PER_SECOND = 10;
export const DEFAULT_COST_BURST = 100;
