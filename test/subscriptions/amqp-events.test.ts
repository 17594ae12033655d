// Live data from Kazoo's own AMQP events, end to end on the real RabbitMQ of this machine (a vhost of this file's):
// the simulator publishes what Kamailio, ecallmgr and kazoo_data publish, the gateway consumes it. Polls are set a
// minute apart, so an event that arrives within seconds came over AMQP. A registration reaches the subscriber
// without a Crossbar read; while Kazoo's API is down AMQP events keep flowing and nothing is falsely unregistered; a
// device rename reaches deviceChanged at once; when the broker drops every connection the gateway polls, then
// consumes again, and nothing is lost or repeated.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { crossbar } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { createTestVhost } from '../helpers/rabbitmq.js';
import type { TestVhost } from '../helpers/rabbitmq.js';
import { connect, record, startLiveHarness, waitFor } from './helpers.js';
import type { Recorder } from './helpers.js';

const run = promisify(execFile);
const SLOW_MS = 60_000;
let vhost: TestVhost;
let harness: Harness;
const clients: Client[] = [];

async function amqpLive(): Promise<boolean> {
  const metric = harness.gateway.metrics.registry.getSingleMetric('kazoo_gateway_amqp_events_live');
  return (await metric?.get())?.values[0]?.value === 1;
}

function registrationReads(): number {
  return harness.simulator.control.requests.filter(
    (request) => request.method === 'GET' && /\/(registrations|devices\/status)$/.test(request.path),
  ).length;
}

function subscribe(): Recorder {
  const client = connect(harness.gateway.url, { authToken: harness.token });
  clients.push(client);
  return record(client, { accountId: harness.accountId });
}

let taken = 0;
/** A registrable device, unregistered now (before the test subscribes). */
async function freeDevice(): Promise<{ kazooId: string }> {
  const kazooId = harness.simulator.control.registeredDeviceIds(harness.accountId).sort()[taken++];
  if (kazooId === undefined) throw new Error('no registered device left');
  harness.simulator.control.unregister(harness.accountId, kazooId);
  // Its own UNREGISTERED event goes out before the test subscribes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { kazooId };
}

/** Resolves once the gateway has read the account for a new subscription (its first reading, or one already done). */
async function subscribed(events: Recorder): Promise<void> {
  await waitFor(async () => (await amqpLive()) && registrationReads() > 0, 'the account to be read');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(events.errors).toEqual([]);
}

beforeAll(async () => {
  vhost = await createTestVhost('amqp-events');
  harness = await startLiveHarness({
    simulator: { amqpUrl: vhost.url },
    gateway: { subscriptions: { pollMs: SLOW_MS, documentPollMs: SLOW_MS, reconcileMs: SLOW_MS, amqpUrl: vhost.url } },
  });
  await waitFor(amqpLive, 'the gateway to consume AMQP events');
});

afterAll(async () => {
  harness?.simulator.control.setFault(null);
  await Promise.all(clients.map((client) => client.dispose()));
  await harness?.close();
  await vhost?.remove();
});

it('delivers a registration and an unregistration from reg_success, without reading Crossbar', async () => {
  const device = await freeDevice();
  const events = subscribe();
  await subscribed(events);
  const readsBefore = registrationReads();

  harness.simulator.control.register(harness.accountId, device.kazooId);
  await waitFor(() => events.events.some((event) => event.deviceId === device.kazooId), 'the REGISTERED event');
  harness.simulator.control.unregister(harness.accountId, device.kazooId);
  await waitFor(() => events.events.filter((event) => event.deviceId === device.kazooId).length === 2, 'the UNREGISTERED event');

  const mine = events.events.filter((event) => event.deviceId === device.kazooId);
  expect(mine.map((event) => [event.kind, event.registered])).toEqual([
    ['REGISTERED', true],
    ['UNREGISTERED', false],
  ]);
  expect(registrationReads()).toBe(readsBefore);
});

it('keeps delivering while Crossbar is down, and unregisters nothing on its own', async () => {
  const device = await freeDevice();
  const events = subscribe();
  await subscribed(events);
  harness.simulator.control.setFault({ kind: 'status', status: 503 });
  try {
    harness.simulator.control.register(harness.accountId, device.kazooId);
    await waitFor(() => events.events.some((event) => event.deviceId === device.kazooId), 'the REGISTERED event during the outage');
    // The event's own registration is the pushed row, not a Crossbar read.
    expect(events.events.find((event) => event.deviceId === device.kazooId)?.registration?.registered).toBe(true);
    expect(events.events.filter((event) => event.kind === 'UNREGISTERED')).toEqual([]);
  } finally {
    harness.simulator.control.setFault(null);
  }
});

it('sends a device rename to deviceChanged at once (doc_edited)', async () => {
  const client = connect(harness.gateway.url, { authToken: harness.token });
  clients.push(client);
  const events: { events: unknown[] } = { events: [] };
  client.subscribe<{ deviceChanged: unknown }>(
    {
      query: 'subscription($accountId: ID) { deviceChanged(accountId: $accountId) { kind kazooId device { name } } }',
      variables: { accountId: harness.accountId },
    },
    { next: (result) => void events.events.push(result.data?.deviceChanged ?? result.errors), error: () => undefined, complete: () => undefined },
  );
  await waitFor(() => harness.simulator.control.requests.some((request) => /\/devices$/.test(request.path.split('?')[0] ?? '')), 'the first listing');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const listing = await crossbar<{ id: string }[]>(harness, 'GET', `/accounts/${harness.accountId}/devices`);
  const device = listing.body.data[0];
  if (device === undefined) throw new Error('no device');
  const current = await crossbar<Record<string, unknown>>(harness, 'GET', `/accounts/${harness.accountId}/devices/${device.id}`);
  const saved = await crossbar(harness, 'POST', `/accounts/${harness.accountId}/devices/${device.id}`, { ...current.body.data, name: 'Renamed over AMQP' });
  expect(saved.status).toBe(200);

  await waitFor(() => events.events.length > 0, 'the UPDATED event');
  expect(events.events).toEqual([{ kind: 'UPDATED', kazooId: device.id, device: { name: 'Renamed over AMQP' } }]);
});

it('polls while the broker is gone, consumes again after, and loses or repeats nothing', async () => {
  const device = await freeDevice();
  const events = subscribe();
  await subscribed(events);
  await run('rabbitmqctl', ['-q', 'close_all_connections', '--vhost', vhost.name, 'broker restart in a test']);
  await waitFor(async () => !(await amqpLive()), 'the gateway to notice');
  harness.simulator.control.register(harness.accountId, device.kazooId);
  await waitFor(amqpLive, 'the gateway to consume again', 20_000);
  await waitFor(() => events.events.some((event) => event.deviceId === device.kazooId), 'the registration made meanwhile', 20_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(events.events.filter((event) => event.deviceId === device.kazooId).map((event) => event.kind)).toEqual(['REGISTERED']);
});
