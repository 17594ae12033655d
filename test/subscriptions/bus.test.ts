// The LiveBus contract (bus-contract.ts) against both adapters: in memory (one gateway) and over a real Redis (several
// gateways), plus what only Redis can do: lose its subscriber connection and tell its listeners when it is back.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Channel, LiveBus } from '../../src/subscriptions/bus.js';
import { MemoryBus } from '../../src/subscriptions/memory-bus.js';
import { RedisBus } from '../../src/subscriptions/redis-bus.js';
import { busContract } from './bus-contract.js';
import { waitFor } from './helpers.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test:bus:${randomUUID()}:`;
const redis = new Redis(REDIS_URL);
const opened: LiveBus[] = [];
const channelOf = (): Channel => ({ topic: 'registrations', accountId: randomUUID().replaceAll('-', '') });

function redisBus(keyPrefix = prefix, connectionName = `test-bus-${randomUUID()}`): RedisBus {
  const bus = new RedisBus({ url: REDIS_URL, keyPrefix, leaseMs: 2_000, logger: createLogger('silent'), connectionName });
  opened.push(bus);
  return bus;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

busContract(
  'MemoryBus',
  () => {
    // Instances of one process share one bus: that is what a single gateway is.
    const shared = new MemoryBus();
    opened.push(shared);
    return {
      instance: () => shared,
      expireLease: async () => {
        // An in-process lease is never left behind by a crashed holder; releasing it is what expiry amounts to.
        const leases = (shared as unknown as { leases: Map<string, string> }).leases;
        leases.clear();
      },
    };
  },
  channelOf,
);

busContract(
  'RedisBus',
  () => ({
    instance: () => redisBus(),
    expireLease: async (channel) => {
      await redis.pexpire(`${prefix}${channel.topic}:${channel.accountId}:lease`, 0);
    },
  }),
  channelOf,
);

describe('RedisBus', () => {
  it('keeps a renewed lease for a whole period and its snapshot for three', async () => {
    const bus = redisBus();
    const channel = channelOf();
    const base = `${prefix}registrations:${channel.accountId}`;
    expect(await bus.acquire(channel, 'lease')).toBe(true);
    expect(await bus.commit(channel, 'lease', { seq: 1 }, undefined)).toBe(true);
    await redis.pexpire(`${base}:lease`, 50);
    expect(await bus.renew(channel, 'lease')).toBe(true);
    expect(await redis.pttl(`${base}:lease`)).toBeGreaterThan(1_000);
    expect(await redis.pttl(`${base}:snapshot`)).toBeGreaterThan(4_000);
    await bus.release(channel, 'lease');
  });

  it('keeps instances with different prefixes apart', async () => {
    const channel = channelOf();
    const [ours, theirs] = [redisBus(), redisBus(`test:bus:${randomUUID()}:`)];
    expect(await ours.acquire(channel, 'ours')).toBe(true);
    expect(await theirs.acquire(channel, 'theirs')).toBe(true);
    await ours.release(channel, 'ours');
    await theirs.release(channel, 'theirs');
    expect((await redis.keys(`${prefix}*`)).every((key) => key.startsWith(`${prefix}registrations:`))).toBe(true);
  });

  it('tells its listeners when its subscription is back after the connection was lost', async () => {
    const channel = channelOf();
    const readerName = `test-bus-reader-${randomUUID()}`;
    const [writer, reader] = [redisBus(), redisBus(prefix, readerName)];
    const heard: unknown[] = [];
    let resumed = 0;
    await reader.listen(channel, { onMessage: (message) => heard.push(message), onResume: () => (resumed += 1) });
    expect(await writer.acquire(channel, 'lease')).toBe(true);
    // Kill the reader's subscriber connection (only it: other test files share this Redis).
    const clients = String(await redis.client('LIST'));
    const id = /id=(\d+) [^\n]*name=([^ ]+)/g;
    const killed = [...clients.matchAll(id)].filter((match) => match[2] === `${readerName}:subscriber`).map((match) => match[1]);
    expect(killed).toHaveLength(1);
    await redis.client('KILL', 'ID', String(killed[0]));
    await waitFor(() => resumed === 1, 'the listener told the subscription is back');
    // Subscribed again by then: the next message arrives.
    expect(await writer.commit(channel, 'lease', { seq: 1 }, { seq: 1 })).toBe(true);
    await waitFor(() => heard.length === 1, 'a message after the reconnection');
    await writer.release(channel, 'lease');
  });
});
