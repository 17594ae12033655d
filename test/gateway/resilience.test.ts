// How the gateway behaves when Kazoo misbehaves: retried reads, never-retried writes and calls, deadlines,
// rate limits and unreadable answers, each reported with a stable code and no upstream text. Retry delays and
// back-offs are skipped by the client's clock (test/helpers/clock.ts); only the deadlines of calls run in real time.
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';
import { skippingClock } from '../helpers/clock.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  // The circuit breaker has its own tests (upstream-protection.test.ts); here it would open after a few of these
  // failures and answer the later tests for them.
  harness = await startHarness({
    gateway: { kazooTimeoutMs: 1_500, circuitBreaker: { failureThreshold: 1_000 }, kazooClock: skippingClock() },
  });
});
afterEach(() => {
  harness.simulator.control.setFault(null);
  harness.simulator.control.setRateLimit(false);
});
afterAll(() => harness.close());

const DEVICES = 'query($a: ID!) { devices(accountId: $a, first: 5) { nodes { id: kazooId } } }';

async function firstDeviceId(): Promise<string> {
  const result = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(DEVICES, { a: harness.accountId });
  return result.data?.devices.nodes[0]?.id ?? '';
}

describe('retries', () => {
  it('a read survives one 503', async () => {
    harness.simulator.control.resetRequests();
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { times: 1, match: { pathIncludes: '/devices' } });
    const result = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(result.errors).toBeUndefined();
    const listCalls = harness.simulator.control.requests.filter((request) => request.path.endsWith('/devices'));
    expect(listCalls.map((request) => request.status)).toEqual([503, 200]);
  });

  it('a read survives a reset connection', async () => {
    harness.simulator.control.setFault({ kind: 'refuse' }, { times: 1, match: { pathIncludes: '/devices' } });
    const result = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(result.errors).toBeUndefined();
  });

  it('a quickcall is sent exactly once, even when Kazoo fails', async () => {
    const deviceId = await firstDeviceId();
    harness.simulator.control.resetRequests();
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/quickcall/' } });
    const result = await harness.graphql('mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "1000") { call { accepted } } }', {
      a: harness.accountId,
      id: deviceId,
    });
    expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(harness.simulator.control.requests.filter((request) => request.path.includes('/quickcall/'))).toHaveLength(1);
  });

  it('a write is never sent twice', async () => {
    const deviceId = await firstDeviceId();
    harness.simulator.control.resetRequests();
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { method: 'PATCH' } });
    const result = await harness.graphql('mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { kazooId } } }', {
      a: harness.accountId,
      id: deviceId,
    });
    expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(harness.simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });
});

describe('writes whose outcome is unknown', () => {
  const UPDATE = 'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { kazooId } } }';

  it('a write whose connection is reset after Kazoo received it is OUTCOME_UNKNOWN, sent once', async () => {
    const deviceId = await firstDeviceId();
    harness.simulator.control.resetRequests();
    harness.simulator.control.setFault({ kind: 'refuse' }, { match: { method: 'PATCH' } });
    const result = await harness.graphql(UPDATE, { a: harness.accountId, id: deviceId });
    expect(errorCodes(result)).toEqual(['OUTCOME_UNKNOWN']);
    expect(result.errors?.[0]?.message).toMatch(/the change may have been applied; read it back before retrying/);
    expect(harness.simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });

  it('a quickcall whose answer is unreadable is OUTCOME_UNKNOWN: the call may have been placed', async () => {
    const deviceId = await firstDeviceId();
    harness.simulator.control.setFault({ kind: 'malformed' }, { match: { pathIncludes: '/quickcall/' } });
    const result = await harness.graphql('mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "1000") { call { accepted } } }', {
      a: harness.accountId,
      id: deviceId,
    });
    expect(errorCodes(result)).toEqual(['OUTCOME_UNKNOWN']);
  });
});

describe('an upstream that fails', () => {
  it('a page whose registrations cannot be read reports UPSTREAM_UNAVAILABLE on the registration field', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/registrations' } });
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/devices/status' } });
    const result = await harness.graphql('query($a: ID!) { devices(accountId: $a, first: 3) { nodes { name registration { registered } } } }', {
      a: harness.accountId,
    });
    expect(new Set(errorCodes(result))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    expect(result.errors?.[0]?.path).toEqual(['devices', 'nodes', expect.any(Number), 'registration']);
  });

  it('a hanging Kazoo is answered with UPSTREAM_UNAVAILABLE once KAZOO_TIMEOUT_MS is spent', async () => {
    harness.simulator.control.setFault({ kind: 'hang' });
    const result = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(result.errors?.[0]?.message).toMatch(/1500 ms/);
  });

  it('a Kazoo that takes the readiness probe and never answers is not ready', async () => {
    harness.simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/token_auth' } });
    const ready = await fetch(`${harness.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
  });

  it('an HTML error page is reported without its text', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway nginx SECRET</body></html>' });
    const result = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(JSON.stringify(result)).not.toContain('SECRET');
  });

  it('a malformed JSON answer is UPSTREAM_UNAVAILABLE', async () => {
    harness.simulator.control.setFault({ kind: 'malformed' });
    const result = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('a Kazoo that refuses connections is UPSTREAM_UNAVAILABLE, and the process stays up', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const gateway = await startGateway({
      kazooUrl: `http://127.0.0.1:${closedPort}`,
      port: 0,
      host: '127.0.0.1',
      kazooTimeoutMs: 1_000,
      maxBodyBytes: 1_048_576,
      introspection: true,
      logger: createLogger('silent'),
    });
    try {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
        body: JSON.stringify({ query: '{ viewer { accountId } }' }),
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      // A write that could not connect certainly was not applied: UPSTREAM_UNAVAILABLE, not OUTCOME_UNKNOWN.
      const write = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
        body: JSON.stringify({
          query: 'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { kazooId } } }',
          variables: { a: harness.accountId, id: '0'.repeat(32) },
        }),
      });
      const written = (await write.json()) as { errors: { extensions: { code: string } }[] };
      expect(written.errors[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      const healthy = await fetch(`${gateway.url}/healthz`);
      expect(healthy.status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('every Kazoo failure has its code', () => {
  // What the client can fix (its input, the object it names, a concurrent change, charges to accept) is a userError
  // of the payload; what it cannot is a top-level error.
  it.each([
    [400, { userError: 'INVALID' }],
    [401, { error: 'UNAUTHENTICATED' }],
    [402, { userError: 'PAYMENT_REQUIRED' }],
    [403, { error: 'FORBIDDEN' }],
    [404, { userError: 'NOT_FOUND' }],
    [405, { error: 'UPSTREAM_REJECTED' }],
    [409, { userError: 'CONFLICT' }],
    [413, { error: 'UPSTREAM_REJECTED' }],
    [423, { error: 'FORBIDDEN' }],
    [429, { error: 'RATE_LIMITED' }],
    [500, { error: 'UPSTREAM_UNAVAILABLE' }],
    [503, { error: 'UPSTREAM_UNAVAILABLE' }],
  ])('Kazoo %i on a write becomes %j', async (status, expected) => {
    const deviceId = await firstDeviceId();
    // A token of its own: the client remembers a 401 or 403 for the token, which would answer the later tests.
    const token = harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 3_600 + status });
    harness.simulator.control.setFault({ kind: 'status', status }, { match: { method: 'PATCH' } });
    const result = await harness.graphql<{ updateDevice: { device: unknown; userErrors: { code: string }[] } }>(
      'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { kazooId } userErrors { code } } }',
      { a: harness.accountId, id: deviceId },
      { token },
    );
    if ('error' in expected) {
      expect(errorCodes(result)).toEqual([expected.error]);
      expect(result.data).toEqual({ updateDevice: null });
    } else {
      expect(result.errors).toBeUndefined();
      expect(result.data?.updateDevice).toEqual({ device: null, userErrors: [{ code: expected.userError }] });
    }
  });
});

describe('rate limits', () => {
  // Its own gateway: the back-off this test provokes would otherwise delay the tests after it.
  let limitedHarness: Harness;
  beforeAll(async () => {
    limitedHarness = await startHarness({ gateway: { kazooTimeoutMs: 1_500, kazooClock: skippingClock() } });
  });
  afterAll(() => limitedHarness.close());

  it("Kazoo's 429 becomes RATE_LIMITED with a retry hint, and requests during the back-off do not reach Kazoo", async () => {
    limitedHarness.simulator.control.setRateLimit({ capacity: 3, refillPerSecond: 0.01 });
    let limited = 0;
    while (limited < 2) {
      const result = await limitedHarness.graphql(DEVICES, { a: limitedHarness.accountId });
      if (errorCodes(result).includes('RATE_LIMITED')) {
        limited++;
        expect(result.errors?.[0]?.extensions?.retryAfterMs).toEqual(expect.any(Number));
      }
    }
    // Two 429s in a row push the back-off beyond this gateway's 1.5 s budget: the next request fails at once.
    const sentBefore = limitedHarness.simulator.control.requests.length;
    const result = await limitedHarness.graphql(DEVICES, { a: limitedHarness.accountId });
    expect(errorCodes(result)).toEqual(['RATE_LIMITED']);
    expect(limitedHarness.simulator.control.requests.length).toBe(sentBefore);
  });

  it('a back-off that would leave the call too little of its deadline is RATE_LIMITED at once, not a call doomed to time out', async () => {
    // 1.7 s of deadline, a quarter kept for the call. Kazoo keeps answering 429: the gateway waits 0.5 s and retries,
    // then would wait 1 s more and call with 0.2 s left (most likely a timeout: UPSTREAM_UNAVAILABLE, counted by the
    // circuit breaker). Instead it answers RATE_LIMITED after the second call.
    const tight = await startHarness({ gateway: { kazooTimeoutMs: 1_700, kazooClock: skippingClock() } });
    try {
      tight.simulator.control.setRateLimit({ capacity: 1, refillPerSecond: 0.01 });
      expect((await tight.graphql(DEVICES, { a: tight.accountId })).errors).toBeUndefined();
      const sentBefore = tight.simulator.control.requests.length;
      const result = await tight.graphql(DEVICES, { a: tight.accountId });
      expect(errorCodes(result)).toEqual(['RATE_LIMITED']);
      expect(tight.simulator.control.requests.slice(sentBefore).map((request) => request.status)).toEqual([429, 429]);
    } finally {
      await tight.close();
    }
  });
});
