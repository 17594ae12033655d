// The bus shared by several gateway instances through Redis (REDIS_URL): messages on a pub/sub channel per topic and
// account, the snapshot in a key that lives as long as the lease plus two more periods (so a new holder carries on
// from it after a crash), and the lease of redis-lease.ts. Every key starts with the configured prefix. Pub/sub drops
// what is published while the subscriber connection is down: when it is back, every listener is told (onResume) so
// it can look at the snapshot for what it missed.
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { channelName } from './bus.js';
import type { BusListener, Channel, LiveBus, StoredSnapshot } from './bus.js';
import { acquireLease, releaseLease, renewLease } from './redis-lease.js';

interface RedisBusOptions {
  url: string;
  /** Prepended to every key and channel, e.g. `kazoo-gateway:`. */
  keyPrefix: string;
  leaseMs: number;
  logger: Logger;
  /** How its connections are named in Redis's CLIENT LIST (`<name>:commands`, `<name>:subscriber`). */
  connectionName?: string;
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

export class RedisBus implements LiveBus {
  private readonly commands: Redis;
  /** A connection in subscribe mode can run no other command, hence a second one. */
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<BusListener>>();
  /** Whether the subscriber connection was ready once and then lost: the next `ready` is a resumption. */
  private subscriberLost = false;
  private readonly snapshotTtlMs: number;

  constructor(private readonly options: RedisBusOptions) {
    const connection = { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS };
    const name = options.connectionName ?? 'kazoo-gateway';
    this.commands = new Redis(options.url, { ...connection, connectionName: `${name}:commands` });
    this.subscriber = new Redis(options.url, { ...connection, connectionName: `${name}:subscriber` });
    this.snapshotTtlMs = options.leaseMs * 3;
    this.logErrors(this.commands, 'commands');
    this.logErrors(this.subscriber, 'subscriber');
    this.subscriber.on('message', (channel: string, raw: string) => this.dispatch(channel, raw));
    this.subscriber.on('close', () => {
      this.subscriberLost = true;
    });
    // ioredis subscribes again on reconnecting, right after this event; what was published in between is gone. A PING
    // sent after those SUBSCRIBEs answers once they are in place: from then on, a look at the snapshot misses nothing.
    this.subscriber.on('ready', () => {
      if (!this.subscriberLost) return;
      this.subscriberLost = false;
      setImmediate(() => {
        const resume = (): void => {
          for (const listeners of [...this.listeners.values()]) for (const listener of [...listeners]) listener.onResume();
        };
        this.subscriber.ping().then(resume, resume);
      });
    });
  }

  async listen(bus: Channel, listener: BusListener): Promise<() => Promise<void>> {
    const channel = this.keys(bus).channel;
    let listeners = this.listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
    }
    listeners.add(listener);
    const own = listeners;
    const stop = async (): Promise<void> => {
      own.delete(listener);
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

  async readSnapshot(channel: Channel): Promise<StoredSnapshot | undefined> {
    const keys = this.keys(channel);
    const [lease, raw] = await this.commands.mget(keys.lease, keys.snapshot);
    if (raw === null || raw === undefined) return undefined;
    let snapshot: unknown;
    try {
      snapshot = JSON.parse(raw);
    } catch {
      // Checked by its reader like any other value it cannot use: as if there were none.
      snapshot = undefined;
    }
    return { snapshot, holder: lease ?? undefined };
  }

  acquire(channel: Channel, lease: string): Promise<boolean> {
    return acquireLease(this.commands, this.keys(channel).lease, lease, this.options.leaseMs);
  }

  renew(channel: Channel, lease: string): Promise<boolean> {
    const keys = this.keys(channel);
    return renewLease(this.commands, keys.lease, lease, this.options.leaseMs, {
      keys: [keys.snapshot],
      ttlMs: this.snapshotTtlMs,
    });
  }

  release(channel: Channel, lease: string): Promise<void> {
    return releaseLease(this.commands, this.keys(channel).lease, lease);
  }

  async commit(channel: Channel, lease: string, snapshot: unknown, message: unknown): Promise<boolean> {
    const keys = this.keys(channel);
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

  private keys(channel: Channel): { lease: string; snapshot: string; channel: string } {
    const base = `${this.options.keyPrefix}${channelName(channel)}`;
    return { lease: `${base}:lease`, snapshot: `${base}:snapshot`, channel: `${base}:changes` };
  }

  private dispatch(channel: string, raw: string): void {
    const listeners = this.listeners.get(channel);
    if (listeners === undefined) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      // Its listeners see the gap it leaves at the next message, and repair it.
      this.options.logger.warn({ channel }, 'ignored an unreadable live message from Redis');
      return;
    }
    for (const listener of [...listeners]) listener.onMessage(message);
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
