// A slow Kazoo: answers within the budget are awaited; beyond it the caller gets UPSTREAM_UNAVAILABLE once
// KAZOO_TIMEOUT_MS is spent (OUTCOME_UNKNOWN for a write Kazoo received, as it may still apply it), health routes keep answering meanwhile, repeated timeouts open the circuit breaker
// (later calls fail at once instead of queueing), and everything recovers when Kazoo speeds up again. Kazoo's
// slowness and the call deadlines are real time; the breaker's open period passes on the client's clock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skippingClock } from '../helpers/clock.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { waitFor } from './gateway-process.js';

let harness: Harness;
const clock = skippingClock();

beforeAll(async () => {
  harness = await startHarness({
    gateway: { kazooTimeoutMs: 1_000, circuitBreaker: { failureThreshold: 4, openMs: 1_000 }, kazooClock: clock },
  });
});
afterEach(() => harness.simulator.control.setFault(null));
afterAll(() => harness.close());

const DEVICES = 'query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { id: kazooId } } }';

describe('slow Kazoo', () => {
  it('waits for an answer that comes within the budget', async () => {
    harness.simulator.control.setFault({ kind: 'delay', ms: 300 });
    const result = await harness.graphql(DEVICES, { a: harness.accountId, n: 2 });
    expect(result.errors).toBeUndefined();
  });

  it('gives up at the budget, keeps answering health checks, opens the breaker, and recovers', async () => {
    harness.simulator.control.setFault({ kind: 'delay', ms: 5_000 });
    const slow = Array.from({ length: 4 }, (_, index) => harness.graphql(DEVICES, { a: harness.accountId, n: index + 1 }));
    expect((await fetch(`${harness.gateway.url}/healthz`)).status).toBe(200);
    for (const result of await Promise.all(slow)) {
      expect(errorCodes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.errors?.[0]?.message).toMatch(/1000 ms/);
    }

    harness.simulator.control.resetRequests();
    const fast = await harness.graphql(DEVICES, { a: harness.accountId, n: 9 });
    expect(errorCodes(fast)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(harness.simulator.control.requests).toHaveLength(0);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(503);

    harness.simulator.control.setFault(null);
    clock.advance(1_000);
    expect((await harness.graphql(DEVICES, { a: harness.accountId, n: 2 })).errors).toBeUndefined();
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
  });

  it('a write that times out is OUTCOME_UNKNOWN, never sent again', async () => {
    const list = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(DEVICES, { a: harness.accountId, n: 1 });
    const id = list.data?.devices.nodes[0]?.id;
    harness.simulator.control.setFault({ kind: 'delay', ms: 3_000 }, { match: { method: 'PATCH' } });
    harness.simulator.control.resetRequests();
    const result = await harness.graphql('mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "de-de" }) { device { kazooId } } }', {
      a: harness.accountId,
      id,
    });
    expect(errorCodes(result)).toEqual(['OUTCOME_UNKNOWN']);
    expect(result.errors?.[0]?.message).toMatch(/1000 ms: the change may have been applied/);
    await waitFor(async () => harness.simulator.control.requests.some((request) => request.method === 'PATCH'), 'Kazoo to finish the write');
    expect(harness.simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });
});
