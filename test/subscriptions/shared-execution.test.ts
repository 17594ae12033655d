// Many subscribers asking the same thing with the same token share one execution per event, so a wall of dashboards
// costs Kazoo (and the gateway) what one does; subscribers with other tokens never share it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Harness } from '../helpers/harness.js';
import { connect, record, startLiveHarness, waitFor, waitUntilWatching } from './helpers.js';
import type { Recorder } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  // `device { raw }` on every event of an account is costly by the model (a GET per device, up to 1000): allowed here.
  harness = await startLiveHarness({ gateway: { operationLimits: { maxCost: 5_000 } } });
});
afterEach(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});
afterAll(() => harness?.close());

/** `raw` needs each device's whole document: one Kazoo GET per execution that resolves it. */
const WITH_DOCUMENT = /* GraphQL */ `
  subscription Documents($accountId: ID!) {
    registrationChanged(accountId: $accountId) { deviceId registered device { id: kazooId raw } }
  }
`;

function subscribe(token: string): Recorder {
  const client = connect(harness.gateway.url, { authToken: token });
  clients.push(client);
  return record(client, { accountId: harness.accountId }, WITH_DOCUMENT);
}

/** Reads that joined an identical one in flight (the Kazoo client's coalescing) rather than being executed alone. */
async function coalescedReads(): Promise<number> {
  const metric = harness.gateway.metrics.registry.getSingleMetric('kazoo_gateway_upstream_coalesced_total');
  return ((await metric?.get())?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

function documentReads(deviceId: string): number {
  return harness.simulator.control.requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/devices/${deviceId}`)).length;
}

/** A registered phone, unregistered now so that registering it again is a change. */
function anUnregisteredPhone(): string {
  const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId).sort();
  if (deviceId === undefined) throw new Error('no registered phone to cycle');
  harness.simulator.control.unregister(harness.accountId, deviceId);
  return deviceId;
}

describe('shared executions', () => {
  it('ten subscribers with one token and one document cost one document read per change', async () => {
    const deviceId = anUnregisteredPhone();
    const subscribers = Array.from({ length: 10 }, () => subscribe(harness.token));
    await waitUntilWatching(harness, 10);
    const before = documentReads(deviceId);
    const coalescedBefore = await coalescedReads();

    harness.simulator.control.register(harness.accountId, deviceId, { userAgent: 'Yealink SIP-T54W' });
    await waitFor(() => subscribers.every((subscriber) => subscriber.events.some((event) => event.deviceId === deviceId)), 'every subscriber');

    // One read, and no other subscriber even asked for it (coalescing would otherwise hide ten executions).
    expect(documentReads(deviceId) - before).toBe(1);
    expect((await coalescedReads()) - coalescedBefore).toBe(0);
    for (const subscriber of subscribers) {
      const event = subscriber.events.find((candidate) => candidate.deviceId === deviceId);
      expect(event).toMatchObject({ registered: true, device: { id: deviceId } });
      expect(subscriber.errors).toEqual([]);
    }
  });

  it('subscribers with different tokens each get their own execution', async () => {
    const deviceId = anUnregisteredPhone();
    const otherToken = harness.simulator.control.issueToken(harness.accountId, { ownerId: harness.simulator.demo.userId });
    expect(otherToken).not.toBe(harness.token);
    const subscribers = [subscribe(harness.token), subscribe(harness.token), subscribe(otherToken), subscribe(otherToken)];
    await waitUntilWatching(harness, 4);
    const before = documentReads(deviceId);

    harness.simulator.control.register(harness.accountId, deviceId, { userAgent: 'Polycom VVX 250' });
    await waitFor(() => subscribers.every((subscriber) => subscriber.events.some((event) => event.deviceId === deviceId)), 'every subscriber');

    expect(documentReads(deviceId) - before).toBe(2);
  });
});
