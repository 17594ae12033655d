// Listing sizes as the loaders learn them: pages per account, bounded, fed by every whole listing a loader reads.
import { describe, expect, it } from 'vitest';
import type { KazooSession } from '../kazoo/session.js';
import { ListingSizes } from './listing-sizes.js';
import { listingLoader } from './summaries.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);
/** The listing functions below never touch the session. */
const session = {} as KazooSession;

describe('listing sizes', () => {
  it('are Kazoo pages of 1000 rows, an empty listing one page, and unknown until a listing was read', () => {
    const sizes = new ListingSizes();
    expect(sizes.pagesOf(A, 'users')).toBeUndefined();
    for (const [rows, pages] of [[0, 1], [1, 1], [1000, 1], [1001, 2], [20_000, 20]] as const) {
      sizes.learn(A, 'users', rows);
      expect(sizes.pagesOf(A, 'users')).toBe(pages);
    }
    // Each listing of an account on its own.
    expect(sizes.pagesOf(A, 'devices')).toBeUndefined();
  });

  it('forget the account listed least recently first, past their bound', () => {
    const sizes = new ListingSizes(2);
    sizes.learn(A, 'users', 5_000);
    sizes.learn(B, 'users', 5_000);
    sizes.learn(A, 'devices', 3_000);
    sizes.learn(C, 'users', 5_000);
    expect(sizes.size).toBe(2);
    expect(sizes.pagesOf(B, 'users')).toBeUndefined();
    expect([sizes.pagesOf(A, 'users'), sizes.pagesOf(A, 'devices'), sizes.pagesOf(C, 'users')]).toEqual([5, 3, 5]);
  });

  it('are fed by a listing loader after each whole listing it reads, and not by one that failed', async () => {
    const sizes = new ListingSizes();
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ id: String(index) }));
    const users = listingLoader(session, async () => rows, { listing: 'users', learned: sizes });
    await users.load(A);
    expect(sizes.pagesOf(A, 'users')).toBe(20);
    const failing = listingLoader(session, () => Promise.reject(new Error('Kazoo is down')), { listing: 'devices', learned: sizes });
    await expect(failing.load(B)).rejects.toThrow('Kazoo is down');
    expect(sizes.pagesOf(B, 'devices')).toBeUndefined();
  });
});
