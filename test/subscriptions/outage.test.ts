// A Kazoo outage never turns into false events: while polls fail (5xx, refused connections, timeouts, 429) nothing
// is published, and the first good reading after recovery publishes exactly what changed during the outage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Fault } from '../../src/simulator/index.js';
import type { Harness } from '../helpers/harness.js';
import { connect, POLL_MS, record, sleep, startLiveHarness, waitFor, waitForPolls } from './helpers.js';
import type { EventData } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  // Timeouts short enough that a hanging Kazoo fails polls quickly.
  harness = await startLiveHarness({ gateway: { kazooTimeoutMs: 600 } });
});

afterEach(async () => {
  harness.simulator.control.setFault(null);
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});

afterAll(async () => {
  await harness?.close();
});

function pollAttempts(): number {
  return harness.simulator.control.requests.filter((request) => request.path.endsWith('/registrations')).length;
}

function sorted(events: readonly EventData[]): { deviceId: string; registered: boolean }[] {
  return events
    .map(({ deviceId, registered }) => ({ deviceId, registered }))
    .sort((left, right) => left.deviceId.localeCompare(right.deviceId));
}

describe('during a Kazoo outage', () => {
  it.each<[string, Fault]>([
    ['503 errors', { kind: 'status', status: 503 }],
    ['refused connections', { kind: 'refuse' }],
    ['requests that hang', { kind: 'hang' }],
  ])('with %s, nothing is sent; recovery sends exactly the real changes', async (_name, fault) => {
    const { control } = harness.simulator;
    const [dropped, flapping, returning, steady] = control.registeredDeviceIds(harness.accountId).sort() as [
      string,
      string,
      string,
      string,
    ];
    control.unregister(harness.accountId, returning);
    const client = connect(harness.gateway.url, { authToken: harness.token });
    clients.push(client);
    const watched = [dropped, flapping, returning, steady];
    const subscriber = record(client, { accountId: harness.accountId, deviceIds: watched, initial: true });
    await waitFor(() => subscriber.events.length === 4, 'the initial state');

    control.setFault(fault);
    const attemptsBefore = pollAttempts();
    await waitFor(() => pollAttempts() >= attemptsBefore + 1, 'a poll failing during the outage');
    control.unregister(harness.accountId, dropped);
    control.register(harness.accountId, returning);
    // Dropped and back from the same phone: not a change once Kazoo can be read again.
    const flappingAgent = subscriber.events.find((event) => event.deviceId === flapping)?.registration?.userAgent ?? undefined;
    control.unregister(harness.accountId, flapping);
    control.register(harness.accountId, flapping, { userAgent: flappingAgent });
    const attemptsDuring = pollAttempts();
    await waitFor(() => pollAttempts() >= attemptsDuring + 1, 'a poll failing after the changes');
    expect(subscriber.events).toHaveLength(4);

    control.setFault(null);
    await waitFor(() => subscriber.events.length >= 6, 'the changes after recovery');
    await waitForPolls(harness, 3);
    expect(sorted(subscriber.events.slice(4))).toEqual(
      sorted([
        { deviceId: dropped, registered: false } as EventData,
        { deviceId: returning, registered: true } as EventData,
      ]),
    );
    expect(subscriber.errors).toEqual([]);
    control.register(harness.accountId, dropped);
  });

  it('with 429 answers, nothing is sent until Kazoo lets the gateway in again', async () => {
    const { control } = harness.simulator;
    const [deviceId] = control.registeredDeviceIds(harness.accountId).sort() as [string];
    const client = connect(harness.gateway.url, { authToken: harness.token });
    clients.push(client);
    const subscriber = record(client, { accountId: harness.accountId, deviceIds: [deviceId], initial: true });
    await waitFor(() => subscriber.events.length === 1, 'the initial state');

    control.setFault({ kind: 'status', status: 429 }, { match: { pathIncludes: '/registrations' } });
    const attemptsBefore = pollAttempts();
    await waitFor(() => pollAttempts() >= attemptsBefore + 1, 'a rate-limited poll');
    control.unregister(harness.accountId, deviceId);
    await sleep(POLL_MS * 3);
    expect(subscriber.events).toHaveLength(1);

    control.setFault(null);
    await waitFor(() => subscriber.events.length === 2, 'the change after the rate limit', 15_000);
    expect(subscriber.events[1]).toMatchObject({ deviceId, registered: false });
    control.register(harness.accountId, deviceId);
  });
});
