// The bounded queue behind each subscription: what a slow consumer may hold, and how it ends.
import { describe, expect, it } from 'vitest';
import { SubscriberQueue } from '../../src/subscriptions/subscriber-queue.js';

function queue(capacity: number): { events: SubscriberQueue<number>; finished: () => number } {
  let finished = 0;
  const events = new SubscriberQueue<number>(capacity, () => {
    finished += 1;
  });
  return { events, finished: () => finished };
}

describe('SubscriberQueue', () => {
  it('hands out events in order, waking a waiting consumer', async () => {
    const { events } = queue(10);
    const waiting = events.next();
    events.pushBatch([1, 2]);
    events.pushBatch([3]);
    expect(await waiting).toEqual({ done: false, value: 1 });
    expect(await events.next()).toEqual({ done: false, value: 2 });
    expect(await events.next()).toEqual({ done: false, value: 3 });
  });

  it('takes a batch of any size from a subscriber that has caught up', () => {
    const { events } = queue(2);
    expect(events.pushBatch([1, 2, 3, 4, 5])).toBe(true);
    expect(events.pending).toBe(5);
  });

  it('drops a subscriber still holding events when the total would pass the capacity', async () => {
    const { events, finished } = queue(3);
    expect(events.pushBatch([1])).toBe(true);
    expect(events.pushBatch([2, 3])).toBe(true);
    expect(events.pushBatch([4])).toBe(false);
    expect(events.isFinished).toBe(true);
    expect(events.pending).toBe(0);
    expect(finished()).toBe(1);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('ends with the error it failed with, once, dropping what was left', async () => {
    const { events, finished } = queue(10);
    events.pushBatch([1, 2]);
    events.fail(new Error('token expired'));
    expect(finished()).toBe(1);
    await expect(events.next()).rejects.toThrow('token expired');
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects a waiting consumer at once when it fails', async () => {
    const { events } = queue(10);
    const waiting = events.next();
    events.fail(new Error('refused'));
    await expect(waiting).rejects.toThrow('refused');
  });

  it('finishes once when the consumer leaves, and ignores later events', async () => {
    const { events, finished } = queue(10);
    const waiting = events.next();
    await events.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    events.pushBatch([1]);
    events.fail(new Error('late'));
    expect(finished()).toBe(1);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('keeps its order across thousands of events', async () => {
    const { events } = queue(10);
    const batch = Array.from({ length: 5_000 }, (_, index) => index);
    events.pushBatch(batch);
    const seen: number[] = [];
    for (let index = 0; index < batch.length; index++) {
      const result = await events.next();
      if (result.done !== true) seen.push(result.value);
    }
    expect(seen).toEqual(batch);
    expect(events.pending).toBe(0);
  });
});
