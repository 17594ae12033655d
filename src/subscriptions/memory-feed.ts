// The feed of a single gateway (no REDIS_URL): leases, snapshots and messages live in this process. A snapshot is
// forgotten when its lease is released, since no other instance could carry on from it.
import type { FeedMessage, RegistrationFeed, RegistrationSnapshot, StoredSnapshot } from './feed.js';

export class MemoryFeed implements RegistrationFeed {
  private readonly leases = new Map<string, string>();
  private readonly snapshots = new Map<string, RegistrationSnapshot>();
  private readonly listeners = new Map<string, Set<(message: FeedMessage) => void>>();

  async listen(accountId: string, onMessage: (message: FeedMessage) => void): Promise<() => Promise<void>> {
    const listeners = this.listeners.get(accountId) ?? new Set();
    listeners.add(onMessage);
    this.listeners.set(accountId, listeners);
    return async () => {
      listeners.delete(onMessage);
      if (listeners.size === 0 && this.listeners.get(accountId) === listeners) this.listeners.delete(accountId);
    };
  }

  async readSnapshot(accountId: string): Promise<StoredSnapshot | undefined> {
    const snapshot = this.snapshots.get(accountId);
    return snapshot === undefined ? undefined : { snapshot, current: snapshot.lease === this.leases.get(accountId) };
  }

  async acquire(accountId: string, lease: string): Promise<boolean> {
    if (this.leases.has(accountId)) return false;
    this.leases.set(accountId, lease);
    return true;
  }

  async renew(accountId: string, lease: string): Promise<boolean> {
    return this.leases.get(accountId) === lease;
  }

  async release(accountId: string, lease: string): Promise<void> {
    if (this.leases.get(accountId) !== lease) return;
    this.leases.delete(accountId);
    this.snapshots.delete(accountId);
  }

  async commit(
    accountId: string,
    lease: string,
    snapshot: RegistrationSnapshot,
    message: FeedMessage | undefined,
  ): Promise<boolean> {
    if (this.leases.get(accountId) !== lease) return false;
    this.snapshots.set(accountId, snapshot);
    if (message !== undefined) {
      // Delivered on a later tick, like a Redis message: a listener never runs inside the poller's commit.
      const listeners = [...(this.listeners.get(accountId) ?? [])];
      queueMicrotask(() => {
        for (const listener of listeners) listener(message);
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
