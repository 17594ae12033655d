// Subscription.registrationChanged end to end: a real graphql-ws client against the gateway, with the simulator's
// registrar driven through its control API. Register and unregister events, deviceIds filtering, `initial: true`,
// argument checks, one watcher per account whatever the number of subscribers, and no polling once everyone left.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Gateway } from '../../src/server/gateway.js';
import type { Harness } from '../helpers/harness.js';
import {
  activeSubscriptions,
  asleep,
  connect,
  HOLDER_TIMERS,
  manualClock,
  pastJitter,
  POLL_MS,
  record,
  registrationPolls,
  startGatewayOn,
  startLiveHarness,
  waitFor,
  waitForPolls,
  waitUntilWatching,
} from './helpers.js';
import type { ManualClock } from './helpers.js';
import type { EventData } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness();
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
  await waitFor(async () => (await activeSubscriptions(harness)) === 0, 'every subscription to end');
});

afterAll(async () => {
  await harness?.close();
});

function open(connectionParams: Record<string, unknown> = { authToken: harness.token }, gateway = harness.gateway): Client {
  const client = connect(gateway.url, connectionParams);
  clients.push(client);
  return client;
}

/**
 * Another gateway in front of the harness's simulator whose watchers run on a clock the test moves, so polls are
 * counted exactly; closed after `test`.
 */
async function withClockedGateway(test: (gateway: Gateway, clock: ManualClock) => Promise<void>): Promise<void> {
  const clock = manualClock();
  const gateway = await startGatewayOn(harness, { clock });
  try {
    await test(gateway, clock);
  } finally {
    await gateway.close();
  }
}

/** Moves the clock on to the watcher's next poll and waits until it has polled and waits again. */
async function nextPoll(clock: ManualClock): Promise<void> {
  clock.advance(pastJitter(POLL_MS));
  await asleep(clock, HOLDER_TIMERS);
}

/** Registered devices of the demo account; every one of them can register again after being dropped. */
function registeredDevices(count: number): string[] {
  const devices = harness.simulator.control.registeredDeviceIds(harness.accountId).sort().slice(0, count);
  expect(devices).toHaveLength(count);
  return devices;
}

function summary(events: readonly EventData[]): { deviceId: string; registered: boolean }[] {
  return events.map(({ deviceId, registered }) => ({ deviceId, registered }));
}

describe('registrationChanged', () => {
  it('sends a phone registering and a phone dropping off, as they happen', async () => {
    const { control } = harness.simulator;
    const [comingBack, leaving] = registeredDevices(2) as [string, string];
    control.unregister(harness.accountId, comingBack);
    const subscriber = record(open(), { accountId: harness.accountId });
    await waitUntilWatching(harness, 1);
    const before = Date.now();

    control.register(harness.accountId, comingBack, { userAgent: 'Yealink SIP-T46S 66.86.0.15', contactIp: '192.0.2.10' });
    control.unregister(harness.accountId, leaving);

    await waitFor(() => subscriber.events.length >= 2, 'two events');
    await waitForPolls(harness, 2);
    const byDevice = new Map(subscriber.events.map((event) => [event.deviceId, event]));
    expect(subscriber.events).toHaveLength(2);
    expect(byDevice.get(comingBack)).toMatchObject({
      kind: 'REGISTERED',
      initialComplete: true,
      accountId: harness.accountId,
      registered: true,
      registration: { registered: true, userAgent: 'Yealink SIP-T46S 66.86.0.15', contactIp: '192.0.2.10' },
    });
    // The registration of a device that dropped off says so, with its details gone: a cache updates it in place.
    expect(byDevice.get(leaving)).toMatchObject({
      accountId: harness.accountId,
      registered: false,
      registration: { registered: false, userAgent: null, contactIp: null },
    });
    for (const event of subscriber.events) {
      expect(new Date(event.at).toISOString()).toBe(event.at);
      expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before);
    }
    control.register(harness.accountId, leaving);
  });

  it('sends only the devices named in deviceIds', async () => {
    const { control } = harness.simulator;
    const [watched, other] = registeredDevices(2) as [string, string];
    const filtered = record(open(), { accountId: harness.accountId, deviceIds: [watched] });
    const everything = record(open(), { accountId: harness.accountId });
    await waitUntilWatching(harness, 2);

    control.unregister(harness.accountId, other);
    control.unregister(harness.accountId, watched);
    await waitFor(() => everything.events.length >= 2, 'both changes on the unfiltered subscription');
    await waitFor(() => filtered.events.length >= 1, 'the watched device on the filtered one');
    await waitForPolls(harness, 2);

    expect(summary(filtered.events)).toEqual([{ deviceId: watched, registered: false }]);
    control.register(harness.accountId, watched);
    control.register(harness.accountId, other);
  });

  it('with initial: true, sends the state of every device of the account first, then the changes', async () => {
    const { control } = harness.simulator;
    const registered = new Set(control.registeredDeviceIds(harness.accountId));
    const listing = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(
      'query($a: ID!) { devices(accountId: $a, first: 1000) { nodes { id: kazooId } } }',
      { a: harness.accountId },
    );
    const deviceIds = listing.data?.devices.nodes.map((node) => node.id) ?? [];
    expect(deviceIds.length).toBeGreaterThan(registered.size);

    const subscriber = record(open(), { accountId: harness.accountId, initial: true });
    await waitFor(() => subscriber.events.length >= deviceIds.length, 'the initial state');
    const initial = subscriber.events.slice(0, deviceIds.length);
    expect(new Set(initial.map((event) => event.deviceId))).toEqual(new Set(deviceIds));
    for (const event of initial) {
      expect(event.kind).toBe('INITIAL');
      expect(event.registered).toBe(registered.has(event.deviceId));
      expect(event.registration?.registered).toBe(event.registered);
    }
    // Only the last event of the initial state says it is complete: a UI stops showing "loading" there.
    expect(initial.map((event) => event.initialComplete)).toEqual(initial.map((_event, index) => index === initial.length - 1));

    const [dropped] = [...registered].sort() as [string];
    control.unregister(harness.accountId, dropped);
    await waitFor(() => subscriber.events.length > deviceIds.length, 'the change after the initial state');
    expect(summary(subscriber.events.slice(deviceIds.length))).toEqual([{ deviceId: dropped, registered: false }]);
    expect(subscriber.events.at(-1)).toMatchObject({ kind: 'UNREGISTERED', initialComplete: true });
    control.register(harness.accountId, dropped);
  });

  it('with initial: true and deviceIds, sends the state of those devices only, in the order given', async () => {
    const { control } = harness.simulator;
    const [registered, unregistered] = registeredDevices(2) as [string, string];
    control.unregister(harness.accountId, unregistered);

    const subscriber = record(open(), { accountId: harness.accountId, deviceIds: [unregistered, registered], initial: true });
    await waitFor(() => subscriber.events.length >= 2, 'the initial state');
    await waitForPolls(harness, 2);
    expect(summary(subscriber.events)).toEqual([
      { deviceId: unregistered, registered: false },
      { deviceId: registered, registered: true },
    ]);
    control.register(harness.accountId, unregistered);
  });

  it('says when each registration runs out, counted from the reading the event reports', async () => {
    const [deviceId] = registeredDevices(1) as [string];
    // Registered for an hour, never refreshed: Kazoo counts its remaining seconds down from 3600.
    harness.simulator.control.register(harness.accountId, deviceId, { expiresSeconds: 3600, refresh: false });
    const query = /* GraphQL */ `
      subscription($accountId: ID!, $deviceIds: [ID!]) {
        registrationChanged(accountId: $accountId, deviceIds: $deviceIds, initial: true) { at registration { registeredAt expiresAt } }
      }
    `;
    const subscriber = record(open(), { accountId: harness.accountId, deviceIds: [deviceId] }, query);
    await waitFor(() => subscriber.events.length >= 1, 'the initial state');
    const [event] = subscriber.events as unknown as { at: string; registration: { registeredAt: string; expiresAt: string } }[];
    const expiresAt = Date.parse(event?.registration.expiresAt ?? '');
    // Kazoo counts whole seconds: the last REGISTER plus the hour, to within a second or two of rounding.
    expect(expiresAt - Date.parse(event?.registration.registeredAt ?? '')).toBeGreaterThanOrEqual(3600_000);
    expect(expiresAt - Date.parse(event?.registration.registeredAt ?? '')).toBeLessThanOrEqual(3602_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.parse(event?.at ?? '') + 3600_000);
    harness.simulator.control.register(harness.accountId, deviceId);
  });

  it('resolves device fields like queries do, from the one device listing the initial state needs', async () => {
    const query = /* GraphQL */ `
      subscription($accountId: ID!) {
        registrationChanged(accountId: $accountId, initial: true) { deviceId device { id: kazooId name } registration { deviceId } }
      }
    `;
    harness.simulator.control.resetRequests();
    const subscriber = record(open(), { accountId: harness.accountId }, query);
    await waitFor(() => subscriber.events.length >= 60, 'the initial state');

    for (const event of subscriber.events) {
      expect(event.device?.id).toBe(event.deviceId);
      expect(event.device?.name).toEqual(expect.any(String));
    }
    const deviceReads = harness.simulator.control.requests.filter(
      (request) => request.method === 'GET' && request.path.startsWith(`/v2/accounts/${harness.accountId}/devices`),
    );
    // One listing to know the account's devices, which also answers the batch's `device` fields; no per-device read.
    expect(deviceReads.filter((request) => request.path.endsWith('/devices'))).toHaveLength(1);
    expect(deviceReads.filter((request) => !request.path.endsWith('/devices'))).toEqual([]);
  });

  it("reads the owners of a whole batch together, as a page of devices does, not one user at a time", async () => {
    const query = /* GraphQL */ `
      subscription($accountId: ID!) {
        registrationChanged(accountId: $accountId, initial: true) { deviceId device { name owner { fullName } } }
      }
    `;
    harness.simulator.control.resetRequests();
    const subscriber = record(open(), { accountId: harness.accountId }, query);
    await waitFor(() => subscriber.events.length >= 60, 'the initial state');

    expect(subscriber.errors).toEqual([]);
    expect(subscriber.events.filter((event) => (event as { device?: { owner?: unknown } }).device?.owner != null).length).toBeGreaterThan(20);
    const userReads = harness.simulator.control.requests.filter(
      (request) => request.method === 'GET' && request.path.startsWith(`/v2/accounts/${harness.accountId}/users`),
    );
    expect(userReads.map((request) => request.path)).toEqual([`/v2/accounts/${harness.accountId}/users`]);
  });

  it('checks ids before asking Kazoo anything', async () => {
    const client = open();
    // The connection itself checks the token with Kazoo: wait for that before counting.
    const probe = record(client, { accountId: harness.accountId, deviceIds: [registeredDevices(1)[0]], initial: true });
    await waitFor(() => probe.events.length === 1, 'a first subscription');
    harness.simulator.control.resetRequests();

    const badAccount = record(client, { accountId: 'not-an-account' });
    const badDevice = record(client, { accountId: harness.accountId, deviceIds: ['ABC'] });
    const noDevice = record(client, { accountId: harness.accountId, deviceIds: [] });
    await waitFor(
      () => [badAccount, badDevice, noDevice].every((subscriber) => subscriber.completed),
      'the three subscriptions to end',
    );
    for (const subscriber of [badAccount, badDevice, noDevice]) {
      expect(subscriber.events).toEqual([]);
      expect(subscriber.errors.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    expect(badDevice.errors[0]?.extensions).toMatchObject({ fieldErrors: [{ field: 'deviceIds[0]' }] });
    expect(harness.simulator.control.requests.filter((request) => !request.path.endsWith('/registrations'))).toEqual([]);
  });

  it('answers a subscription sent over HTTP with an error pointing to the WebSocket', async () => {
    const result = await harness.graphql('subscription($a: ID!) { registrationChanged(accountId: $a) { deviceId } }', {
      a: harness.accountId,
    });
    expect(result.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('polls an account once per interval however many clients subscribe', async () => {
    await withClockedGateway(async (gateway, clock) => {
      // Fifty dashboards, each with a login of its own (one token may hold only a few sockets).
      const subscribers = Array.from({ length: 50 }, (_, index) =>
        record(open({ authToken: harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 3_600 + index }) }, gateway), {
          accountId: harness.accountId,
        }),
      );
      await waitFor(async () => (await activeSubscriptions({ gateway })) === 50, '50 active subscriptions');
      await asleep(clock, HOLDER_TIMERS);

      harness.simulator.control.resetRequests();
      for (let interval = 0; interval < 6; interval++) await nextPoll(clock);
      // One watcher for the account: fifty would make three hundred.
      expect(registrationPolls(harness)).toBe(6);

      const [deviceId] = registeredDevices(1) as [string];
      harness.simulator.control.unregister(harness.accountId, deviceId);
      await nextPoll(clock);
      await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 1), 'the event on every subscriber');
      harness.simulator.control.register(harness.accountId, deviceId);
    });
  });

  it('stops polling once the last subscriber has left, and starts again with the next', async () => {
    await withClockedGateway(async (gateway, clock) => {
      const first = record(open(undefined, gateway), { accountId: harness.accountId });
      const second = record(open(undefined, gateway), { accountId: harness.accountId });
      await waitFor(async () => (await activeSubscriptions({ gateway })) === 2, 'two active subscriptions');
      await asleep(clock, HOLDER_TIMERS);

      first.stop();
      await waitFor(async () => (await activeSubscriptions({ gateway })) === 1, 'the first subscription to end');
      harness.simulator.control.resetRequests();
      await nextPoll(clock);
      expect(registrationPolls(harness)).toBe(1);

      second.stop();
      await waitFor(async () => (await activeSubscriptions({ gateway })) === 0, 'both subscriptions to end');
      // The watcher stopped and left nothing on its clock: however long the account goes unwatched, no poll starts.
      await waitFor(() => clock.pending === 0, 'the watcher to stop');
      harness.simulator.control.resetRequests();
      clock.advance(POLL_MS * 100);
      expect(registrationPolls(harness)).toBe(0);

      record(open(undefined, gateway), { accountId: harness.accountId });
      await waitFor(async () => (await activeSubscriptions({ gateway })) === 1, 'the next subscription');
      await asleep(clock, HOLDER_TIMERS);
      expect(registrationPolls(harness)).toBe(1);
    });
  });
});
