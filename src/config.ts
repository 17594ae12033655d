// The gateway's configuration, from the environment. Every setting has a default that works on a fresh machine;
// a bad value stops start-up with a message naming the variable, instead of a surprise later.
import { DEFAULT_CIRCUIT_BREAKER } from './kazoo/circuit-breaker.js';
import {
  DEFAULT_COST_BURST,
  DEFAULT_COST_PER_SECOND,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
  DEFAULT_MAX_QUERY_TOKENS,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  DEFAULT_REQUEST_BURST,
  DEFAULT_REQUESTS_PER_SECOND,
} from './server/defaults.js';
import { readTrustedDocuments, TrustedDocumentsError } from './server/trusted-documents.js';
import type { TrustedDocuments } from './server/trusted-documents.js';
import { corsOriginsProblem, LOCAL_DEV_ORIGINS } from './server/use-cors.js';
import { DEFAULT_OPERATION_LIMITS } from './server/use-operation-limits.js';
import {
  DEFAULT_DOCUMENT_POLL_MS,
  DEFAULT_EXPIRY_GRACE_MS,
  DEFAULT_RECONCILE_MS,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_REDIS_LEASE_MS,
  DEFAULT_REGISTRATION_POLL_MS,
  DEFAULT_SUBSCRIPTION_QUEUE_SIZE,
} from './subscriptions/defaults.js';
import type { ServiceLogin } from './subscriptions/service-credential.js';

interface GatewayConfig {
  /** Crossbar base URL; undefined runs the embedded simulator. */
  kazooUrl: string | undefined;
  port: number;
  /**
   * Interface to listen on; undefined when HOST is unset: 127.0.0.1 in demo mode (its pages hand out a live demo
   * token, which must not reach the network), 0.0.0.0 otherwise.
   */
  host: string | undefined;
  /** Budget of one upstream call, retries included. */
  kazooTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** Schema introspection: on by default, off by default when NODE_ENV=production. */
  introspection: boolean;
  /** Serve GraphiQL to browsers on GET /graphql: on by default, off by default when NODE_ENV=production. */
  graphiql: boolean;
  /** Per-operation limits: field depth, aliases, estimated Crossbar calls, document size in tokens. */
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryCost: number;
  maxQueryTokens: number;
  /** Several operations in one POST, at most maxBatchSize. */
  batchedRequests: boolean;
  maxBatchSize: number;
  /** Requests per second per token at the gateway (0: no limit), and the burst allowed after idling. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Estimated Kazoo calls per second per token (0: no cost rate limit), and the bucket's size. */
  costLimitPerSecond: number;
  costLimitBurst: number;
  /** Proxies in front of the gateway that append to X-Forwarded-For (for the address of requests without a token). */
  trustProxyHops: number;
  /**
   * Origins allowed to call the gateway from a browser (`http://localhost:*`: any port); ['*'] for any; [] for none.
   * Unset: local dev servers in demo mode (LOCAL_DEV_ORIGINS), none with a KAZOO_URL.
   */
  corsOrigins: string[];
  corsAllowCredentials: boolean;
  metricsEnabled: boolean;
  /** Failed Kazoo attempts in a row that open the circuit breaker, and how long it stays open before a probe. */
  circuitBreakerFailures: number;
  circuitBreakerOpenMs: number;
  /** Upper bound on a graceful shutdown (SIGTERM), in-flight requests included. */
  shutdownTimeoutMs: number;
  /** Live registrations: how often a watched account is polled, and the undelivered events a subscriber may hold. */
  registrationPollMs: number;
  /** DOCUMENT_POLL_MS: how often device and user listings are read for deviceChanged and userChanged. */
  documentPollMs: number;
  /** KAZOO_AMQP_URL: Kazoo's RabbitMQ, whose events make live data push instead of poll; undefined: polling only. */
  kazooAmqpUrl: string | undefined;
  /** REGISTRATION_RECONCILE_MS: the full reads' interval while AMQP events are received. */
  reconcileMs: number;
  /** REGISTRATION_EXPIRY_GRACE_MS: how long after expiry an AMQP-known registration without refresh is dropped. */
  expiryGraceMs: number;
  subscriptionQueueSize: number;
  /** Operations (subscriptions) one WebSocket connection may run at once. */
  maxSubscriptionsPerConnection: number;
  /** WebSocket connections open at once per client address and per token (0: no cap). */
  maxConnectionsPerAddress: number;
  maxConnectionsPerToken: number;
  /** Redis shared by several instances (events, one poller per account); undefined keeps everything in memory. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  redisLeaseMs: number;
  /** The gateway's own Kazoo login for polling; undefined polls with subscribers' tokens. */
  serviceLogin: ServiceLogin | undefined;
  /** Key that signs pagination cursors; undefined: a random key per process (cursors do not cross instances). */
  cursorSecret: string | undefined;
  /** The manifest's documents, which clients may name by documentId (by SHA-256 of their text); none when unset. */
  trustedDocuments: TrustedDocuments | undefined;
  /** Refuse every other document and automatic persisted queries. */
  trustedDocumentsOnly: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

const MIN_CURSOR_SECRET_LENGTH = 32;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): GatewayConfig {
  const kazooUrl = env.KAZOO_URL?.trim() || undefined;
  if (kazooUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(kazooUrl);
    } catch {
      throw new ConfigError(`KAZOO_URL must be a URL such as http://kazoo:8000, got "${kazooUrl}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`KAZOO_URL must use http or https, got "${kazooUrl}"`);
    }
    if (/\/v[12]\/?$/.test(url.pathname)) {
      throw new ConfigError(`KAZOO_URL is the Crossbar base without /v2 (the gateway adds it), got "${kazooUrl}"`);
    }
  }
  const listedCorsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const corsOrigins =
    listedCorsOrigins.length > 0 ? listedCorsOrigins : kazooUrl === undefined ? [...LOCAL_DEV_ORIGINS] : [];
  const corsAllowCredentials = boolean(env, 'CORS_ALLOW_CREDENTIALS', false);
  const corsProblem = corsOriginsProblem(corsOrigins, corsAllowCredentials);
  if (corsProblem !== undefined) throw new ConfigError(`CORS_ORIGINS: ${corsProblem}`);
  const production = env.NODE_ENV?.trim() === 'production';
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as GatewayConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const maxQueryCost = integer(env, 'MAX_QUERY_COST', DEFAULT_OPERATION_LIMITS.maxCost, 1, 1_000_000);
  const costLimitPerSecond = integer(env, 'COST_LIMIT_PER_SECOND', DEFAULT_COST_PER_SECOND, 0, 1_000_000);
  const costLimitBurst = integer(env, 'COST_LIMIT_BURST', DEFAULT_COST_BURST, 1, 1_000_000);
  // An operation costing more than a full bucket would take the whole bucket and still exceed it: say so at start.
  if (costLimitPerSecond > 0 && maxQueryCost > costLimitBurst) {
    throw new ConfigError(
      `MAX_QUERY_COST (${maxQueryCost}) must not exceed COST_LIMIT_BURST (${costLimitBurst}): an operation may not cost more Kazoo calls than a full bucket holds`,
    );
  }
  return {
    kazooUrl,
    port: integer(env, 'PORT', 4000, 0, 65_535),
    host: env.HOST?.trim() || undefined,
    kazooTimeoutMs: integer(env, 'KAZOO_TIMEOUT_MS', 10_000, 100, 600_000),
    logLevel,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1_024, 104_857_600),
    // Apollo's own default: a production schema is not handed to anyone who asks.
    introspection: boolean(env, 'INTROSPECTION', !production),
    graphiql: boolean(env, 'GRAPHIQL', !production),
    maxQueryDepth: integer(env, 'MAX_QUERY_DEPTH', DEFAULT_OPERATION_LIMITS.maxDepth, 2, 100),
    maxQueryAliases: integer(env, 'MAX_QUERY_ALIASES', DEFAULT_OPERATION_LIMITS.maxAliases, 0, 10_000),
    maxQueryCost,
    maxQueryTokens: integer(env, 'MAX_QUERY_TOKENS', DEFAULT_MAX_QUERY_TOKENS, 500, 1_000_000),
    batchedRequests: boolean(env, 'BATCHED_REQUESTS', false),
    maxBatchSize: integer(env, 'MAX_BATCH_SIZE', DEFAULT_MAX_BATCH_SIZE, 1, 1_000),
    rateLimitPerSecond: integer(env, 'RATE_LIMIT_PER_SECOND', DEFAULT_REQUESTS_PER_SECOND, 0, 1_000_000),
    rateLimitBurst: integer(env, 'RATE_LIMIT_BURST', DEFAULT_REQUEST_BURST, 1, 1_000_000),
    costLimitPerSecond,
    costLimitBurst,
    trustProxyHops: integer(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    corsOrigins,
    corsAllowCredentials,
    metricsEnabled: boolean(env, 'METRICS_ENABLED', true),
    circuitBreakerFailures: integer(env, 'CIRCUIT_BREAKER_FAILURES', DEFAULT_CIRCUIT_BREAKER.failureThreshold, 1, 10_000),
    circuitBreakerOpenMs: integer(env, 'CIRCUIT_BREAKER_OPEN_MS', DEFAULT_CIRCUIT_BREAKER.openMs, 100, 600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 15_000, 1_000, 600_000),
    registrationPollMs: integer(env, 'REGISTRATION_POLL_MS', DEFAULT_REGISTRATION_POLL_MS, 50, 3_600_000),
    documentPollMs: integer(env, 'DOCUMENT_POLL_MS', DEFAULT_DOCUMENT_POLL_MS, 50, 3_600_000),
    kazooAmqpUrl: amqpUrl(env),
    reconcileMs: integer(env, 'REGISTRATION_RECONCILE_MS', DEFAULT_RECONCILE_MS, 1_000, 86_400_000),
    expiryGraceMs: integer(env, 'REGISTRATION_EXPIRY_GRACE_MS', DEFAULT_EXPIRY_GRACE_MS, 0, 3_600_000),
    subscriptionQueueSize: integer(env, 'SUBSCRIPTION_QUEUE_SIZE', DEFAULT_SUBSCRIPTION_QUEUE_SIZE, 1, 1_000_000),
    maxSubscriptionsPerConnection: integer(env, 'MAX_SUBSCRIPTIONS_PER_CONNECTION', DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION, 1, 10_000),
    maxConnectionsPerAddress: integer(env, 'MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 0, 1_000_000),
    maxConnectionsPerToken: integer(env, 'MAX_CONNECTIONS_PER_TOKEN', DEFAULT_MAX_CONNECTIONS_PER_TOKEN, 0, 1_000_000),
    redisUrl: redisUrl(env),
    redisKeyPrefix: redisKeyPrefix(env),
    redisLeaseMs: integer(env, 'REDIS_LEASE_MS', DEFAULT_REDIS_LEASE_MS, 100, 600_000),
    serviceLogin: serviceLogin(env),
    cursorSecret: cursorSecret(env),
    ...trustedDocuments(env),
  };
}

/** KAZOO_AMQP_URL, checked now: a typo should stop start-up, not leave the gateway polling without a word. */
function amqpUrl(env: Env): string | undefined {
  const value = env.KAZOO_AMQP_URL?.trim() || undefined;
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError('KAZOO_AMQP_URL must be a URL such as amqp://guest:guest@kazoo-rabbit:5672');
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ConfigError(`KAZOO_AMQP_URL must start with amqp:// or amqps:// (got ${parsed.protocol}//)`);
  }
  return value;
}

/** TRUSTED_DOCUMENTS read and checked now: a bad manifest stops start-up rather than refusing every client later. */
function trustedDocuments(env: Env): Pick<GatewayConfig, 'trustedDocuments' | 'trustedDocumentsOnly'> {
  const path = env.TRUSTED_DOCUMENTS?.trim() || undefined;
  const only = boolean(env, 'TRUSTED_DOCUMENTS_ONLY', false);
  if (path === undefined) {
    if (only) throw new ConfigError('TRUSTED_DOCUMENTS_ONLY needs TRUSTED_DOCUMENTS, the manifest of the documents to allow');
    return { trustedDocuments: undefined, trustedDocumentsOnly: false };
  }
  try {
    return { trustedDocuments: readTrustedDocuments(path), trustedDocumentsOnly: only };
  } catch (error) {
    if (error instanceof TrustedDocumentsError) throw new ConfigError(`TRUSTED_DOCUMENTS: ${error.message}`);
    throw error;
  }
}

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL?.trim() || undefined;
  if (raw === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError('REDIS_URL must be a URL such as redis://127.0.0.1:6379');
  }
  // The URL may hold a password: it is not repeated in the message.
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new ConfigError('REDIS_URL must use redis:// or rediss://');
  return raw;
}

function redisKeyPrefix(env: Env): string {
  const raw = env.REDIS_KEY_PREFIX;
  if (raw === undefined || raw === '') return DEFAULT_REDIS_KEY_PREFIX;
  if (raw.length > 100 || /\s/.test(raw)) {
    throw new ConfigError(`REDIS_KEY_PREFIX must be up to 100 characters without spaces, got "${raw}"`);
  }
  return raw;
}

/** Long enough to be a real key. Used as given (not trimmed), and never repeated in a message. */
function cursorSecret(env: Env): string | undefined {
  const raw = env.CURSOR_SECRET;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < MIN_CURSOR_SECRET_LENGTH) {
    throw new ConfigError(`CURSOR_SECRET must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (it has ${raw.length})`);
  }
  return raw;
}

/** KAZOO_API_KEY, or all of KAZOO_USERNAME, KAZOO_PASSWORD and KAZOO_ACCOUNT_NAME; never both, never a part. */
function serviceLogin(env: Env): ServiceLogin | undefined {
  const apiKey = env.KAZOO_API_KEY?.trim() || undefined;
  const username = env.KAZOO_USERNAME?.trim() || undefined;
  const password = env.KAZOO_PASSWORD || undefined;
  const accountName = env.KAZOO_ACCOUNT_NAME?.trim() || undefined;
  const credentials = [username, password, accountName];
  const someCredentials = credentials.some((value) => value !== undefined);
  if (apiKey !== undefined && someCredentials) {
    throw new ConfigError('Set either KAZOO_API_KEY or KAZOO_USERNAME + KAZOO_PASSWORD + KAZOO_ACCOUNT_NAME, not both');
  }
  if (apiKey !== undefined) return { apiKey };
  if (!someCredentials) return undefined;
  if (username === undefined || password === undefined || accountName === undefined) {
    throw new ConfigError('KAZOO_USERNAME, KAZOO_PASSWORD and KAZOO_ACCOUNT_NAME must be set together');
  }
  return { username, password, accountName };
}
