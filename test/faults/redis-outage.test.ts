// Redis going away and coming back while clients subscribe, against a real gateway process using a redis-server of
// the test's own (restarted with its data, or empty): the process stays up and keeps serving queries, the
// subscription stays open, the registration changes made while Redis was gone are delivered once it is back, and new
// changes flow again.
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { kazooLogin } from '../helpers/harness.js';
import { connect, record } from '../subscriptions/helpers.js';
import type { Recorder } from '../subscriptions/helpers.js';
import { postGraphQL, startGatewayProcess, waitFor } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';
import { startRedisServer } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
let simulator: Simulator;
let gateway: GatewayProcess;
let client: Client | undefined;
let token: string;

beforeAll(async () => {
  redis = await startRedisServer();
  simulator = await startSimulator({ rateLimit: false });
  token = await kazooLogin(simulator.url, simulator.demo.apiKey);
  gateway = await startGatewayProcess({
    KAZOO_URL: simulator.url,
    REDIS_URL: redis.url,
    REGISTRATION_POLL_MS: '200',
    // Snapshots live three leases (9 s): a short outage of a Redis that keeps its data loses none.
    REDIS_LEASE_MS: '3000',
  });
});
afterAll(async () => {
  gateway?.kill();
  await simulator?.close();
  await redis?.close();
});

function saw(recorder: Recorder, deviceId: string, registered: boolean, from = 0): boolean {
  return recorder.events.slice(from).some((event) => event.deviceId === deviceId && event.registered === registered);
}

function registrationPolls(): number {
  return simulator.control.requests.filter((request) => request.path.endsWith('/registrations') && request.status === 200).length;
}

let spareDevices: string[] | undefined;

/** Phones of the demo account that are not registered yet, each used once. */
async function idlePhone(): Promise<string> {
  const accountId = simulator.demo.accountId;
  if (spareDevices === undefined) {
    const registered = new Set(simulator.control.registeredDeviceIds(accountId));
    const list = await postGraphQL(
      gateway.url,
      'query($a: ID!) { devices(accountId: $a, first: 60) { nodes { id: kazooId enabled sip { method username } } } }',
      { a: accountId },
      token,
    );
    type Phone = { id: string; enabled: boolean; sip: { method: string | null; username: string | null } | null };
    spareDevices = (list.body.data as { devices: { nodes: Phone[] } }).devices.nodes
      // Phones that can register: enabled, with SIP credentials.
      .filter((node) => node.enabled && node.sip?.method !== 'IP' && node.sip?.username != null && !registered.has(node.id))
      .map((node) => node.id);
  }
  const id = spareDevices.shift();
  if (id === undefined) throw new Error('the demo account ran out of idle phones');
  return id;
}

async function subscriptionsActive(): Promise<string> {
  return (await fetch(`${gateway.url}/metrics`).then((response) => response.text())).match(/^kazoo_gateway_subscriptions_active (\d+)$/m)?.[1] ?? '';
}

interface Outage {
  events: Recorder;
  /** Events received before Redis went away. */
  seenBefore: number;
  /** Registered before the outage, unregistered during it. */
  first: string;
  /** Registered during the outage. */
  second: string;
}

/**
 * A subscriber sees events; Redis goes away; one phone drops off and another registers; queries are still served;
 * Redis comes back. The wait during the outage outlasts the polling lease (the watcher cannot renew it) but not the
 * stored snapshot.
 */
async function outage(stopRedis: () => Promise<void>): Promise<Outage> {
  const accountId = simulator.demo.accountId;
  const [first, second] = [await idlePhone(), await idlePhone()];
  client = connect(gateway.url, { authToken: token }, { keepOpen: true });
  const events = record(client, { accountId });
  // Once the subscription is served and its watcher has read Kazoo, a change is an event.
  await waitFor(async () => (await subscriptionsActive()) === '1', 'the subscription');
  const watching = registrationPolls();
  await waitFor(async () => registrationPolls() >= watching + 2, 'the watcher to poll');
  simulator.control.register(accountId, first, { userAgent: 'Yealink SIP-T46S' });
  await waitFor(async () => saw(events, first, true), `the first event (errors: ${JSON.stringify(events.errors)})`);

  await stopRedis();
  const seenBefore = events.events.length;
  simulator.control.register(accountId, second, { userAgent: 'Polycom VVX 450' });
  simulator.control.unregister(accountId, first);
  expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  const during = await postGraphQL(gateway.url, '{ viewer { accountId } }', {}, token);
  expect(during.body.errors).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  await redis.restart();
  return { events, seenBefore, first, second };
}

async function outageChangesDelivered({ events, seenBefore, first, second }: Outage): Promise<void> {
  await waitFor(async () => saw(events, second, true, seenBefore) && saw(events, first, false, seenBefore), 'the outage changes', 15_000);
}

/** Once the watcher reads Kazoo again, a change reaches the subscriber, over an open connection, without errors. */
async function changesFlow({ events }: Outage): Promise<void> {
  const third = await idlePhone();
  const polls = registrationPolls();
  await waitFor(async () => registrationPolls() >= polls + 2, 'the watcher to poll again', 30_000);
  const seen = events.events.length;
  simulator.control.register(simulator.demo.accountId, third, { userAgent: 'Grandstream GXP2170' });
  await waitFor(async () => saw(events, third, true, seen), 'a change after the outage', 30_000);
  expect(events.closed).toBeUndefined();
  expect(events.errors).toEqual([]);
  expect(gateway.child.exitCode).toBeNull();
}

afterEach(async () => {
  await client?.dispose();
  client = undefined;
});

describe('Redis going away during subscriptions', () => {
  it('restarted with its data: the changes made meanwhile are delivered, and changes flow again', async () => {
    const happened = await outage(() => redis.shutdownSaving());
    await outageChangesDelivered(happened);
    await changesFlow(happened);
  }, 90_000);

  it('restarted empty: the process and the subscription carry on, and changes flow again', async () => {
    await changesFlow(await outage(() => redis.kill()));
  }, 90_000);

  it('restarted empty: the changes made meanwhile are delivered', async () => {
    await outageChangesDelivered(await outage(() => redis.kill()));
  }, 90_000);
});
