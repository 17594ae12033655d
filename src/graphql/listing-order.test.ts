// Orders the gateway sorts itself: pages through the sorted listing with keyset cursors that survive changes to the
// listing between requests, and a bound on what one ordered listing may read.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ListPage } from '../kazoo/listing.js';
import { MAX_ORDER_PAGES, readWholeListing, sortedPage } from './listing-order.js';
import type { Direction } from './listing-order.js';
import { CursorCodec, MAX_PAGE } from './pagination.js';
import type { SortedPosition } from './pagination.js';

interface Row {
  id: string;
  name: string;
  owner?: string;
}

const cursors = CursorCodec.withRandomKey();

/**
 * Follows endCursor to the end over `rowsNow()` (read again for every page, as the gateway reads Kazoo again): the
 * rows of each page.
 */
function walk(
  rowsNow: () => Row[],
  first: number,
  direction: Direction,
  valuesOf: (row: Row) => (string | null)[] = (row) => [row.name],
): Row[][] {
  const order = `TEST:${direction}`;
  const pages: Row[][] = [];
  let after: SortedPosition | undefined;
  for (;;) {
    const connection = sortedPage({ rows: rowsNow(), valuesOf, idOf: (row) => row.id, order, direction, first, after, cursors, toNode: (row) => row });
    pages.push(connection.nodes);
    if (!connection.pageInfo.hasNextPage) return pages;
    after = cursors.decodeSorted(connection.pageInfo.endCursor, order);
    if (pages.length > 1_000) throw new Error('the walk does not end');
  }
}

const rows = (...names: string[]): Row[] => names.map((name, index) => ({ id: `id${String(index).padStart(3, '0')}`, name }));
const names = (pages: Row[][]): string[][] => pages.map((page) => page.map((row) => row.name));

describe('sorted pages', () => {
  it('sort names as people read them: case and accents aside, numbers by value', () => {
    const listing = rows('desk 10', 'Desk 9', 'Ëlena', 'elena', 'Annex', 'Desk 100', 'bruno');
    expect(names(walk(() => listing, 3, 'ASC'))).toEqual([['Annex', 'bruno', 'Desk 9'], ['desk 10', 'Desk 100', 'Ëlena'], ['elena']]);
    expect(names(walk(() => listing, 3, 'DESC')).flat()).toEqual(['elena', 'Ëlena', 'Desk 100', 'desk 10', 'Desk 9', 'bruno', 'Annex']);
  });

  it('break ties by id, so equal names are neither skipped nor repeated across pages', () => {
    const listing = rows(...Array.from({ length: 25 }, () => 'Lobby Phone'));
    const pages = walk(() => listing, 4, 'ASC');
    expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 4, 4, 4, 1]);
    expect(pages.flat().map((row) => row.id)).toEqual(listing.map((row) => row.id));
  });

  it('put missing values last in either direction', () => {
    const listing: Row[] = [
      { id: 'a', name: 'A', owner: 'Zoe' },
      { id: 'b', name: 'B' },
      { id: 'c', name: 'C', owner: 'Alice' },
    ];
    const byOwner = (row: Row) => [row.owner ?? null, row.name];
    expect(names(walk(() => listing, 2, 'ASC', byOwner)).flat()).toEqual(['C', 'A', 'B']);
    expect(names(walk(() => listing, 2, 'DESC', byOwner)).flat()).toEqual(['A', 'C', 'B']);
  });

  it('go on after the last row shown when rows are added and removed between requests', () => {
    const listing = rows('b', 'd', 'f', 'h', 'j', 'l');
    let request = 0;
    // Before each page after the first: a row sorting before the position is added, and one already shown removed.
    const changing = (): Row[] => {
      request++;
      if (request === 1) return listing;
      return [...listing.slice(request), { id: `new${request}`, name: 'a' }];
    };
    expect(names(walk(changing, 2, 'ASC')).flat()).toEqual(['b', 'd', 'f', 'h', 'j', 'l']);
  });
});

describe('reading a whole listing', () => {
  /** A Kazoo-like listing of `count` rows, counting the pages asked for. */
  function listing(count: number) {
    let calls = 0;
    const fetchPage = async (startKey: string | undefined, pageSize: number): Promise<ListPage<{ id: number }>> => {
      calls++;
      const from = startKey === undefined ? 0 : Number(startKey);
      const items = Array.from({ length: Math.max(0, Math.min(pageSize, count - from)) }, (_, index) => ({ id: from + index }));
      return { items, nextStartKey: from + pageSize < count ? String(from + pageSize) : undefined };
    };
    return { fetchPage, calls: () => calls };
  }

  it(`reads up to ${MAX_ORDER_PAGES} pages of ${MAX_PAGE}`, async () => {
    const kazoo = listing(MAX_ORDER_PAGES * MAX_PAGE);
    expect(await readWholeListing(kazoo.fetchPage, 'devices')).toHaveLength(MAX_ORDER_PAGES * MAX_PAGE);
    expect(kazoo.calls()).toBe(MAX_ORDER_PAGES);
  });

  it('refuses a listing longer than that with LISTING_TOO_LARGE, after reading no more', async () => {
    const kazoo = listing(MAX_ORDER_PAGES * MAX_PAGE + 1);
    const refusal = await readWholeListing(kazoo.fetchPage, 'devices').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions).toEqual({ code: 'LISTING_TOO_LARGE', maxRows: MAX_ORDER_PAGES * MAX_PAGE });
    expect(kazoo.calls()).toBe(MAX_ORDER_PAGES);
  });
});
