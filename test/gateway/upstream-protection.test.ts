// Upstream protection: identical concurrent reads for one token share one Crossbar call (never across tokens, never
// for quickcall or writes), and a circuit breaker stops calling a Kazoo that keeps failing, fails fast with
// UPSTREAM_UNAVAILABLE, takes the instance out of rotation (/readyz) and closes again once Kazoo answers. The
// breaker's open period and retry delays pass on the client's clock (test/helpers/clock.ts), without waiting.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skippingClock } from '../helpers/clock.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

const DEVICES = 'query($a: ID!) { devices(accountId: $a, first: 5) { nodes { id: kazooId name } } }';

async function metric(harness: Harness, line: string): Promise<number | undefined> {
  const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('coalescing identical reads', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterEach(() => harness.simulator.control.setFault(null));
  afterAll(() => harness.close());

  const listCalls = (): number => harness.simulator.control.requests.filter((request) => request.path.endsWith('/devices')).length;

  it('concurrent identical queries with one token cost Kazoo one listing call', async () => {
    harness.simulator.control.setFault({ kind: 'delay', ms: 1_000 }, { match: { pathIncludes: '/devices' } });
    harness.simulator.control.resetRequests();
    const results = await Promise.all(Array.from({ length: 5 }, () => harness.graphql(DEVICES, { a: harness.accountId })));
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(new Set(results.map((result) => JSON.stringify(result.data))).size).toBe(1);
    expect(listCalls()).toBe(1);
    expect(await metric(harness, 'kazoo_gateway_upstream_coalesced_total{route="/v2/accounts/{id}/devices"}')).toBe(4);
  });

  it('never shares a read between two tokens', async () => {
    // Its own lifetime makes it differ from the harness token even when both are issued in the same second.
    const otherToken = harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 7_200 });
    harness.simulator.control.setFault({ kind: 'delay', ms: 1_000 }, { match: { pathIncludes: '/devices' } });
    harness.simulator.control.resetRequests();
    const results = await Promise.all([
      harness.graphql(DEVICES, { a: harness.accountId }),
      harness.graphql(DEVICES, { a: harness.accountId }, { token: otherToken }),
    ]);
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(listCalls()).toBe(2);
  });

  it('never coalesces quickcalls or writes', async () => {
    const devices = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(DEVICES, { a: harness.accountId });
    const id = devices.data?.devices.nodes[0]?.id;
    harness.simulator.control.setFault({ kind: 'delay', ms: 1_000 }, { match: { pathIncludes: `/devices/${id}` } });
    harness.simulator.control.resetRequests();
    const quickcall = 'mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "1000") { call { accepted } } }';
    const update = 'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { kazooId } } }';
    await Promise.all([
      harness.graphql(quickcall, { a: harness.accountId, id }),
      harness.graphql(quickcall, { a: harness.accountId, id }),
      harness.graphql(update, { a: harness.accountId, id }),
      harness.graphql(update, { a: harness.accountId, id }),
    ]);
    const sent = harness.simulator.control.requests;
    expect(sent.filter((request) => request.path.includes('/quickcall/'))).toHaveLength(2);
    expect(sent.filter((request) => request.method === 'PATCH')).toHaveLength(2);
  });
});

describe('the circuit breaker', () => {
  let harness: Harness;
  const clock = skippingClock();
  beforeAll(async () => {
    harness = await startHarness({
      gateway: { kazooTimeoutMs: 2_000, circuitBreaker: { failureThreshold: 3, openMs: 1_000 }, kazooClock: clock },
    });
  });
  afterEach(() => harness.simulator.control.setFault(null));
  afterAll(() => harness.close());

  it('opens after repeated failures, answers UPSTREAM_UNAVAILABLE without calling Kazoo, and closes once Kazoo answers', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 });
    // One read: three failed attempts (two retries), the threshold.
    const failing = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(failing)).toEqual(['UPSTREAM_UNAVAILABLE']);

    harness.simulator.control.resetRequests();
    const fastFailed = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(fastFailed)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(harness.simulator.control.requests).toHaveLength(0);
    const ready = await fetch(`${harness.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reason: expect.stringMatching(/circuit breaker is open/) });
    expect(await metric(harness, 'kazoo_gateway_circuit_breaker_state{state="open"}')).toBe(1);
    expect(await metric(harness, 'kazoo_gateway_upstream_circuit_rejected_total{route="/v2/accounts/{id}/devices"}')).toBe(1);

    harness.simulator.control.setFault(null);
    clock.advance(1_000);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    expect(await metric(harness, 'kazoo_gateway_circuit_breaker_state{state="closed"}')).toBe(1);
    const recovered = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(recovered.errors).toBeUndefined();
  });

  it('a failed probe keeps it open', async () => {
    harness.simulator.control.setFault({ kind: 'refuse' });
    await harness.graphql(DEVICES, { a: harness.accountId });
    expect(await metric(harness, 'kazoo_gateway_circuit_breaker_state{state="open"}')).toBe(1);
    // Once the open period is over, the next call is the probe; Kazoo still refuses it.
    clock.advance(1_000);
    harness.simulator.control.resetRequests();
    const probed = await harness.graphql(DEVICES, { a: harness.accountId });
    expect(errorCodes(probed)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(harness.simulator.control.requests.length).toBeLessThanOrEqual(1);
    expect(await metric(harness, 'kazoo_gateway_circuit_breaker_state{state="open"}')).toBe(1);
    harness.simulator.control.setFault(null);
    clock.advance(1_000);
    expect((await harness.graphql(DEVICES, { a: harness.accountId })).errors).toBeUndefined();
  });

  it('Kazoo answering with client errors or 429 does not open it', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 404 });
    for (let i = 0; i < 4; i++) await harness.graphql(DEVICES, { a: harness.accountId });
    harness.simulator.control.setFault({ kind: 'status', status: 429 });
    for (let i = 0; i < 3; i++) await harness.graphql('mutation { loginWithApiKey(apiKey: "x") { accessToken { token } } }');
    expect(await metric(harness, 'kazoo_gateway_circuit_breaker_state{state="closed"}')).toBe(1);
  });
});
