// Per-token request rate at the gateway: a token bucket per Kazoo token (other requests share a bucket per client
// address), so one client cannot monopolise the gateway or, through it, Kazoo's per-account rate limit that all
// callers share. A token gets a bucket of its own only once Kazoo has accepted it (`tokenAccepted`): a token the
// gateway has never seen work is just a string the client chose, and a fresh random one per request would otherwise
// escape the per-address limit (and let password guesses through to Kazoo). Buckets are keyed by a hash of the token,
// never the token itself. A refused HTTP request gets 429, `Retry-After` and a GraphQL error `RATE_LIMITED` with
// `retryAfterMs`, before its body is even read; WebSocket operations are charged to the same buckets
// (use-graphql-ws.ts).
// Behind proxies the socket's address is the nearest proxy's: `trustedProxyHops` says how many proxies in front of
// the gateway append to X-Forwarded-For, and the client is the address the farthest trusted one saw. Entries beyond
// those hops were written by the client itself and are never believed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenFromHeaders } from '../graphql/context.js';
import { tokenHash } from '../kazoo/token.js';

export interface RateLimitOptions {
  /** Sustained requests per second per token. */
  requestsPerSecond: number;
  /** Requests a token may make at once after being idle. */
  burst: number;
  /** Buckets kept at most; idle (full) buckets are dropped first, then the least recently used. */
  maxKeys?: number;
  /** Proxies in front of the gateway that append the address they saw to X-Forwarded-For (default 0: none). */
  trustedProxyHops?: number;
  /** Whether Kazoo accepted this token recently (KazooClient.tokenVerdict); others are limited by address. */
  tokenAccepted: (token: string) => boolean;
  now?: () => number;
  onLimited?: () => void;
}

type Handler = (request: IncomingMessage, response: ServerResponse, requestId: string) => void | Promise<void>;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const DEFAULT_MAX_KEYS = 50_000;
const TOKEN_KEY_PREFIX = 'token:';

type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** How a bucket stands: whole requests it allows right now, at most `burst`, given back at `requestsPerSecond`. */
export interface RateStanding {
  available: number;
  burst: number;
  requestsPerSecond: number;
}

export interface RateLimiter {
  /** The bucket an HTTP request (or WebSocket upgrade) is charged to. */
  keyOf(request: IncomingMessage): string;
  /**
   * Takes `amount` (default 1) from a bucket; how long to wait when it holds less. An amount above the burst takes a
   * full bucket: it can never hold more.
   */
  take(key: string, amount?: number): RateDecision;
  /** Wraps a route: refused requests are answered with 429 and never reach it. */
  guard(handler: Handler): Handler;
  /**
   * A bucket as it stands, without charging it or refreshing its place among the kept buckets; undefined for an
   * address's bucket (only a token's own is worth reporting to its client).
   */
  standing(key: string): RateStanding | undefined;
}

/** The bucket of a token Kazoo accepted (a WebSocket connection's, checked with token_auth when it connected). */
export function tokenBucketKey(token: string): string {
  return `${TOKEN_KEY_PREFIX}${tokenHash(token)}`;
}

/** Each request's key, once: the request guard and the operation's caller (cost rate limit) both ask for it. */
const keysByRequest = new WeakMap<IncomingMessage, string>();

export function rateLimitKey(
  request: IncomingMessage,
  tokenAccepted: (token: string) => boolean,
  trustedProxyHops = 0,
): string {
  let key = keysByRequest.get(request);
  if (key === undefined) {
    const token = tokenFromHeaders(request.headers);
    key = token !== undefined && tokenAccepted(token) ? tokenBucketKey(token) : `address:${clientAddress(request, trustedProxyHops)}`;
    keysByRequest.set(request, key);
  }
  return key;
}

/**
 * The client's address: the socket's peer, or with trusted proxies the X-Forwarded-For entry the farthest trusted
 * proxy appended (each proxy appends the address it was reached from; the socket's peer is the nearest proxy).
 */
export function clientAddress(request: IncomingMessage, trustedProxyHops: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, peer];
  // Fewer entries than trusted hops: the request did not come through them all; the first address is the best known.
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)] ?? peer;
}

export function useRateLimit(options: RateLimitOptions): RateLimiter {
  if (!(options.requestsPerSecond > 0) || !(options.burst >= 1)) {
    throw new Error('Rate limiting needs requestsPerSecond > 0 and burst >= 1');
  }
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  // Map order is recency order: a bucket is re-inserted whenever it is used.
  const buckets = new Map<string, Bucket>();

  /** What a bucket holds at `at`, refilled since it was last used. */
  const tokensAt = (bucket: Bucket, at: number): number =>
    Math.min(options.burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * options.requestsPerSecond);

  const refill = (bucket: Bucket, at: number): void => {
    bucket.tokens = tokensAt(bucket, at);
    bucket.updatedAt = at;
  };

  const evict = (at: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= options.burst) buckets.delete(key);
    }
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  const keyOf: RateLimiter['keyOf'] = (request) => rateLimitKey(request, options.tokenAccepted, options.trustedProxyHops);

  const take: RateLimiter['take'] = (key, amount = 1) => {
    const wanted = Math.min(amount, options.burst);
    const at = now();
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= maxKeys) evict(at);
      bucket = { tokens: options.burst, updatedAt: at };
    } else {
      buckets.delete(key);
      refill(bucket, at);
    }
    buckets.set(key, bucket);
    if (bucket.tokens >= wanted) {
      bucket.tokens -= wanted;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((wanted - bucket.tokens) / options.requestsPerSecond) * 1000) };
  };

  const standing: RateLimiter['standing'] = (key) => {
    if (!key.startsWith(TOKEN_KEY_PREFIX)) return undefined;
    const bucket = buckets.get(key);
    const tokens = bucket === undefined ? options.burst : tokensAt(bucket, now());
    return { available: Math.floor(tokens), burst: options.burst, requestsPerSecond: options.requestsPerSecond };
  };

  return {
    keyOf,
    take,
    standing,
    guard(handler) {
      return (request, response, requestId) => {
        const decision = take(keyOf(request));
        if (decision.allowed) return handler(request, response, requestId);
        options.onLimited?.();
        sendRateLimited(response, decision.retryAfterMs);
      };
    },
  };
}

function sendRateLimited(response: ServerResponse, retryAfterMs: number): void {
  response.statusCode = 429;
  response.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(
    JSON.stringify({
      errors: [
        {
          message: `Too many requests for this token; retry in ${Math.ceil(retryAfterMs / 100) / 10} s`,
          extensions: { code: 'RATE_LIMITED', retryAfterMs },
        },
      ],
    }),
  );
}
