// Orders Kazoo cannot give. Kazoo 4.3 lists devices and users by id only (there is no sort parameter,
// kazoo-crossbar.md §3), so for `orderBy` the gateway reads the account's whole listing, MAX_PAGE rows per Kazoo
// call, sorts it and pages through the sorted rows itself. Nothing is kept between requests, so every page of an
// ordered listing reads the whole listing again: the reading is bounded, and past MAX_ORDER_PAGES Kazoo pages the
// field fails with LISTING_TOO_LARGE rather than sort a part of the account.
//
// Cursors are keyset positions: the sort values and id of the row a page ended with (SortedPosition), signed like
// every cursor and accepted only for the order they were made for. The next page starts at the first row after that
// position in the listing as read now, so a device added, removed or renamed between two requests moves no other
// device across the page boundary: no row is skipped or repeated.
import { gatewayError } from './errors.js';
import type { Connection } from './models.js';
import { connectionOf, Edge, MAX_PAGE } from './pagination.js';
import type { CursorCodec, FetchPage, SortedPosition } from './pagination.js';

/** Kazoo pages one ordered listing may read: MAX_ORDER_PAGES × MAX_PAGE = 20,000 rows. */
export const MAX_ORDER_PAGES = 20;

export type Direction = 'ASC' | 'DESC';

/**
 * Every row of a listing, in pages of MAX_PAGE from Kazoo (whose `filter_*` may keep fewer rows per page; each page
 * still covers MAX_PAGE rows of the account). LISTING_TOO_LARGE when it goes on past MAX_ORDER_PAGES pages.
 */
export async function readWholeListing<Row>(
  fetchPage: FetchPage<Row>,
  /** What is listed, for the error: `devices`, `users`. */
  listed: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  let startKey: string | undefined;
  for (let pagesRead = 0; pagesRead < MAX_ORDER_PAGES; pagesRead++) {
    const page = await fetchPage(startKey, MAX_PAGE);
    rows.push(...page.items);
    if (page.nextStartKey === undefined) return rows;
    startKey = page.nextStartKey;
  }
  const maxRows = MAX_ORDER_PAGES * MAX_PAGE;
  throw gatewayError(
    'LISTING_TOO_LARGE',
    `The account has more than ${maxRows.toLocaleString('en-US')} ${listed}, more than \`orderBy\` sorts: leave \`orderBy\` out to page through them in Kazoo's order`,
    { maxRows },
  );
}

/** Names as people read them: case and accents aside, numbers by value ("Desk 2" before "Desk 10"). */
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

interface SortKey {
  /** Sort values, most significant first; null (a missing value) comes last in either direction. */
  v: (string | null)[];
  /** The row's id: rows with equal values are ordered by it, so the order is total. */
  i: string;
}

function compareKeys(a: SortKey, b: SortKey, sign: 1 | -1): number {
  const length = Math.max(a.v.length, b.v.length);
  for (let index = 0; index < length; index++) {
    const left = a.v[index] ?? null;
    const right = b.v[index] ?? null;
    if (left === right) continue;
    if (left === null) return 1;
    if (right === null) return -1;
    const order = collator.compare(left, right);
    if (order !== 0) return sign * order;
  }
  return a.i === b.i ? 0 : sign * (a.i < b.i ? -1 : 1);
}

interface SortedPageOptions<Row, Node> {
  /** The whole listing, filtered. */
  rows: readonly Row[];
  /** A row's sort values, most significant first. */
  valuesOf: (row: Row) => (string | null)[];
  idOf: (row: Row) => string;
  /** The order's name in its cursors (`NAME:ASC`...), so that they are refused for any other order. */
  order: string;
  direction: Direction;
  first: number;
  /** The decoded `after` (CursorCodec.decodeSorted with the same `order`), checked before anything is read. */
  after: SortedPosition | undefined;
  cursors: CursorCodec;
  toNode: (row: Row) => Node;
}

/** The page of `first` rows after `after` in the sorted listing; `hasNextPage` is exact, the listing is all there. */
export function sortedPage<Row, Node>(options: SortedPageOptions<Row, Node>): Connection<Node> {
  const { rows, valuesOf, idOf, order, first, after, cursors, toNode } = options;
  const sign = options.direction === 'DESC' ? -1 : 1;
  const keyed = rows.map((row) => ({ row, v: valuesOf(row), i: idOf(row) }));
  keyed.sort((a, b) => compareKeys(a, b, sign));
  // The first row after the cursor's position (binary search: the rows are sorted by the same comparison).
  let from = 0;
  if (after !== undefined) {
    let to = keyed.length;
    while (from < to) {
      const middle = (from + to) >>> 1;
      if (compareKeys(keyed[middle] as SortKey, after, sign) > 0) to = middle;
      else from = middle + 1;
    }
  }
  const page = keyed.slice(from, from + first);
  const edges = page.map((key) => new Edge(cursors, { s: order, v: key.v, i: key.i }, toNode(key.row)));
  return connectionOf(edges, { hasNextPage: from + page.length < keyed.length, after, cursors });
}
