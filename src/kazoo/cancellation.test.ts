// The Cancellation every HTTP request, coalesced read and call deadline uses in place of an AbortController: it must
// behave as one does for the calls that watch it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cancellation, childController, deadlineAfter, unlessCancelled } from './cancellation.js';

describe('Cancellation', () => {
  afterEach(() => vi.useRealTimers());

  it('runs each listener once, in order, and not those removed or added after the abort', () => {
    const cancellation = new Cancellation();
    const heard: string[] = [];
    const removed = (): void => {
      heard.push('removed');
    };
    cancellation.addEventListener('abort', () => heard.push('first'));
    cancellation.addEventListener('abort', removed);
    cancellation.addEventListener('abort', () => heard.push('second'));
    cancellation.removeEventListener('abort', removed);
    cancellation.abort();
    cancellation.abort();
    cancellation.addEventListener('abort', () => heard.push('late'));
    expect(heard).toEqual(['first', 'second']);
    expect(cancellation.aborted).toBe(true);
  });

  it('fails what waits on it with CANCELLED, and lets what finished first through', async () => {
    const cancellation = new Cancellation();
    await expect(unlessCancelled(Promise.resolve('answer'), cancellation)).resolves.toBe('answer');
    const waiting = unlessCancelled(new Promise(() => undefined), cancellation);
    cancellation.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('aborts a child with its parent, and not once released', () => {
    const parent = new Cancellation();
    const child = childController(parent);
    const released = childController(parent);
    released.release();
    parent.abort();
    expect(child.signal.aborted).toBe(true);
    expect(released.signal.aborted).toBe(false);
  });

  it('makes a deadline that aborts with a TimeoutError, unless cleared first', () => {
    vi.useFakeTimers();
    const deadline = deadlineAfter(1_000);
    const cleared = deadlineAfter(1_000);
    cleared.clear();
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'TimeoutError' });
    expect(cleared.signal.aborted).toBe(false);
  });
});
