// The medium between the gateway instances watching one Kazoo, per channel (a topic of one account): a lease (so
// exactly one instance reads Kazoo for it), the last state written (the snapshot: where a new holder carries on from,
// what `initial: true` subscribers start from, and what an instance that missed messages repairs from), and the
// channel's messages, heard by every instance. memory-bus.ts serves a single gateway; redis-bus.ts lets several
// share one Redis. Both pass the test suite of test/subscriptions/bus-contract.ts. A bus carries JSON values and
// knows nothing of what they mean: wire.ts checks them on the way in.
import type { TopicName } from './topic.js';

export interface Channel {
  readonly topic: TopicName;
  readonly accountId: string;
}

export interface BusListener {
  onMessage(message: unknown): void;
  /**
   * The bus heard nothing for a while (its connection was lost and is back): messages may have been missed, and the
   * listener should look at the snapshot.
   */
  onResume(): void;
}

export interface StoredSnapshot {
  readonly snapshot: unknown;
  /** The lease holding the channel now, if any: a snapshot written under it is what Kazoo reported last. */
  readonly holder: string | undefined;
}

export interface LiveBus {
  /** Delivers the channel's messages from now on (resolves once subscribed); returns how to stop. */
  listen(channel: Channel, listener: BusListener): Promise<() => Promise<void>>;
  readSnapshot(channel: Channel): Promise<StoredSnapshot | undefined>;
  /** Takes the channel's lease under a fresh `lease` id when nobody holds it. */
  acquire(channel: Channel, lease: string): Promise<boolean>;
  /** Extends the lease; false when it was lost (expired and taken, or released). */
  renew(channel: Channel, lease: string): Promise<boolean>;
  release(channel: Channel, lease: string): Promise<void>;
  /**
   * Stores a snapshot and publishes a message (when given), both only if `lease` is still held: an instance that lost
   * its lease without noticing can never publish next to the new holder. False when the lease was not held.
   */
  commit(channel: Channel, lease: string, snapshot: unknown, message: unknown): Promise<boolean>;
  close(): Promise<void>;
}

export function channelName(channel: Channel): string {
  return `${channel.topic}:${channel.accountId}`;
}
