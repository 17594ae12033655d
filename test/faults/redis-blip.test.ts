// Issue 12's fault test: two gateways share a Redis; the one that does not read Kazoo loses its Redis connections for
// a while (through a proxy the test cuts), and changes are published meanwhile. Redis pub/sub keeps nothing for a
// subscriber that is away, so without repair that instance's clients would silently keep the old state. With it,
// once the connection is back, they receive exactly the changes they missed (net of what undid itself meanwhile),
// once each, and end with the state Kazoo reports, like the other instance's clients.
import { randomUUID } from 'node:crypto';
import { createServer, connect as connectTcp } from 'node:net';
import type { Server, Socket } from 'node:net';
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
  STANDBY_TIMERS,
  startLiveHarness,
  waitFor,
} from '../subscriptions/helpers.js';
import type { EventData } from '../subscriptions/helpers.js';

const REDIS_PORT = 6379;
const clock = manualClock();
const prefix = `test:redis-blip:${randomUUID()}:`;
const redis = new Redis(`redis://127.0.0.1:${REDIS_PORT}`);
const logs = [captureLogs(), captureLogs()] as const;
let harness: Harness;
let proxy: CuttableProxy;
let gateways: [Gateway, Gateway];
const clients: Client[] = [];

/** A TCP pass-through to Redis that can be cut (every connection dropped, new ones refused) and restored. */
interface CuttableProxy {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((socket) => {
    if (!open) {
      socket.destroy();
      return;
    }
    const upstream = connectTcp(REDIS_PORT, '127.0.0.1');
    sockets.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const drop = (): void => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
      sockets.delete(upstream);
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      open = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  harness = await startLiveHarness();
  proxy = await startProxy();
  const start = (index: 0 | 1, redisUrl: string): Promise<Gateway> =>
    startGateway({
      kazooUrl: harness.simulator.url,
      port: 0,
      host: '127.0.0.1',
      kazooTimeoutMs: 5_000,
      maxBodyBytes: 1_048_576,
      introspection: true,
      logger: logs[index].logger,
      metrics: false,
      subscriptions: { pollMs: POLL_MS, leaseMs: DEFAULT_REDIS_LEASE_MS, redis: { url: redisUrl, keyPrefix: prefix }, clock },
    });
  // The first reads Kazoo (its subscriber comes first and it takes the lease); the second reaches Redis by the proxy.
  gateways = [await start(0, `redis://127.0.0.1:${REDIS_PORT}`), await start(1, proxy.url)];
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all((gateways ?? []).map((gateway) => gateway.close()));
  await proxy?.close();
  await harness?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function subscribe(gateway: Gateway, deviceIds: string[]): ReturnType<typeof record> {
  const client = connect(gateway.url, { authToken: harness.token });
  clients.push(client);
  return record(client, { accountId: harness.accountId, deviceIds, initial: true });
}

/** Each device's last reported state, from a subscriber's events. */
function finalState(events: readonly EventData[]): Record<string, boolean> {
  return Object.fromEntries(events.map((event) => [event.deviceId, event.registered]));
}

async function nextPoll(): Promise<void> {
  await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);
  clock.advance(pastJitter(POLL_MS));
  await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);
}

it("repairs the missed changes on the instance whose Redis subscription was away, once each", async () => {
  const { control } = harness.simulator;
  const [dropped, flapped, untouched] = control.registeredDeviceIds(harness.accountId).sort().slice(0, 3) as [string, string, string];
  const watched = [dropped, flapped, untouched];
  const reader = subscribe(gateways[0], watched);
  await waitFor(() => reader.events.length === 3, 'the initial state on the reading instance');
  const cutOff = subscribe(gateways[1], watched);
  await waitFor(() => cutOff.events.length === 3, 'the initial state on the other instance');
  await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);

  proxy.cut();
  // While the second instance hears nothing: one device drops off for good, another drops off and comes back.
  control.unregister(harness.accountId, dropped);
  control.unregister(harness.accountId, flapped);
  await nextPoll();
  control.register(harness.accountId, flapped);
  await nextPoll();
  await waitFor(() => reader.events.length === 6, 'the three changes on the reading instance');
  expect(cutOff.events).toHaveLength(3);

  proxy.restore();
  // Back: what differs between what it last heard and the snapshot arrives, once per device. The device that dropped
  // off and came back is reported only if it came back from another contact (the simulator picks a new one).
  await waitFor(() => finalState(cutOff.events)[dropped] === false, 'the missed change on the other instance');
  await waitFor(() => JSON.stringify(finalState(cutOff.events)) === JSON.stringify(finalState(reader.events)), 'the same state on both');
  const repaired = cutOff.events.slice(3);
  expect(repaired.find((event) => event.deviceId === dropped)).toMatchObject({ kind: 'UNREGISTERED', registered: false });
  expect(new Set(repaired.map((event) => event.deviceId)).size).toBe(repaired.length);
  expect(repaired.map((event) => event.deviceId)).not.toContain(untouched);
  expect(repaired.every((event) => event.kind !== 'INITIAL' && event.initialComplete)).toBe(true);
  const heardBefore = cutOff.events.length;
  const readerBefore = reader.events.length;

  // And it carries on live, without sending anything twice.
  control.register(harness.accountId, dropped);
  await nextPoll();
  await waitFor(() => cutOff.events.length === heardBefore + 1 && reader.events.length === readerBefore + 1, 'the next change on both');
  expect(cutOff.events.at(-1)).toMatchObject({ deviceId: dropped, kind: 'REGISTERED' });
  const registered = new Set(control.registeredDeviceIds(harness.accountId));
  const truth = Object.fromEntries(watched.map((deviceId) => [deviceId, registered.has(deviceId)]));
  expect(finalState(cutOff.events)).toEqual(truth);
  expect(finalState(reader.events)).toEqual(truth);
});
