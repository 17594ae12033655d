// How many rows each account's whole listings held when the gateway last read them, so the cost model
// (src/server/operation-cost.ts) can charge a read of a whole listing what it will read: a listing's length is only
// known once it has been read, and the next operation on the same account is then costed from it (an account of
// 20,000 users costs 20 listing pages, not 1). Shared by every request of the process, fed by the loaders after each
// whole listing, bounded: the accounts listed least recently are forgotten first, and a forgotten account is costed
// as one never read.
import { FULL_LISTING_PAGE_SIZE } from '../kazoo/listing.js';

/** The listings read whole: an account's devices and its users. */
export type Listing = 'devices' | 'users';

/**
 * Accounts remembered: a few hundred bytes each, so about a megabyte at most, while every account a gateway serves
 * at once (thousands for a reseller) fits.
 */
const MAX_ACCOUNTS_REMEMBERED = 10_000;

export class ListingSizes {
  /** Rows by listing, by account; in the order they were last learned, oldest first. */
  readonly #rows = new Map<string, Partial<Record<Listing, number>>>();

  #version = 0;

  constructor(private readonly maxAccounts = MAX_ACCOUNTS_REMEMBERED) {}

  /**
   * Changes whenever what the cost model may read here changes: an account's pages learned, changed or forgotten
   * (a re-read of the same size changes nothing), so cost analyses can be kept until it does.
   */
  get version(): number {
    return this.#version;
  }

  /** After a whole listing of an account was read: `rows` is how many it returned. */
  learn(accountId: string, listing: Listing, rows: number): void {
    const before = this.pagesOf(accountId, listing);
    const known = this.#rows.get(accountId) ?? {};
    this.#rows.delete(accountId);
    this.#rows.set(accountId, { ...known, [listing]: rows });
    if (this.pagesOf(accountId, listing) !== before) this.#version++;
    if (this.#rows.size > this.maxAccounts) {
      this.#rows.delete(this.#rows.keys().next().value as string);
      this.#version++;
    }
  }

  /** The Kazoo pages the account's listing took when last read whole; undefined when it was not (or is forgotten). */
  pagesOf(accountId: string, listing: Listing): number | undefined {
    const rows = this.#rows.get(accountId)?.[listing];
    // Kazoo looks one row ahead itself: n rows take ceil(n / page size) pages, and an empty listing one.
    return rows === undefined ? undefined : Math.max(1, Math.ceil(rows / FULL_LISTING_PAGE_SIZE));
  }

  /** Accounts remembered now. */
  get size(): number {
    return this.#rows.size;
  }
}
