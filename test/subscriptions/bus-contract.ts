// The contract every LiveBus keeps (src/subscriptions/bus.ts), as one suite that bus.test.ts runs against each
// adapter: the lease is held by one instance at a time and only its holder renews, commits and releases it; commits
// are fenced by the lease; every listener of a channel hears its messages, and no other channel's; the snapshot says
// who holds the lease, so a reader can tell a current one from one left by a holder that is gone.
import { describe, expect, it } from 'vitest';
import type { BusListener, Channel, LiveBus } from '../../src/subscriptions/bus.js';
import { waitFor } from './helpers.js';

export interface BusFactory {
  /** A bus as one gateway instance has it; the same factory gives instances that share the medium. */
  instance(): LiveBus;
  /** Ends the lease now, as if its holder had stopped renewing it a whole period ago. */
  expireLease(channel: Channel): Promise<void>;
}

function listener(heard: unknown[]): BusListener {
  return { onMessage: (message) => heard.push(message), onResume: () => undefined };
}

export function busContract(name: string, factory: () => BusFactory, channelOf: () => Channel): void {
  describe(`${name}: the LiveBus contract`, () => {
    it('grants the lease to one instance at a time; only the holder renews, commits and releases it', async () => {
      const buses = factory();
      const channel = channelOf();
      const [first, second] = [buses.instance(), buses.instance()];
      const heard: unknown[] = [];
      await second.listen(channel, listener(heard));

      expect(await first.acquire(channel, 'lease-1')).toBe(true);
      expect(await second.acquire(channel, 'lease-2')).toBe(false);
      expect(await second.renew(channel, 'lease-2')).toBe(false);
      expect(await first.renew(channel, 'lease-1')).toBe(true);

      expect(await second.commit(channel, 'lease-2', { seq: 1 }, { seq: 1 })).toBe(false);
      expect(await first.commit(channel, 'lease-1', { seq: 2 }, { seq: 2 })).toBe(true);
      await waitFor(() => heard.length === 1, 'the message on the other instance');
      expect(heard).toEqual([{ seq: 2 }]);
      expect(await second.readSnapshot(channel)).toEqual({ snapshot: { seq: 2 }, holder: 'lease-1' });

      await second.release(channel, 'lease-2');
      expect(await second.acquire(channel, 'lease-2')).toBe(false);
      await first.release(channel, 'lease-1');
      // Released: nobody holds it, so no snapshot is current (Redis keeps it for a new holder to carry on from).
      expect((await second.readSnapshot(channel))?.holder).toBeUndefined();
      expect(await second.acquire(channel, 'lease-2')).toBe(true);
      await second.release(channel, 'lease-2');
    });

    it('lets another instance take a lease its holder stopped renewing, and fences the old holder out', async () => {
      const buses = factory();
      const channel = channelOf();
      const [crashed, survivor] = [buses.instance(), buses.instance()];
      expect(await crashed.acquire(channel, 'crashed')).toBe(true);
      expect(await survivor.acquire(channel, 'survivor')).toBe(false);
      await buses.expireLease(channel);
      expect(await survivor.acquire(channel, 'survivor')).toBe(true);
      expect(await crashed.renew(channel, 'crashed')).toBe(false);
      expect(await crashed.commit(channel, 'crashed', { seq: 1 }, { seq: 1 })).toBe(false);
      expect((await survivor.readSnapshot(channel))?.snapshot).not.toEqual({ seq: 1 });
      await survivor.release(channel, 'survivor');
    });

    it('delivers a channel’s messages to each of its listeners, in order, and to no other channel’s', async () => {
      const buses = factory();
      const channel = channelOf();
      const other = channelOf();
      const [writer, reader] = [buses.instance(), buses.instance()];
      const heard: unknown[] = [];
      const alsoHeard: unknown[] = [];
      const otherHeard: unknown[] = [];
      const stop = await reader.listen(channel, listener(heard));
      await reader.listen(channel, listener(alsoHeard));
      await reader.listen(other, listener(otherHeard));
      expect(await writer.acquire(channel, 'lease')).toBe(true);
      for (const seq of [1, 2, 3]) expect(await writer.commit(channel, 'lease', { seq }, { seq })).toBe(true);
      // A commit with no message stores the snapshot only.
      expect(await writer.commit(channel, 'lease', { seq: 3, again: true }, undefined)).toBe(true);
      await waitFor(() => heard.length === 3 && alsoHeard.length === 3, 'three messages on both listeners');
      expect(heard).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
      expect((await reader.readSnapshot(channel))?.snapshot).toEqual({ seq: 3, again: true });
      await stop();
      expect(await writer.commit(channel, 'lease', { seq: 4 }, { seq: 4 })).toBe(true);
      await waitFor(() => alsoHeard.length === 4, 'the fourth message on the listener left');
      expect(heard).toHaveLength(3);
      expect(otherHeard).toEqual([]);
      await writer.release(channel, 'lease');
    });
  });
}
