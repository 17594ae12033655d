import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { rateLimitKey, useRateLimit } from './use-rate-limit.js';

function request(headers: Record<string, string>, remoteAddress = '192.0.2.1'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('per-token rate limit', () => {
  it('allows a burst, then one request per refill interval', () => {
    let now = 0;
    const limiter = useRateLimit({ requestsPerSecond: 2, burst: 3, now: () => now });
    const caller = request({ 'x-auth-token': 'token-a' });
    expect([1, 2, 3].map(() => limiter.take(caller).allowed)).toEqual([true, true, true]);
    expect(limiter.take(caller)).toEqual({ allowed: false, retryAfterMs: 500 });
    now += 500;
    expect(limiter.take(caller).allowed).toBe(true);
    expect(limiter.take(caller).allowed).toBe(false);
  });

  it('gives each token its own bucket, whichever header carries it', () => {
    const limiter = useRateLimit({ requestsPerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take(request({ 'x-auth-token': 'token-a' })).allowed).toBe(true);
    expect(limiter.take(request({ authorization: 'Bearer token-a' })).allowed).toBe(false);
    expect(limiter.take(request({ 'x-auth-token': 'token-b' })).allowed).toBe(true);
  });

  it('keys requests without a token by client address', () => {
    const limiter = useRateLimit({ requestsPerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take(request({}, '192.0.2.1')).allowed).toBe(true);
    expect(limiter.take(request({}, '192.0.2.1')).allowed).toBe(false);
    expect(limiter.take(request({}, '192.0.2.2')).allowed).toBe(true);
  });

  it('keys by a hash of the token, never the token itself', () => {
    const key = rateLimitKey(request({ 'x-auth-token': 'secret-token-value' }));
    expect(key).not.toContain('secret-token-value');
    expect(key).toMatch(/^token:[A-Za-z0-9_-]{43}$/);
  });

  it('keeps at most maxKeys buckets, dropping idle ones first', () => {
    let now = 0;
    const limiter = useRateLimit({ requestsPerSecond: 1, burst: 2, maxKeys: 2, now: () => now });
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
});
