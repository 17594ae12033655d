// Defaults of the live registration settings, shared by the environment (config.ts) and programmatic use (tests).

/** REGISTRATION_POLL_MS: how often an account's registrations are read from Kazoo while someone subscribes. */
export const DEFAULT_REGISTRATION_POLL_MS = 5_000;
/** SUBSCRIPTION_QUEUE_SIZE: undelivered events a subscriber may hold before it is dropped as too slow. */
export const DEFAULT_SUBSCRIPTION_QUEUE_SIZE = 1_000;
/** REDIS_LEASE_MS: the polling lease; a crashed holder is replaced within two of these. */
export const DEFAULT_REDIS_LEASE_MS = 15_000;
/** REDIS_KEY_PREFIX: starts every Redis key and channel of the gateway. */
export const DEFAULT_REDIS_KEY_PREFIX = 'kazoo-gateway:';
/** DOCUMENT_POLL_MS: how often an account's device or user listing is read while someone subscribes to its changes. */
export const DEFAULT_DOCUMENT_POLL_MS = 10_000;
/** REGISTRATION_RECONCILE_MS: with Kazoo's AMQP events live, how often each watched topic is still read in full. */
export const DEFAULT_RECONCILE_MS = 60_000;
/**
 * REGISTRATION_EXPIRY_GRACE_MS: a registration pushed over AMQP and not refreshed is dropped this long after it
 * expires: ecallmgr's own `expires_deviation_time` (180 s) and its 2 s sweep, so the gateway drops it when
 * `/registrations` does, and a reconciling read does not bring it back.
 */
export const DEFAULT_EXPIRY_GRACE_MS = 182_000;
