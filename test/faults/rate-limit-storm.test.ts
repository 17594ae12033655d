// A 429 storm: many callers of one account against a Kazoo that rate-limits hard. Every caller gets either its data
// or RATE_LIMITED with a retry hint (never another code), the breaker is not tripped by 429s (Kazoo is up), and
// once Kazoo's bucket refills the gateway serves again without a restart. The gateway's back-off waits pass on its
// client's clock (test/helpers/clock.ts): the storm and the recovery take no waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELEASE_SPREAD_MS, MAX_WAIT_MS } from '../../src/kazoo/backoff.js';
import { skippingClock } from '../helpers/clock.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
const clock = skippingClock();

beforeAll(async () => {
  harness = await startHarness({ gateway: { kazooTimeoutMs: 2_000, circuitBreaker: { failureThreshold: 3 }, kazooClock: clock } });
});
afterAll(() => harness.close());

describe('429 storm', () => {
  it('answers every caller with data or RATE_LIMITED, keeps the breaker closed, and recovers', async () => {
    const tokens = [
      harness.token,
      harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 1_800 }),
      harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 2_700 }),
    ];
    harness.simulator.control.setRateLimit({ capacity: 5, refillPerSecond: 1 });
    // Distinct queries, so coalescing does not shrink the storm.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        harness.graphql('query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { id } } }', { a: harness.accountId, n: index + 1 }, {
          token: tokens[index % tokens.length] ?? null,
        }),
      ),
    );
    const outcomes = results.map((result) => errorCodes(result)[0] ?? 'ok');
    expect(new Set(outcomes)).toEqual(new Set(['ok', 'RATE_LIMITED']));
    for (const result of results.filter((candidate) => candidate.errors !== undefined)) {
      expect(result.errors?.[0]?.extensions?.retryAfterMs).toEqual(expect.any(Number));
      expect(result.status).toBe(200);
    }
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toContain('kazoo_gateway_circuit_breaker_state{state="closed"} 1');
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);

    harness.simulator.control.setRateLimit(false);
    clock.advance(MAX_WAIT_MS + MAX_RELEASE_SPREAD_MS);
    const recovered = await harness.graphql('query($a: ID!) { devices(accountId: $a, first: 1) { nodes { id } } }', { a: harness.accountId });
    expect(recovered.errors).toBeUndefined();
  });
});
