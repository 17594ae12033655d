// Two gateways in one process sharing a Redis (REDIS_URL): a subscriber on either receives every event, only one of
// them polls Kazoo, `initial: true` works on both, and when the polling one shuts down the other carries on.
// Gateway.close() ends its WebSockets with 1001 and releases its lease. Their watchers run on a clock the test moves,
// so polls are counted exactly and the hand-over needs no waiting.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway } from '../../src/server/gateway.js';
import { DEFAULT_REDIS_LEASE_MS } from '../../src/subscriptions/defaults.js';
import type { Harness } from '../helpers/harness.js';
import {
  asleep,
  captureLogs,
  connect,
  HOLDER_TIMERS,
  manualClock,
  pastJitter,
  POLL_MS,
  record,
  registrationPolls,
  STANDBY_TIMERS,
  startLiveHarness,
  waitFor,
} from './helpers.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** As in production: the watchers' clock only moves when told, so the lease must outlast the test's real time in Redis. */
const LEASE_MS = DEFAULT_REDIS_LEASE_MS;
const NEXT_POLL_MS = pastJitter(POLL_MS);
/** A watcher without the lease tries for it every third of a lease period. */
const NEXT_LEASE_RETRY_MS = pastJitter(LEASE_MS / 3);
const clock = manualClock();
const prefix = `test:shared-redis:${randomUUID()}:`;
const redis = new Redis(REDIS_URL);
const logs = [captureLogs(), captureLogs()] as const;
let harness: Harness;
let gateways: [Gateway, Gateway];
const clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness();
  const start = (index: 0 | 1): Promise<Gateway> =>
    startGateway({
      kazooUrl: harness.simulator.url,
      port: 0,
      host: '127.0.0.1',
      kazooTimeoutMs: 5_000,
      maxBodyBytes: 1_048_576,
      introspection: true,
      logger: logs[index].logger,
      metrics: false,
      subscriptions: { pollMs: POLL_MS, leaseMs: LEASE_MS, redis: { url: REDIS_URL, keyPrefix: prefix }, clock },
    });
  gateways = [await start(0), await start(1)];
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all((gateways ?? []).map((gateway) => gateway.close()));
  await harness?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function open(gateway: Gateway): Client {
  const client = connect(gateway.url, { authToken: harness.token });
  clients.push(client);
  return client;
}

/** Both watchers wait on the clock: the polling one and the one standing by. */
const bothAsleep = (): Promise<void> => asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);

async function nextPoll(): Promise<void> {
  await bothAsleep();
  clock.advance(NEXT_POLL_MS);
}

const tookLease = (index: 0 | 1): number =>
  logs[index].lines().filter((line) => String(line.msg).startsWith('took the lease')).length;

/** Which gateway took the account's lease last, from their logs. */
function holder(): 0 | 1 {
  const tookAt = logs.map((log) =>
    Math.max(0, ...log.lines().filter((line) => String(line.msg).startsWith('took the lease')).map((line) => Number(line.time))),
  );
  return tookAt[0]! > tookAt[1]! ? 0 : 1;
}

it('delivers every event to subscribers on both instances, polling Kazoo from one of them only', async () => {
  const { control } = harness.simulator;
  const deviceIds = control.registeredDeviceIds(harness.accountId).sort().slice(0, 2) as [string, string];
  const subscribers = gateways.map((gateway) => record(open(gateway), { accountId: harness.accountId, deviceIds, initial: true }));
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 2), 'the initial state on both');
  for (const subscriber of subscribers) expect(subscriber.events.map((event) => event.registered)).toEqual([true, true]);

  await bothAsleep();
  harness.simulator.control.resetRequests();
  for (let interval = 0; interval < 6; interval++) await nextPoll();
  await bothAsleep();
  expect(registrationPolls(harness)).toBe(6);
  expect(tookLease(0) + tookLease(1)).toBe(1);

  control.unregister(harness.accountId, deviceIds[0]);
  control.unregister(harness.accountId, deviceIds[1]);
  await nextPoll();
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 4), 'both changes on both instances');
  for (const subscriber of subscribers) {
    expect(subscriber.events.slice(2).map((event) => [event.deviceId, event.registered]).sort()).toEqual([
      [deviceIds[0], false],
      [deviceIds[1], false],
    ]);
  }
  control.register(harness.accountId, deviceIds[0]);
  control.register(harness.accountId, deviceIds[1]);
  await nextPoll();
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 6), 'the registrations back');
});

it('carries on from the other instance when the polling one shuts down; its clients get 1001', async () => {
  const { control } = harness.simulator;
  const [deviceId] = control.registeredDeviceIds(harness.accountId).sort() as [string];
  const subscribers = gateways.map((gateway) => record(open(gateway), { accountId: harness.accountId, deviceIds: [deviceId], initial: true }));
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 1), 'the initial state on both');

  await bothAsleep();
  const leaving = holder();
  const staying: 0 | 1 = leaving === 0 ? 1 : 0;
  await Promise.all([gateways[leaving].close(), gateways[leaving].close()]);
  await waitFor(() => subscribers[leaving]!.closed !== undefined, 'the client of the closed instance to see the close');
  expect(subscribers[leaving]!.closed?.code).toBe(1001);

  // The lease was released: the other instance takes it at its next try, at most a third of a lease period away.
  control.unregister(harness.accountId, deviceId);
  await asleep(clock, STANDBY_TIMERS);
  clock.advance(NEXT_LEASE_RETRY_MS);
  await waitFor(() => subscribers[staying]!.events.length === 2, 'the change on the remaining instance');
  expect(subscribers[staying]!.events[1]).toMatchObject({ deviceId, registered: false });
  control.register(harness.accountId, deviceId);

  await gateways[staying].close();
  expect(await redis.get(`${prefix}registrations:${harness.accountId}:lease`)).toBeNull();
});
