// The gateway's own per-token rate limit: a token that sends too much gets 429 with Retry-After and RATE_LIMITED,
// without any of it reaching Kazoo, while other tokens are served as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ gateway: { rateLimit: { requestsPerSecond: 0.5, burst: 3 } } });
});
afterAll(() => harness.close());

describe('per-token request rate', () => {
  it('refuses a token over its rate with 429, Retry-After and RATE_LIMITED, and serves other tokens', async () => {
    const query = '{ viewer { accountId } }';
    // Until Kazoo has accepted a token, its requests are charged to the client's address; from then on, to the token.
    expect((await harness.graphql(query)).errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await harness.graphql(query)).errors).toBeUndefined();
    harness.simulator.control.resetRequests();

    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } }],
    });
    expect(harness.simulator.control.requests).toHaveLength(0);

    // Its own lifetime makes it differ from the harness token even when both are issued in the same second.
    const otherToken = harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 7_200 });
    expect((await harness.graphql(query, {}, { token: otherToken })).errors).toBeUndefined();

    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^kazoo_gateway_rate_limited_requests_total 1$/m);
  });

  it('does not limit the health and metrics routes', async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${harness.gateway.url}/healthz`)).status).toBe(200);
  });
});

describe('requests without a token behind a trusted proxy', () => {
  it('are limited per client the proxy forwarded for, not all together as the proxy', async () => {
    const behindProxy = await startHarness({ gateway: { rateLimit: { requestsPerSecond: 0.5, burst: 1, trustedProxyHops: 1 } } });
    try {
      const status = async (forwardedFor: string) =>
        (await behindProxy.graphql('{ __typename }', {}, { token: null, headers: { 'x-forwarded-for': forwardedFor } })).status;
      expect(await status('198.51.100.7')).toBe(200);
      expect(await status('198.51.100.8')).toBe(200);
      // A client cannot escape its bucket by writing addresses of its own in front.
      expect(await status('192.0.2.1, 198.51.100.7')).toBe(429);
    } finally {
      await behindProxy.close();
    }
  });
});
