import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, rateLimitKey, tokenBucketKey, useRateLimit } from './use-rate-limit.js';
import type { RateLimitOptions } from './use-rate-limit.js';

/** Tokens Kazoo has accepted in these tests; any other token is a string the client made up. */
const ACCEPTED = new Set(['token-a', 'token-b', 'busy', 'idle', 'newcomer', 'secret-token-value']);
const tokenAccepted = (token: string): boolean => ACCEPTED.has(token);

function limiterWith(options: Omit<RateLimitOptions, 'tokenAccepted'>) {
  const limiter = useRateLimit({ ...options, tokenAccepted });
  return { take: (caller: IncomingMessage) => limiter.take(limiter.keyOf(caller)) };
}

function request(headers: Record<string, string>, remoteAddress = '192.0.2.1'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('per-token rate limit', () => {
  it('allows a burst, then one request per refill interval', () => {
    let now = 0;
    const limiter = limiterWith({ requestsPerSecond: 2, burst: 3, now: () => now });
    const caller = request({ 'x-auth-token': 'token-a' });
    expect([1, 2, 3].map(() => limiter.take(caller).allowed)).toEqual([true, true, true]);
    expect(limiter.take(caller)).toEqual({ allowed: false, retryAfterMs: 500 });
    now += 500;
    expect(limiter.take(caller).allowed).toBe(true);
    expect(limiter.take(caller).allowed).toBe(false);
  });

  it("tells how a token's bucket stands, refilling with time, without charging it", () => {
    let now = 0;
    const limiter = useRateLimit({ requestsPerSecond: 2, burst: 3, now: () => now, tokenAccepted });
    const caller = request({ 'x-auth-token': 'token-a' });
    expect(limiter.standing(tokenBucketKey('token-a'))).toEqual({ available: 3, burst: 3, requestsPerSecond: 2 });
    limiter.take(limiter.keyOf(caller));
    limiter.take(limiter.keyOf(caller));
    expect(limiter.standing(tokenBucketKey('token-a'))).toEqual({ available: 1, burst: 3, requestsPerSecond: 2 });
    // Asking again takes nothing.
    expect(limiter.standing(tokenBucketKey('token-a'))?.available).toBe(1);
    now += 250;
    expect(limiter.standing(tokenBucketKey('token-a'))?.available).toBe(1);
    now += 250;
    expect(limiter.standing(tokenBucketKey('token-a'))?.available).toBe(2);
    // A token Kazoo has not accepted has no bucket of its own: its requests are charged to its address, whose
    // bucket is not reported.
    expect(limiter.keyOf(request({ 'x-auth-token': 'made-up' }))).toBe('address:192.0.2.1');
    expect(limiter.standing('address:192.0.2.1')).toBeUndefined();
  });

  it('takes an amount at once (a cost), and an amount above the burst takes a full bucket', () => {
    let now = 0;
    const limiter = useRateLimit({ requestsPerSecond: 10, burst: 100, now: () => now, tokenAccepted });
    const key = tokenBucketKey('token-a');
    expect(limiter.take(key, 60)).toEqual({ allowed: true });
    expect(limiter.take(key, 60)).toEqual({ allowed: false, retryAfterMs: 2_000 });
    expect(limiter.take(key, 0)).toEqual({ allowed: true });
    now += 2_000;
    expect(limiter.take(key, 60)).toEqual({ allowed: true });
    now += 10_000;
    expect(limiter.take(key, 250)).toEqual({ allowed: true });
    expect(limiter.standing(key)?.available).toBe(0);
  });

  it('gives each token its own bucket, whichever header carries it', () => {
    const limiter = limiterWith({ requestsPerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take(request({ 'x-auth-token': 'token-a' })).allowed).toBe(true);
    expect(limiter.take(request({ authorization: 'Bearer token-a' })).allowed).toBe(false);
    expect(limiter.take(request({ 'x-auth-token': 'token-b' })).allowed).toBe(true);
  });

  it('keys requests without a token by client address', () => {
    const limiter = limiterWith({ requestsPerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take(request({}, '192.0.2.1')).allowed).toBe(true);
    expect(limiter.take(request({}, '192.0.2.1')).allowed).toBe(false);
    expect(limiter.take(request({}, '192.0.2.2')).allowed).toBe(true);
  });

  it('keys by a hash of the token, never the token itself', () => {
    const key = rateLimitKey(request({ 'x-auth-token': 'secret-token-value' }), tokenAccepted);
    expect(key).not.toContain('secret-token-value');
    expect(key).toMatch(/^token:[A-Za-z0-9_-]{43}$/);
  });

  it('keeps at most maxKeys buckets, dropping idle ones first', () => {
    let now = 0;
    const limiter = limiterWith({ requestsPerSecond: 1, burst: 2, maxKeys: 2, now: () => now });
    const busy = request({ 'x-auth-token': 'busy' });
    limiter.take(busy);
    limiter.take(busy);
    limiter.take(request({ 'x-auth-token': 'idle' }));
    now += 1_000;
    limiter.take(request({ 'x-auth-token': 'newcomer' }));
    // `busy` (still short of a full bucket after 1 s) kept its state; `idle` (full again) made room.
    expect(limiter.take(busy).allowed).toBe(true);
    expect(limiter.take(busy).allowed).toBe(false);
  });

  it('believes X-Forwarded-For only as far as the trusted proxies go', () => {
    const behindTwo = request({ 'x-forwarded-for': '203.0.113.9, 198.51.100.7, 10.0.0.5' }, '10.0.0.2');
    // No trusted proxy: the header is the client's to write, so it is ignored.
    expect(clientAddress(behindTwo, 0)).toBe('10.0.0.2');
    expect(clientAddress(behindTwo, 1)).toBe('10.0.0.5');
    expect(clientAddress(behindTwo, 2)).toBe('198.51.100.7');
    // Fewer entries than trusted hops: the first address known.
    expect(clientAddress(request({ 'x-forwarded-for': '198.51.100.7' }, '10.0.0.2'), 5)).toBe('198.51.100.7');
    expect(clientAddress(request({}, '10.0.0.2'), 1)).toBe('10.0.0.2');
  });

  it('behind a trusted proxy, keys requests without a token by the client it forwarded for; a spoofed prefix changes nothing', () => {
    const limiter = limiterWith({ requestsPerSecond: 1, burst: 1, now: () => 0, trustedProxyHops: 1 });
    expect(limiter.take(request({ 'x-forwarded-for': '198.51.100.7' }, '10.0.0.2')).allowed).toBe(true);
    expect(limiter.take(request({ 'x-forwarded-for': '198.51.100.8' }, '10.0.0.2')).allowed).toBe(true);
    expect(limiter.take(request({ 'x-forwarded-for': '192.0.2.66, 198.51.100.7' }, '10.0.0.2')).allowed).toBe(false);
    expect(rateLimitKey(request({ 'x-forwarded-for': '198.51.100.7' }, '10.0.0.2'), tokenAccepted)).toBe('address:10.0.0.2');
  });

  it('charges a token Kazoo has not accepted to its address, so a fresh random token per request gains nothing', () => {
    const limiter = limiterWith({ requestsPerSecond: 1, burst: 2, now: () => 0 });
    const made = (token: string) => request({ 'x-auth-token': token }, '192.0.2.9');
    expect([made('guess-1'), made('guess-2'), made('guess-3')].map((caller) => limiter.take(caller).allowed)).toEqual([true, true, false]);
    // The address's other clients share that bucket; an accepted token keeps its own.
    expect(limiter.take(request({}, '192.0.2.9')).allowed).toBe(false);
    expect(limiter.take(request({ 'x-auth-token': 'token-a' }, '192.0.2.9')).allowed).toBe(true);
  });
});
