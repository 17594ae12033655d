// The bus of a single gateway (no REDIS_URL): leases, snapshots and messages live in this process. A snapshot is
// forgotten when its lease is released, since no other instance could carry on from it.
import { channelName } from './bus.js';
import type { BusListener, Channel, LiveBus, StoredSnapshot } from './bus.js';

export class MemoryBus implements LiveBus {
  private readonly leases = new Map<string, string>();
  private readonly snapshots = new Map<string, unknown>();
  private readonly listeners = new Map<string, Set<BusListener>>();

  async listen(channel: Channel, listener: BusListener): Promise<() => Promise<void>> {
    const name = channelName(channel);
    const listeners = this.listeners.get(name) ?? new Set();
    listeners.add(listener);
    this.listeners.set(name, listeners);
    return async () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(name) === listeners) this.listeners.delete(name);
    };
  }

  async readSnapshot(channel: Channel): Promise<StoredSnapshot | undefined> {
    const name = channelName(channel);
    return this.snapshots.has(name) ? { snapshot: this.snapshots.get(name), holder: this.leases.get(name) } : undefined;
  }

  async acquire(channel: Channel, lease: string): Promise<boolean> {
    const name = channelName(channel);
    if (this.leases.has(name)) return false;
    this.leases.set(name, lease);
    return true;
  }

  async renew(channel: Channel, lease: string): Promise<boolean> {
    return this.leases.get(channelName(channel)) === lease;
  }

  async release(channel: Channel, lease: string): Promise<void> {
    const name = channelName(channel);
    if (this.leases.get(name) !== lease) return;
    this.leases.delete(name);
    this.snapshots.delete(name);
  }

  async commit(channel: Channel, lease: string, snapshot: unknown, message: unknown): Promise<boolean> {
    const name = channelName(channel);
    if (this.leases.get(name) !== lease) return false;
    this.snapshots.set(name, snapshot);
    if (message !== undefined) {
      // Delivered on a later tick, like a Redis message: a listener never runs inside the holder's commit.
      const listeners = [...(this.listeners.get(name) ?? [])];
      queueMicrotask(() => {
        for (const listener of listeners) listener.onMessage(message);
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
