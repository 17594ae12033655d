// Simulator-only: Crossbar's token buckets (§8) — 429 once the bucket is empty, quickcall costs two tokens.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RateLimiter } from '../../src/simulator/rate-limit.js';
import { accountPath, apiToken, call, describeSimulatorOnly, simOf, startTarget, type Target } from './helpers.js';

describeSimulatorOnly('rate limiting', () => {
  let target: Target;
  let token: string;

  beforeAll(async () => {
    // a slow refill keeps the arithmetic exact within the test
    target = await startTarget({ rateLimit: { capacity: 6, refillPerSecond: 0.01 } });
    token = simOf(target).control.issueToken(target.accountId);
  });
  afterAll(async () => {
    await target.close();
  });

  it('answers 429 too_many_requests once the bucket of the (client, account) is empty', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await call(target, 'GET', accountPath(target), { token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const limited = await call(target, 'GET', accountPath(target, '/devices'), { token });
    expect(limited.body).toMatchObject({ error: '429', message: 'too_many_requests', data: { message: 'too many requests' } });
  });

  it('a quickcall costs two tokens', async () => {
    simOf(target).control.setRateLimit({ capacity: 5, refillPerSecond: 0.01 });
    const devices = await call(target, 'GET', accountPath(target, '/devices?filter_device_type=softphone&paginate=false'), { token });
    const deviceId = devices.body.data[0].id as string;
    const quickcall = () => call(target, 'GET', accountPath(target, `/devices/${deviceId}/quickcall/1000`), { token });
    expect((await quickcall()).status).toBe(200); // 5 - 1 (listing) - 2 = 2 left
    expect((await quickcall()).status).toBe(200); // 0 left
    expect((await quickcall()).status).toBe(429);
  });

  it('the bucket refills as time passes (its own clock, no sleeping)', () => {
    const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 50, quickcallCost: 2 });
    expect([0, 0, 0].map((at) => limiter.consume('192.0.2.1', target.accountId, 1, at))).toEqual([true, true, false]);
    // 50 a second: one token back after 20 ms, none before.
    expect(limiter.consume('192.0.2.1', target.accountId, 1, 19)).toBe(false);
    expect(limiter.consume('192.0.2.1', target.accountId, 1, 40)).toBe(true);
    // Buckets are per client address.
    expect(limiter.consume('192.0.2.2', target.accountId, 1, 40)).toBe(true);
  });

  it('setRateLimit(false) turns limiting off', async () => {
    const sim = simOf(target);
    sim.control.setRateLimit({ capacity: 2, refillPerSecond: 0.01 });
    await call(target, 'GET', accountPath(target), { token });
    await call(target, 'GET', accountPath(target), { token });
    expect((await call(target, 'GET', accountPath(target), { token })).status).toBe(429);
    sim.control.setRateLimit(false);
    for (let i = 0; i < 20; i += 1) expect((await call(target, 'GET', accountPath(target), { token })).status).toBe(200);
  });

  it('is on by default with 100 tokens', async () => {
    const fresh = await startTarget();
    try {
      const freshToken = await apiToken(fresh);
      const statuses: number[] = [];
      for (let batch = 0; batch < 6; batch += 1) {
        const results = await Promise.all(Array.from({ length: 25 }, () => call(fresh, 'GET', accountPath(fresh), { token: freshToken })));
        statuses.push(...results.map((result) => result.status));
      }
      // 150 requests against 100 tokens refilled at 10/s: the first 100 pass, some of the rest are refused
      expect(statuses.slice(0, 100).every((status) => status === 200)).toBe(true);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });
});
