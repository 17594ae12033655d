// The feed shared by several gateway instances through Redis (REDIS_URL): change messages on a pub/sub channel per
// account, the snapshot in a key that lives as long as the lease plus two more periods (so a new holder carries on
// from it after a crash), and the lease of redis-lease.ts. Every key starts with the configured prefix.
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { FeedMessage, RegistrationFeed, RegistrationSnapshot, StoredSnapshot } from './feed.js';
import { acquireLease, releaseLease, renewLease } from './redis-lease.js';

interface RedisFeedOptions {
  url: string;
  /** Prepended to every key and channel, e.g. `kazoo-gateway:`. */
  keyPrefix: string;
  leaseMs: number;
  logger: Logger;
}

/** A Redis call that takes longer fails instead of stalling a poll or a shutdown. */
const COMMAND_TIMEOUT_MS = 5_000;
const QUIT_TIMEOUT_MS = 1_000;

/** Stores the snapshot and publishes the message only while the caller holds the lease, in one step. */
const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1`;

export class RedisFeed implements RegistrationFeed {
  private readonly commands: Redis;
  /** A connection in subscribe mode can run no other command, hence a second one. */
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<(message: FeedMessage) => void>>();
  private readonly snapshotTtlMs: number;

  constructor(private readonly options: RedisFeedOptions) {
    const connection = { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS };
    this.commands = new Redis(options.url, connection);
    this.subscriber = new Redis(options.url, connection);
    this.snapshotTtlMs = options.leaseMs * 3;
    this.logErrors(this.commands, 'commands');
    this.logErrors(this.subscriber, 'subscriber');
    this.subscriber.on('message', (channel: string, raw: string) => this.dispatch(channel, raw));
  }

  async listen(accountId: string, onMessage: (message: FeedMessage) => void): Promise<() => Promise<void>> {
    const channel = this.keys(accountId).channel;
    let listeners = this.listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
    }
    listeners.add(onMessage);
    const own = listeners;
    const stop = async (): Promise<void> => {
      own.delete(onMessage);
      if (own.size === 0 && this.listeners.get(channel) === own) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel);
      }
    };
    try {
      // Every listener waits for the SUBSCRIBE: ioredis runs commands of one connection in order.
      await this.subscriber.subscribe(channel);
    } catch (error) {
      await stop().catch(() => undefined);
      throw error;
    }
    return stop;
  }

  async readSnapshot(accountId: string): Promise<StoredSnapshot | undefined> {
    const keys = this.keys(accountId);
    const [lease, raw] = await this.commands.mget(keys.lease, keys.snapshot);
    if (raw === null || raw === undefined) return undefined;
    const snapshot = JSON.parse(raw) as RegistrationSnapshot;
    return { snapshot, current: lease !== null && lease === snapshot.lease };
  }

  acquire(accountId: string, lease: string): Promise<boolean> {
    return acquireLease(this.commands, this.keys(accountId).lease, lease, this.options.leaseMs);
  }

  renew(accountId: string, lease: string): Promise<boolean> {
    const keys = this.keys(accountId);
    return renewLease(this.commands, keys.lease, lease, this.options.leaseMs, {
      keys: [keys.snapshot],
      ttlMs: this.snapshotTtlMs,
    });
  }

  release(accountId: string, lease: string): Promise<void> {
    return releaseLease(this.commands, this.keys(accountId).lease, lease);
  }

  async commit(
    accountId: string,
    lease: string,
    snapshot: RegistrationSnapshot,
    message: FeedMessage | undefined,
  ): Promise<boolean> {
    const keys = this.keys(accountId);
    const result = await this.commands.eval(
      COMMIT,
      2,
      keys.lease,
      keys.snapshot,
      lease,
      JSON.stringify(snapshot),
      this.snapshotTtlMs,
      keys.channel,
      message === undefined ? '' : JSON.stringify(message),
    );
    return result === 1;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.commands, this.subscriber].map((connection) => quit(connection)));
  }

  private keys(accountId: string): { lease: string; snapshot: string; channel: string } {
    const base = `${this.options.keyPrefix}registrations:${accountId}`;
    return { lease: `${base}:lease`, snapshot: `${base}:snapshot`, channel: `${base}:changes` };
  }

  private dispatch(channel: string, raw: string): void {
    const listeners = this.listeners.get(channel);
    if (listeners === undefined) return;
    let message: FeedMessage;
    try {
      message = JSON.parse(raw) as FeedMessage;
    } catch {
      this.options.logger.warn({ channel }, 'ignored an unreadable registration message from Redis');
      return;
    }
    for (const listener of [...listeners]) listener(message);
  }

  /** One warning per outage rather than one per reconnection attempt. */
  private logErrors(connection: Redis, role: string): void {
    let reported = false;
    connection.on('error', (error: Error) => {
      if (reported) return;
      reported = true;
      this.options.logger.warn({ role, err: { message: error.message } }, 'Redis connection failed; retrying');
    });
    connection.on('ready', () => {
      if (reported) this.options.logger.info({ role }, 'Redis connection restored');
      reported = false;
    });
  }
}

async function quit(connection: Redis): Promise<void> {
  const timer = setTimeout(() => connection.disconnect(), QUIT_TIMEOUT_MS);
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
