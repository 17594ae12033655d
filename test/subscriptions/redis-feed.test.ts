// The Redis feed against a real Redis: the lease (SET NX PX, renewed and released only by its holder, taken over
// after it expires), commits fenced by the lease, messages heard by every instance, keys under the prefix only.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { FeedMessage, RegistrationSnapshot } from '../../src/subscriptions/feed.js';
import { RedisFeed } from '../../src/subscriptions/redis-feed.js';
import { waitFor } from './helpers.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test:redis-feed:${randomUUID()}:`;
const accountId = 'a'.repeat(32);
const leaseKey = `${prefix}registrations:${accountId}:lease`;
const feeds: RedisFeed[] = [];
const redis = new Redis(REDIS_URL);

function feed(leaseMs = 2_000, keyPrefix = prefix): RedisFeed {
  const created = new RedisFeed({ url: REDIS_URL, keyPrefix, leaseMs, logger: createLogger('silent') });
  feeds.push(created);
  return created;
}

function snapshot(lease: string, seq: number): RegistrationSnapshot {
  return { seq, at: new Date().toISOString(), lease, devices: { [`${seq}`.padStart(32, '0')]: null } };
}

function message(seq: number): FeedMessage {
  return { accountId, seq, at: new Date().toISOString(), changes: [] };
}

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((each) => each.close()));
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('RedisFeed', () => {
  it('grants the lease to one instance at a time; only the holder renews, commits and releases it', async () => {
    const [first, second] = [feed(), feed()];
    const heard: FeedMessage[] = [];
    await second.listen(accountId, (received) => heard.push(received));

    expect(await first.acquire(accountId, 'lease-1')).toBe(true);
    expect(await second.acquire(accountId, 'lease-2')).toBe(false);
    expect(await second.renew(accountId, 'lease-2')).toBe(false);
    expect(await first.renew(accountId, 'lease-1')).toBe(true);

    expect(await second.commit(accountId, 'lease-2', snapshot('lease-2', 1), message(1))).toBe(false);
    expect(await first.commit(accountId, 'lease-1', snapshot('lease-1', 2), message(2))).toBe(true);
    await waitFor(() => heard.length === 1, 'the message on the other instance');
    expect(heard.map((received) => received.seq)).toEqual([2]);
    expect(await second.readSnapshot(accountId)).toMatchObject({ current: true, snapshot: { seq: 2, lease: 'lease-1' } });
    // A renewal starts the period again: a lease nearly run out has a whole one, its snapshot three.
    await redis.pexpire(leaseKey, 50);
    expect(await first.renew(accountId, 'lease-1')).toBe(true);
    expect(await redis.pttl(leaseKey)).toBeGreaterThan(1_000);
    expect(await redis.pttl(`${prefix}registrations:${accountId}:snapshot`)).toBeGreaterThan(4_000);

    await second.release(accountId, 'lease-2');
    expect(await second.acquire(accountId, 'lease-2')).toBe(false);
    await first.release(accountId, 'lease-1');
    // The snapshot outlives its lease (a new holder carries on from it) but is no longer current.
    expect(await second.readSnapshot(accountId)).toMatchObject({ current: false, snapshot: { seq: 2 } });
    expect(await second.acquire(accountId, 'lease-2')).toBe(true);
    await second.release(accountId, 'lease-2');
  });

  it('lets another instance take a lease its holder stopped renewing', async () => {
    const [crashed, survivor] = [feed(), feed()];
    expect(await crashed.acquire(accountId, 'crashed')).toBe(true);
    expect(await survivor.acquire(accountId, 'survivor')).toBe(false);
    // Redis drops a lease one period after it was taken or last renewed; let that period pass now.
    const ttl = await redis.pttl(leaseKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
    await redis.pexpire(leaseKey, 0);
    expect(await survivor.acquire(accountId, 'survivor')).toBe(true);
    expect(await crashed.renew(accountId, 'crashed')).toBe(false);
    expect(await crashed.commit(accountId, 'crashed', snapshot('crashed', 1), message(1))).toBe(false);
    await survivor.release(accountId, 'survivor');
  });

  it('keeps instances with different prefixes apart', async () => {
    const [ours, theirs] = [feed(), feed(2_000, `test:redis-feed:${randomUUID()}:`)];
    expect(await ours.acquire(accountId, 'ours')).toBe(true);
    expect(await theirs.acquire(accountId, 'theirs')).toBe(true);
    await ours.release(accountId, 'ours');
    await theirs.release(accountId, 'theirs');
    expect((await redis.keys(`${prefix}*`)).every((key) => key.startsWith(`${prefix}registrations:${accountId}:`))).toBe(true);
  });
});
