// The polling lease between gateway instances, on a clock the test moves and a real Redis: one instance polls Kazoo
// once per interval while the others stand by; a lease its holder stopped renewing is taken over within a third of a
// lease period and the new holder publishes what changed meanwhile; a holder that finds its lease gone stops
// publishing; a stopped holder hands over at once. Production periods (5 s polls, 15 s lease) pass in milliseconds.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KazooClient } from '../../src/kazoo/client.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { DEFAULT_REDIS_LEASE_MS, DEFAULT_REGISTRATION_POLL_MS } from '../../src/subscriptions/defaults.js';
import { RedisBus } from '../../src/subscriptions/redis-bus.js';
import type { RegisteredDevices, RegistrationChange } from '../../src/subscriptions/registration-diff.js';
import { registrationsTopic } from '../../src/subscriptions/registrations-topic.js';
import { TopicWatch } from '../../src/subscriptions/topic-watch.js';
import type { DeliveredMessage } from '../../src/subscriptions/topic-watch.js';
import { asleep, captureLogs, HOLDER_TIMERS, manualClock, pastJitter, STANDBY_TIMERS, waitFor } from './helpers.js';
import type { ManualClock } from './helpers.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const POLL_MS = DEFAULT_REGISTRATION_POLL_MS;
const LEASE_MS = DEFAULT_REDIS_LEASE_MS;
const NEXT_POLL_MS = pastJitter(POLL_MS);
/** A watcher without the lease tries for it every third of a lease period. */
const NEXT_LEASE_RETRY_MS = pastJitter(LEASE_MS / 3);

const prefix = `test:lease:${randomUUID()}:`;
const redis = new Redis(REDIS_URL);
let simulator: Simulator;
let client: KazooClient;
let accountId: string;
let token: string;
const cleanups: (() => Promise<void>)[] = [];

interface Instance {
  watch: TopicWatch<RegisteredDevices, RegistrationChange>;
  heard: DeliveredMessage<RegistrationChange>[];
  polls: () => number;
  logs: ReturnType<typeof captureLogs>;
}

/** One gateway instance's watch of the demo account, with its own Redis connections. */
function instance(clock: ManualClock): Instance {
  const logs = captureLogs('debug');
  const bus = new RedisBus({ url: REDIS_URL, keyPrefix: prefix, leaseMs: LEASE_MS, logger: logs.logger });
  let polls = 0;
  const watch = new TopicWatch({
    topic: registrationsTopic,
    accountId,
    client,
    bus,
    service: undefined,
    pollMs: POLL_MS,
    leaseMs: LEASE_MS,
    logger: logs.logger,
    after: Promise.resolve(),
    onPoll: () => {
      polls += 1;
    },
    clock,
  });
  const heard: DeliveredMessage<RegistrationChange>[] = [];
  watch.add({ token, deliver: (message) => heard.push(message), refused: () => undefined });
  cleanups.push(async () => {
    await watch.close();
    await bus.close();
  });
  return { watch, heard, polls: () => polls, logs };
}

const leaseKey = (): string => `${prefix}registrations:${accountId}:lease`;
const kazooPolls = (): number =>
  simulator.control.requests.filter((request) => request.path === `/v2/accounts/${accountId}/registrations`).length;

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  client = new KazooClient({ baseUrl: simulator.url, timeoutMs: 5_000 });
  accountId = simulator.demo.accountId;
  token = simulator.control.issueToken(accountId);
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await client.destroy();
  await simulator.close();
  redis.disconnect();
});

describe('the registration lease', () => {
  it('lets one instance poll Kazoo once per interval while another stands by and polls nothing', async () => {
    const clock = manualClock();
    const holder = instance(clock);
    await asleep(clock, HOLDER_TIMERS);
    expect(holder.polls()).toBe(1);
    const standby = instance(clock);
    await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);

    simulator.control.resetRequests();
    for (let interval = 0; interval < 4; interval++) {
      clock.advance(NEXT_POLL_MS);
      await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);
    }
    expect(holder.polls()).toBe(5);
    expect(standby.polls()).toBe(0);
    expect(kazooPolls()).toBe(4);
  });

  it('is taken over within a third of a lease period once its holder stops renewing, and the changes made meanwhile are published', async () => {
    // The crashed holder's clock never moves again: it neither renews nor polls, like a process that died.
    const crashedClock = manualClock();
    const crashed = instance(crashedClock);
    await asleep(crashedClock, HOLDER_TIMERS);
    const clock = manualClock();
    const survivor = instance(clock);
    await asleep(clock, STANDBY_TIMERS);

    const [deviceId] = simulator.control.registeredDeviceIds(accountId).sort() as [string];
    simulator.control.unregister(accountId, deviceId);
    // Redis drops the lease one period after its last renewal; let that period pass now.
    const ttl = await redis.pttl(leaseKey());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LEASE_MS);
    await redis.pexpire(leaseKey(), 0);

    clock.advance(NEXT_LEASE_RETRY_MS);
    await asleep(clock, HOLDER_TIMERS);
    expect(survivor.polls()).toBe(1);
    const published = survivor.heard.flatMap((message) => message.changes.map((change) => [change.deviceId, change.registered]));
    expect(published).toEqual([[deviceId, false]]);
    const { position: _crashedPosition, ...crashedLast } = crashed.heard.at(-1) ?? { position: 0 };
    const { position: _survivorPosition, ...survivorLast } = survivor.heard.at(-1) ?? { position: 0 };
    expect(crashedLast).toEqual(survivorLast);

    // The old holder comes back to life: its renewal fails, it stands by and publishes nothing.
    const heardBefore = survivor.heard.length;
    crashedClock.advance(NEXT_LEASE_RETRY_MS);
    const lost = 'lost the lease: another instance reads this account now';
    await waitFor(() => crashed.logs.lines().some((line) => line.msg === lost), 'the old holder to notice');
    await asleep(crashedClock, STANDBY_TIMERS);
    clock.advance(NEXT_POLL_MS);
    await asleep(clock, HOLDER_TIMERS);
    expect(survivor.heard).toHaveLength(heardBefore);
    simulator.control.register(accountId, deviceId);
  });

  it('is released when its holder stops, and taken by the next instance at its next retry', async () => {
    const clock = manualClock();
    const leaving = instance(clock);
    await asleep(clock, HOLDER_TIMERS);
    const staying = instance(clock);
    await asleep(clock, HOLDER_TIMERS + STANDBY_TIMERS);

    await leaving.watch.close();
    expect(await redis.get(leaseKey())).toBeNull();
    expect(clock.pending).toBe(STANDBY_TIMERS);
    clock.advance(NEXT_LEASE_RETRY_MS);
    await asleep(clock, HOLDER_TIMERS);
    expect(staying.polls()).toBe(1);
  });
});
