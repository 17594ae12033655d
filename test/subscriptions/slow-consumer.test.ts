// A subscriber that does not keep up cannot make the gateway hold events without bound: once more than
// SUBSCRIPTION_QUEUE_SIZE events wait for it, its connection is closed with a reason saying so, the drop is logged
// and counted, and other subscribers carry on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Harness } from '../helpers/harness.js';
import { captureLogs, connect, record, startLiveHarness, waitFor, waitForPolls, waitUntilWatching } from './helpers.js';

const QUEUE_SIZE = 2;
const logs = captureLogs();
let harness: Harness;
const clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness({
    // Long enough that the slow subscriber's device read hangs for the whole test.
    gateway: { logger: logs.logger, kazooTimeoutMs: 30_000, subscriptions: { queueSize: QUEUE_SIZE } },
  });
});

afterAll(async () => {
  harness?.simulator.control.setFault(null);
  await Promise.all(clients.map((client) => client.dispose()));
  await harness?.close();
});

it('closes the connection of a subscriber that falls behind, and only that one', async () => {
  const { control } = harness.simulator;
  const open = (): Client => {
    const client = connect(harness.gateway.url, { authToken: harness.token });
    clients.push(client);
    return client;
  };
  // Each event of this subscription reads its device; a hanging device read stops it from taking the next event.
  const slow = record(
    open(),
    { accountId: harness.accountId },
    'subscription($accountId: ID!) { registrationChanged(accountId: $accountId) { deviceId registered device { name } } }',
  );
  const fast = record(open(), { accountId: harness.accountId });
  await waitUntilWatching(harness, 2);
  control.setFault({ kind: 'hang' }, { match: { method: 'GET', pathIncludes: '/devices/' } });

  // One change per poll: the first is being executed, the next ones queue up until the queue overflows.
  const devices = control.registeredDeviceIds(harness.accountId).sort().slice(0, QUEUE_SIZE + 2);
  for (const deviceId of devices) {
    control.unregister(harness.accountId, deviceId);
    await waitForPolls(harness, 1);
  }
  await waitFor(() => slow.closed !== undefined, 'the slow subscriber to be dropped');

  expect(slow.closed?.code).toBe(4413);
  expect(slow.closed?.reason).toMatch(/too slow/i);
  expect(slow.events).toEqual([]);
  const dropped = logs.lines().filter((line) => line.msg === 'dropped a live subscriber that fell behind');
  expect(dropped).toEqual([expect.objectContaining({ accountId: harness.accountId, subject: 'registration', queueSize: QUEUE_SIZE, overflows: 1 })]);

  await waitFor(() => fast.events.length === devices.length, 'every change on the other subscriber');
  expect(fast.closed).toBeUndefined();
  control.setFault(null);
  for (const deviceId of devices) control.register(harness.accountId, deviceId);
});
