// deviceChanged and userChanged over graphql-ws, against the simulator, on a gateway whose watches run on a clock the
// test moves: a device created, renamed and deleted reaches the subscriber as CREATED, UPDATED (with the fresh name,
// read with the subscriber's token) and DELETED; `initial: true` sends every device first, the last one marked; a
// token of another account is refused before any event. One listing per poll however many clients subscribe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Gateway } from '../../src/server/gateway.js';
import type { Harness } from '../helpers/harness.js';
import { asleep, connect, HOLDER_TIMERS, manualClock, pastJitter, startGatewayOn, startLiveHarness, waitFor } from './helpers.js';
import type { GraphQLErrorData, ManualClock } from './helpers.js';

const DOCUMENT_POLL_MS = 1_000;
let harness: Harness;
let gateway: Gateway;
let clock: ManualClock;
const clients: Client[] = [];

interface DeviceEvent {
  kind: string;
  initialComplete: boolean;
  deviceId: string;
  kazooId: string;
  at: string;
  device: { id: string; name: string } | null;
}

interface UserEvent {
  kind: string;
  kazooId: string;
  user: { fullName: string | null } | null;
}

const DEVICE_CHANGED = /* GraphQL */ `
  subscription($accountId: ID, $ids: [ID!], $initial: Boolean) {
    deviceChanged(accountId: $accountId, ids: $ids, initial: $initial) {
      kind initialComplete deviceId kazooId at device { id name }
    }
  }
`;

const USER_CHANGED = /* GraphQL */ `
  subscription { userChanged { kind kazooId user { fullName } } }
`;

function subscribe<Event>(
  query: string,
  field: string,
  variables: Record<string, unknown> = {},
  token = harness.token,
): { events: Event[]; errors: GraphQLErrorData[] } {
  const client = connect(gateway.url, { authToken: token });
  clients.push(client);
  const seen: { events: Event[]; errors: GraphQLErrorData[] } = { events: [], errors: [] };
  client.subscribe<Record<string, Event>>(
    { query, variables },
    {
      next: (result) => {
        const event = result.data?.[field];
        if (event !== undefined) seen.events.push(event);
        seen.errors.push(...((result.errors ?? []) as GraphQLErrorData[]));
      },
      error: (error: unknown) => {
        if (Array.isArray(error)) seen.errors.push(...(error as GraphQLErrorData[]));
      },
      complete: () => undefined,
    },
  );
  return seen;
}

/** Moves the clock to the next reading of the listings and waits until every watch waits again. */
async function nextPoll(watches: number): Promise<void> {
  clock.advance(pastJitter(DOCUMENT_POLL_MS));
  await asleep(clock, HOLDER_TIMERS * watches);
}

async function kazoo(method: string, path: string, data?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${harness.simulator.url}/v2/accounts/${harness.accountId}${path}`, {
    method,
    headers: { 'x-auth-token': harness.token, 'content-type': 'application/json' },
    ...(data === undefined ? {} : { body: JSON.stringify({ data }) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: Record<string, unknown> }).data;
}

const listingReads = (resource: 'devices' | 'users'): number =>
  harness.simulator.control.requests.filter((request) => request.method === 'GET' && request.path === `/v2/accounts/${harness.accountId}/${resource}`).length;

beforeAll(async () => {
  harness = await startLiveHarness();
  clock = manualClock();
  gateway = await startGatewayOn(harness, { clock, documentPollMs: DOCUMENT_POLL_MS });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway?.close();
  await harness?.close();
});

describe('deviceChanged', () => {
  it('sends every device first, then a device created, renamed and deleted, read with the subscriber’s token', async () => {
    const initial = subscribe<DeviceEvent>(DEVICE_CHANGED, 'deviceChanged', { initial: true });
    const live = subscribe<DeviceEvent>(DEVICE_CHANGED, 'deviceChanged');
    const listing = await harness.graphql<{ devices: { nodes: { id: string }[] } }>('{ devices(first: 1000) { nodes { id: kazooId } } }');
    const listed = listing.data?.devices.nodes ?? [];
    await waitFor(() => initial.events.length === listed.length, 'the initial state');
    expect(initial.events.every((event) => event.kind === 'INITIAL')).toBe(true);
    expect(initial.events.map((event) => event.initialComplete)).toEqual(listed.map((_row, index) => index === listed.length - 1));
    expect(new Set(initial.events.map((event) => event.kazooId))).toEqual(new Set(listed.map((row) => row.id)));
    expect(initial.events.every((event) => event.device?.id === event.deviceId)).toBe(true);
    await asleep(clock, HOLDER_TIMERS);

    const created = await kazoo('PUT', '/devices', { name: 'Lobby phone', device_type: 'sip_device' });
    const id = String(created['id']);
    await nextPoll(1);
    await waitFor(() => live.events.length === 1, 'the creation');
    expect(live.events[0]).toMatchObject({ kind: 'CREATED', kazooId: id, initialComplete: true, device: { name: 'Lobby phone' } });

    await kazoo('PATCH', `/devices/${id}`, { name: 'Front desk' });
    await nextPoll(1);
    await waitFor(() => live.events.length === 2, 'the rename');
    expect(live.events[1]).toMatchObject({ kind: 'UPDATED', kazooId: id, device: { name: 'Front desk' } });

    // A reading with nothing new sends nothing.
    await nextPoll(1);
    await kazoo('DELETE', `/devices/${id}`);
    await nextPoll(1);
    await waitFor(() => live.events.length === 3, 'the deletion');
    expect(live.events[2]).toMatchObject({ kind: 'DELETED', kazooId: id, device: null });
    expect(live.events[2]?.deviceId).toBe(live.events[0]?.deviceId);
    expect(initial.events.slice(listed.length).map((event) => event.kind)).toEqual(['CREATED', 'UPDATED', 'DELETED']);
    expect(live.errors).toEqual([]);
  });

  it('reads the listing once per interval however many clients subscribe', async () => {
    const subscribers = [1, 2, 3].map(() => subscribe<DeviceEvent>(DEVICE_CHANGED, 'deviceChanged'));
    await asleep(clock, HOLDER_TIMERS);
    harness.simulator.control.resetRequests();
    for (let poll = 0; poll < 3; poll++) await nextPoll(1);
    expect(listingReads('devices')).toBe(3);
    expect(subscribers.every((subscriber) => subscriber.errors.length === 0)).toBe(true);
  });

  it('refuses a token that may not read the account, before any event', async () => {
    const other = harness.simulator.control.issueToken(harness.simulator.control.secondary.accountId);
    const refused = subscribe<DeviceEvent>(DEVICE_CHANGED, 'deviceChanged', { accountId: harness.accountId, initial: true }, other);
    await waitFor(() => refused.errors.length > 0, 'the refusal');
    expect(refused.errors[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(refused.events).toEqual([]);
  });
});

describe('userChanged', () => {
  it('sends a user created, with the name the subscriber’s token reads', async () => {
    const live = subscribe<UserEvent>(USER_CHANGED, 'userChanged');
    await waitFor(() => clock.pending >= HOLDER_TIMERS * 2, 'the users watch');
    await asleep(clock, HOLDER_TIMERS * 2);
    const created = await kazoo('PUT', '/users', { first_name: 'Ada', last_name: 'Lovelace', username: `ada${Date.now()}`, password: 'analytical-engine-1843' });
    await nextPoll(2);
    await waitFor(() => live.events.length === 1, 'the creation');
    expect(live.events[0]).toMatchObject({ kind: 'CREATED', kazooId: created['id'], user: { fullName: 'Ada Lovelace' } });
    await kazoo('DELETE', `/users/${String(created['id'])}`);
  });
});
