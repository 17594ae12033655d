// A channel's runner with a push source, on a clock the test moves: what Kazoo announces is committed at once without
// reading Kazoo, a refresh is not an event, a registration nobody refreshes is dropped at expiry plus the grace (and
// never while the source is down), reading slows to the reconcile interval while the source is live and speeds back
// up when it goes down, and an edit the listing does not show is still reported. Minutes pass in milliseconds.
import { afterEach, expect, it } from 'vitest';
import type { KazooClient } from '../../src/kazoo/client.js';
import { KazooError } from '../../src/kazoo/errors.js';
import { createLogger } from '../../src/logger.js';
import { devicesTopic } from '../../src/subscriptions/documents-topic.js';
import type { DocumentState } from '../../src/subscriptions/documents-topic.js';
import { MemoryBus } from '../../src/subscriptions/memory-bus.js';
import { PollCredentials } from '../../src/subscriptions/poll-credentials.js';
import { MemoryPushSource } from '../../src/subscriptions/memory-push-source.js';
import type { RegisteredDevices } from '../../src/subscriptions/registration-diff.js';
import { registrationsTopic } from '../../src/subscriptions/registrations-topic.js';
import { SubscriberTokens } from '../../src/subscriptions/subscriber-tokens.js';
import { TopicRunner } from '../../src/subscriptions/topic-runner.js';
import type { LiveTopic } from '../../src/subscriptions/topic.js';
import { manualClock, waitFor } from './helpers.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const POLL_MS = 5_000;
const RECONCILE_MS = 60_000;
const GRACE_MS = 182_000;
const runners: TopicRunner<unknown, unknown>[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

/** What Kamailio publishes for a REGISTER (kazoo-events.md §1.3), at `at` (ms), for `expires` seconds. */
function regSuccess(deviceId: string, at: number, options: { expires?: number; contactIp?: string } = {}): Record<string, unknown> {
  const expires = options.expires ?? 300;
  return {
    'Event-Name': 'reg_success',
    Status: expires === 0 ? 'Unregistered' : 'Registered',
    'Event-Timestamp': Math.floor(at / 1000),
    Expires: expires,
    Contact: `<sip:${deviceId}@${options.contactIp ?? '192.0.2.1'}:5060;ob>`,
    Username: deviceId,
    Realm: 'demo.sip.kazoo.test',
    'Custom-Channel-Vars': { 'Account-ID': ACCOUNT, 'Authorizing-ID': deviceId },
  };
}

interface Setup<State, Change> {
  bus: MemoryBus;
  push: MemoryPushSource;
  clock: ReturnType<typeof manualClock>;
  /** Every message committed, in order. */
  messages: { seq: number; changes: Change[] }[];
  reads(): number;
  setState(state: State): void;
  failReads(failing: boolean): void;
}

async function start<State, Change>(topic: LiveTopic<State, Change>, initial: State): Promise<Setup<State, Change>> {
  const clock = manualClock();
  const bus = new MemoryBus();
  const push = new MemoryPushSource(true);
  let state = initial;
  let reads = 0;
  let failing = false;
  // Kazoo, as the reader sees it: the state the test sets, or a 503.
  const kazoo: LiveTopic<State, Change> = {
    ...topic,
    createReader: () => async () => {
      reads += 1;
      if (failing) throw new KazooError('UPSTREAM_UNAVAILABLE', 'Kazoo answered 503');
      return state;
    },
  };
  const tokens = new SubscriberTokens();
  tokens.add('token');
  const runner = new TopicRunner({
    topic: kazoo,
    accountId: ACCOUNT,
    client: {} as KazooClient,
    bus,
    credentials: new PollCredentials(undefined, tokens, () => undefined),
    pollMs: POLL_MS,
    leaseMs: 15_000,
    logger: createLogger('silent'),
    random: () => 0.5,
    clock,
    push,
    reconcileMs: RECONCILE_MS,
    expiryGraceMs: GRACE_MS,
  });
  const messages: { seq: number; changes: Change[] }[] = [];
  await bus.listen({ topic: topic.name, accountId: ACCOUNT }, {
    onMessage: (message) => void messages.push(message as { seq: number; changes: Change[] }),
    onResume: () => undefined,
  });
  runners.push(runner as TopicRunner<unknown, unknown>);
  runner.start();
  await waitFor(() => messages.length === 1, 'the first reading');
  return {
    bus,
    push,
    clock,
    messages,
    reads: () => reads,
    setState: (next) => {
      state = next;
    },
    failReads: (next) => {
      failing = next;
    },
  };
}

/** Lets the runner's promises settle. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

it('commits pushed registrations without reading Kazoo; a refresh from the same contact is no event', async () => {
  const live = await start<RegisteredDevices, unknown>(registrationsTopic, {});
  const readsBefore = live.reads();
  const now = live.clock.now();

  live.push.publish('registrar', regSuccess('dev1', now));
  await waitFor(() => live.messages.length === 2, 'the registration');
  live.push.publish('registrar', regSuccess('dev1', now + 150_000));
  live.push.publish('registrar', regSuccess('dev1', now + 151_000, { contactIp: '198.51.100.9' }));
  await waitFor(() => live.messages.length === 3, 'the new contact');
  live.push.publish('registrar', regSuccess('dev1', now + 152_000, { expires: 0 }));
  await waitFor(() => live.messages.length === 4, 'the unregistration');

  expect(live.messages.slice(1).map((message) => (message.changes as { kind: string }[]).map((change) => change.kind))).toEqual([
    ['REGISTERED'],
    ['CONTACT_CHANGED'],
    ['UNREGISTERED'],
  ]);
  expect(live.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
  expect(live.reads()).toBe(readsBefore);
});

it('drops a registration nobody refreshes at expiry plus the grace, and Kazoo being down does not matter', async () => {
  const live = await start<RegisteredDevices, unknown>(registrationsTopic, {});
  const at = live.clock.now();
  live.push.publish('registrar', regSuccess('dev1', at, { expires: 300 }));
  await waitFor(() => live.messages.length === 2, 'the registration');
  live.failReads(true);

  live.clock.advance(300_000 + GRACE_MS - 1_000);
  await settle();
  expect(live.messages).toHaveLength(2);
  live.clock.advance(2_000);
  await waitFor(() => live.messages.length === 3, 'the silent expiry');
  expect(live.messages[2]?.changes).toEqual([{ deviceId: 'dev1', kind: 'UNREGISTERED', registered: false, details: null }]);
});

it('a refresh moves the expiry on; while the source is down no timer drops anything', async () => {
  const live = await start<RegisteredDevices, unknown>(registrationsTopic, {});
  const at = live.clock.now();
  live.push.publish('registrar', regSuccess('dev1', at, { expires: 300 }));
  await waitFor(() => live.messages.length === 2, 'the registration');
  // Kazoo's listing agrees (reconciling reads find it registered).
  live.setState({ dev1: null });
  live.clock.advance(200_000);
  live.push.publish('registrar', regSuccess('dev1', live.clock.now(), { expires: 300 }));
  await settle();
  live.clock.advance(300_000 + GRACE_MS - 200_000 + 1_000);
  await settle();
  expect(live.messages).toHaveLength(2);

  // The source goes down: the refreshes it may be missing cannot be seen, so nothing is dropped on time alone.
  live.failReads(true);
  live.push.setLive(false);
  live.clock.advance(3_600_000);
  await settle();
  expect(live.messages).toHaveLength(2);
});

it('reads every reconcile interval while the source is live, at the poll interval while it is down', async () => {
  const live = await start<RegisteredDevices, unknown>(registrationsTopic, {});
  const readsAt = (): number => live.reads();
  const first = readsAt();
  live.clock.advance(RECONCILE_MS * 0.8);
  await settle();
  expect(readsAt()).toBe(first);
  live.clock.advance(RECONCILE_MS * 0.4);
  await waitFor(() => readsAt() === first + 1, 'the reconciling read');

  live.push.setLive(false);
  await waitFor(() => readsAt() === first + 2, 'a read as the source goes down');
  for (let poll = 1; poll <= 3; poll++) {
    live.clock.advance(POLL_MS * 1.2);
    await waitFor(() => readsAt() === first + 2 + poll, `fast poll ${poll}`);
  }
  live.push.setLive(true);
  await waitFor(() => readsAt() === first + 6, 'the read after reconnecting');
});

it('reads the listing again on doc_edited and reports the edit even when the listed fields did not change', async () => {
  const live = await start<DocumentState, unknown>(devicesTopic, { dev1: '{"name":"Desk"}', dev2: '{"name":"Lobby"}' });
  const readsBefore = live.reads();
  live.push.publish('configuration', { 'Event-Name': 'doc_edited', ID: 'dev1', Type: 'device', 'Account-ID': ACCOUNT });
  await waitFor(() => live.messages.length === 2, 'the edit');
  expect(live.messages[1]?.changes).toEqual([{ id: 'dev1', kind: 'UPDATED', fingerprint: '{"name":"Desk"}' }]);
  expect(live.reads()).toBe(readsBefore + 1);

  live.setState({ dev1: '{"name":"Desk"}' });
  live.push.publish('configuration', { 'Event-Name': 'doc_deleted', ID: 'dev2', Type: 'device', 'Account-ID': ACCOUNT, 'Is-Soft-Deleted': true });
  await waitFor(() => live.messages.length === 3, 'the deletion');
  expect(live.messages[2]?.changes).toEqual([{ id: 'dev2', kind: 'DELETED', fingerprint: null }]);
  // A user's event is not the devices topic's.
  live.push.publish('configuration', { 'Event-Name': 'doc_edited', ID: 'user1', Type: 'user', 'Account-ID': ACCOUNT });
  await settle();
  expect(live.messages).toHaveLength(3);
});
