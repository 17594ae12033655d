// A subscription that ends stops its Kazoo calls: completed by its client or cut off by its socket closing, the reads
// it has in flight (its initial listing, an event's reads) are abandoned, and nothing is logged as an error. An
// execution it shared with another subscriber and left unfinished is run again for that one, which gets its event
// whole. Kazoo's answers are held by the simulator's `hang` fault, so the test sees the reads in flight.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { cancelledCalls } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { captureLogs, connect, record, startLiveHarness, waitFor, waitUntilWatching } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];
const logs = captureLogs('debug');

beforeAll(async () => {
  // `device { raw }` on every event is costly by the model (a GET per device): allowed here.
  harness = await startLiveHarness({ gateway: { logger: logs.logger, operationLimits: { maxCost: 5_000 } } });
});
afterEach(async () => {
  harness.simulator.control.setFault(null);
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});
afterAll(() => harness?.close());

const WITH_DEVICES = /* GraphQL */ `
  subscription Devices($accountId: ID!, $deviceIds: [ID!], $initial: Boolean) {
    registrationChanged(accountId: $accountId, deviceIds: $deviceIds, initial: $initial) { deviceId device { id: kazooId raw } }
  }
`;

/** Its socket stays open when its subscriptions complete: what is stopped is stopped by the completion alone. */
function newClient(): Client {
  const client = connect(harness.gateway.url, { authToken: harness.token }, { keepOpen: true });
  clients.push(client);
  return client;
}

const kazooReads = (pathEnd: string) =>
  harness.simulator.control.requests.filter((request) => request.method === 'GET' && request.path.endsWith(pathEnd)).length;

const errorLines = () => logs.lines().filter((line) => Number(line.level) >= 50);

describe('a subscription that ends', () => {
  it.each([
    ['completed by its client', (stop: () => void) => stop()],
    ['whose socket closes', (_stop: () => void, client: Client) => void client.dispose()],
  ])('%s abandons its initial listing in flight', async (_name, end) => {
    const cancelledBefore = await cancelledCalls(harness.gateway);
    const listings = kazooReads('/devices');
    harness.simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const client = newClient();
    const subscriber = record(client, { accountId: harness.accountId, initial: true });
    await waitFor(() => kazooReads('/devices') === listings + 1, 'the initial listing to reach Kazoo');

    end(subscriber.stop, client);
    await waitFor(async () => (await cancelledCalls(harness.gateway)) === cancelledBefore + 1, 'the listing to be abandoned');
    expect(subscriber.events).toEqual([]);
    expect(errorLines()).toEqual([]);
  });

  it("completed by its client abandons an event's reads in flight", async () => {
    const cancelledBefore = await cancelledCalls(harness.gateway);
    const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId).sort();
    if (deviceId === undefined) throw new Error('no registered phone');
    const documentReads = kazooReads(`/devices/${deviceId}`);
    // The initial state of every device, one event each: the event of this one reads its document, held by Kazoo.
    harness.simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: `/devices/${deviceId}` } });
    const subscriber = record(newClient(), { accountId: harness.accountId, initial: true }, WITH_DEVICES);
    await waitFor(() => kazooReads(`/devices/${deviceId}`) > documentReads, "the event's read to reach Kazoo");

    subscriber.stop();
    await waitFor(async () => (await cancelledCalls(harness.gateway)) === cancelledBefore + 1, "the event's read to be abandoned");
    expect(subscriber.events.map((event) => event.deviceId)).not.toContain(deviceId);
    expect(errorLines()).toEqual([]);
  });

  it('leaving an execution it shared unfinished, the other subscriber still gets its event whole', async () => {
    const { control } = harness.simulator;
    const [deviceId] = control.registeredDeviceIds(harness.accountId).sort();
    if (deviceId === undefined) throw new Error('no registered phone');
    control.unregister(harness.accountId, deviceId);
    // Same token, same document: one execution per event serves both.
    const leaving = record(newClient(), { accountId: harness.accountId }, WITH_DEVICES);
    const staying = record(newClient(), { accountId: harness.accountId }, WITH_DEVICES);
    await waitUntilWatching(harness, 2);
    const documentReads = kazooReads(`/devices/${deviceId}`);
    control.setFault({ kind: 'hang' }, { match: { pathIncludes: `/devices/${deviceId}` } });

    control.register(harness.accountId, deviceId, { userAgent: 'Yealink SIP-T54W' });
    await waitFor(() => kazooReads(`/devices/${deviceId}`) > documentReads, "the event's read to reach Kazoo");
    leaving.stop();
    control.setFault(null);
    await waitFor(() => staying.events.some((event) => event.deviceId === deviceId), 'the event');
    expect(staying.events.find((event) => event.deviceId === deviceId)).toMatchObject({ device: { id: deviceId } });
    expect(staying.errors).toEqual([]);
  });
});
