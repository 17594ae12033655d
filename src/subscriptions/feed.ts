// The medium between the gateway instances watching one Kazoo: per account, a lease (so exactly one instance polls),
// the last reading of the account's registrations (the snapshot: where a new poller carries on from, and what
// `initial: true` subscribers start from), and a channel of change messages that every instance hears.
// memory-feed.ts serves a single gateway; redis-feed.ts lets several gateways share one Redis.
import type { RegisteredDevices, RegistrationChange } from './registration-diff.js';

export interface RegistrationSnapshot {
  /** The `seq` of the last change message: messages with a higher `seq` describe what happened after this state. */
  seq: number;
  /** ISO-8601 time of the Kazoo reading. */
  at: string;
  /** The lease under which it was written. */
  lease: string;
  devices: RegisteredDevices;
}

/** One poll's changes, published to every instance. */
export interface FeedMessage {
  accountId: string;
  seq: number;
  at: string;
  /** Empty on the first reading of a new lease holder: it only says that the snapshot is current again. */
  changes: RegistrationChange[];
}

export interface StoredSnapshot {
  snapshot: RegistrationSnapshot;
  /** Written by whoever holds the lease now, so it is what Kazoo reported at the last poll. */
  current: boolean;
}

export interface RegistrationFeed {
  /** Delivers the account's messages from now on (resolves once subscribed); returns how to stop. */
  listen(accountId: string, onMessage: (message: FeedMessage) => void): Promise<() => Promise<void>>;
  readSnapshot(accountId: string): Promise<StoredSnapshot | undefined>;
  /** Takes the account's lease under a fresh `lease` id when nobody holds it. */
  acquire(accountId: string, lease: string): Promise<boolean>;
  /** Extends the lease; false when it was lost (expired and taken, or released). */
  renew(accountId: string, lease: string): Promise<boolean>;
  release(accountId: string, lease: string): Promise<void>;
  /**
   * Stores a snapshot and publishes a message (when given), both only if `lease` is still held: an instance that lost
   * its lease without noticing can never publish next to the new holder. False when the lease was not held.
   */
  commit(accountId: string, lease: string, snapshot: RegistrationSnapshot, message: FeedMessage | undefined): Promise<boolean>;
  close(): Promise<void>;
}
