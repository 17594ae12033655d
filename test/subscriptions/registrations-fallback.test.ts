// A Kazoo without /registrations (module not loaded): watchers poll /devices/status, without asking the missing
// route again on every poll, and changes still arrive.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Harness } from '../helpers/harness.js';
import { connect, record, startLiveHarness, waitFor } from './helpers.js';

let harness: Harness;
let client: Client | undefined;

beforeAll(async () => {
  harness = await startLiveHarness();
  harness.simulator.control.setFault({ kind: 'status', status: 404 }, { match: { pathIncludes: '/registrations' } });
});
afterEach(async () => {
  await client?.dispose();
});
afterAll(() => harness?.close());

function calls(suffix: string): number {
  return harness.simulator.control.requests.filter((request) => request.path === `/v2/accounts/${harness.accountId}${suffix}`).length;
}

describe('a Kazoo without /registrations', () => {
  it('is polled on /devices/status, and /registrations is not asked again each poll', async () => {
    const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId).sort();
    if (deviceId === undefined) throw new Error('no registered phone');
    harness.simulator.control.resetRequests();
    client = connect(harness.gateway.url, { authToken: harness.token });
    const subscriber = record(client, { accountId: harness.accountId });
    await waitFor(() => calls('/devices/status') >= 5, 'five status polls');

    harness.simulator.control.unregister(harness.accountId, deviceId);
    await waitFor(() => subscriber.events.some((event) => event.deviceId === deviceId && !event.registered), 'the change');
    expect(calls('/registrations')).toBeLessThanOrEqual(2);
  });
});
