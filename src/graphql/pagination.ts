// Relay connections over Crossbar's forward-only listings.
//
// A cursor names a position in the filtered sequence of rows that starts at one of Kazoo's opaque start keys:
// `{k: startKey, o: offset}` = "skip `o` matching rows from `k`". Positions do not depend on page sizes, so the
// gateway can ask Kazoo for whatever page size suits it, filter rows itself (`registered`, `search`...), and still
// resume exactly where the previous page stopped. (Orders Kazoo cannot give have cursors of their own, made by
// listing-order.ts with the same codec; each kind refuses the other's.)
//
// Page sizes and the bound. Without filters the gateway asks Kazoo for exactly the rows it is missing: Kazoo looks one
// row ahead itself and says with next_start_key whether more follow. With filters, either Kazoo's (`filter_*`, which
// Kazoo applies to each page's window only, so a page may hold fewer rows than asked, or none, while more follow) or
// the gateway's own (`keep`), nobody knows how many rows a page will yield: the gateway then always asks for full pages
// (MAX_PAGE rows) and trims them, rather than asking for what is missing and shrinking pages towards one row; and once
// the page is full it reads on until it sees one more match, so that `hasNextPage: true` never leads to an empty page.
// Either way one connection field reads at most MAX_LISTING_PAGES Kazoo pages, skipping a cursor's offset included.
// At that bound it answers what it found so far with `hasNextPage: true` and an `endCursor` just after the last row it
// read, even when it found nothing: the client's next request goes on from there, without skipping or repeating a
// row. The cost model (src/server/operation-cost.ts) counts a filtered connection at that bound.
//
// Cursors are signed: an HMAC-SHA256 of the position with the gateway's key (CURSOR_SECRET), truncated to 16 bytes.
// A cursor the gateway did not make is refused before anything reaches Kazoo, so no client can hand Kazoo a start key
// of its own (Kazoo decodes start keys with Erlang's binary_to_term).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KazooError } from '../kazoo/errors.js';
import type { ListPage } from '../kazoo/listing.js';
import type { Connection } from './models.js';

export const MAX_PAGE = 1000;
/** Kazoo pages one connection field may read: MAX_LISTING_PAGES × MAX_PAGE = 10,000 rows scanned at most. */
export const MAX_LISTING_PAGES = 10;
/** Room for a sorted position's values: a device name and an owner's two names, 128 characters each in Kazoo. */
const MAX_CURSOR_LENGTH = 4096;
const TAG_BYTES = 16;
/** Keeps this key's HMACs from meaning anything outside cursors, should the key ever sign something else. */
const CURSOR_CONTEXT = 'kazoo-gateway cursor v1\n';

/** A position in Kazoo's own order. */
export interface CursorPosition {
  /** Kazoo's start key; undefined for the first page. */
  k?: string;
  o: number;
}

/** A position in an order the gateway sorts itself (listing-order.ts): just after the row with these values. */
export interface SortedPosition {
  /** The order it belongs to (`NAME:ASC`...): a cursor is only accepted for its own order. */
  s: string;
  /** The row's sort values, in order; null for a missing one (a device without an owner). */
  v: (string | null)[];
  /** The row's id, which breaks ties. */
  i: string;
}

function cursorError(rule: string, message: string): KazooError {
  return new KazooError('INVALID_ARGUMENT', `\`after\` ${message}`, { fieldErrors: [{ field: 'after', rule, message }] });
}

const invalidCursor = (): KazooError => cursorError('format', 'is not a cursor this API returned');
const cursorOfOtherOrder = (): KazooError => cursorError('order', 'was made for another order (`orderBy`) of this list');

/** Makes and checks the gateway's cursors: base64url of a 16-byte HMAC-SHA256 tag followed by the position's JSON. */
export class CursorCodec {
  readonly #key: Buffer;

  /** `key`: CURSOR_SECRET; cursors verify only on gateways that share it. */
  constructor(key: string | Uint8Array) {
    this.#key = Buffer.from(key);
  }

  /** A key of the process's own: its cursors do not survive a restart and are refused by other instances. */
  static withRandomKey(): CursorCodec {
    return new CursorCodec(randomBytes(32));
  }

  encode(position: CursorPosition | SortedPosition): string {
    const payload = Buffer.from(JSON.stringify(position));
    return Buffer.concat([this.#tag(payload), payload]).toString('base64url');
  }

  /** The position in Kazoo's order a cursor names; no cursor is the start of the list. */
  decode(cursor: string | null | undefined): CursorPosition {
    const payload = this.#payload(cursor);
    if (payload === undefined) return { o: 0 };
    if (payload.s !== undefined) throw cursorOfOtherOrder();
    const { k, o } = payload;
    if ((k !== undefined && typeof k !== 'string') || typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
      throw invalidCursor();
    }
    return k === undefined ? { o } : { k, o };
  }

  /** The position in the sorted `order` a cursor names; undefined for no cursor (the start of the list). */
  decodeSorted(cursor: string | null | undefined, order: string): SortedPosition | undefined {
    const payload = this.#payload(cursor);
    if (payload === undefined) return undefined;
    if (payload.s !== order) throw cursorOfOtherOrder();
    const { v, i } = payload;
    if (!Array.isArray(v) || !v.every((value) => value === null || typeof value === 'string') || typeof i !== 'string') {
      throw invalidCursor();
    }
    return { s: order, v: v as (string | null)[], i };
  }

  /** The JSON object a cursor holds, once its tag is checked; undefined for no cursor. */
  #payload(cursor: string | null | undefined): Record<string, unknown> | undefined {
    if (cursor === undefined || cursor === null) return undefined;
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
    const bytes = Buffer.from(cursor, 'base64url');
    const tag = bytes.subarray(0, TAG_BYTES);
    const payload = bytes.subarray(TAG_BYTES);
    if (tag.length !== TAG_BYTES || !timingSafeEqual(tag, this.#tag(payload))) throw invalidCursor();
    // Signed by this gateway, so well formed; checked anyway, as a second line behind the key.
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor();
    return parsed as Record<string, unknown>;
  }

  #tag(payload: Buffer): Buffer {
    return createHmac('sha256', this.#key).update(CURSOR_CONTEXT).update(payload).digest().subarray(0, TAG_BYTES);
  }
}

/**
 * The position just after the row of document `id` in an unfiltered listing ordered by document id (Kazoo's devices
 * and users listings): Kazoo takes a raw id as start key, so a page from there begins with that row, which is skipped.
 * The cursor of a document just created.
 */
export function positionAfterDocument(id: string): CursorPosition {
  return { k: id, o: 1 };
}

export function checkFirst(first: number | null | undefined): number {
  const wanted = first ?? 50;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_PAGE) {
    throw new KazooError('INVALID_ARGUMENT', `\`first\` must be between 1 and ${MAX_PAGE}`, {
      fieldErrors: [{ field: 'first', rule: 'range', message: `must be between 1 and ${MAX_PAGE}` }],
    });
  }
  return wanted;
}

/** One edge of a connection. Its cursor is encoded only if the query asks for it: most pages are read through
 * `nodes` or `edges { node }` alone. A class, so that the 50–1,000 edges of a page share one shape and one getter. */
export class Edge<Node> {
  #encoded: string | undefined;

  constructor(
    private readonly cursors: CursorCodec,
    private readonly position: CursorPosition | SortedPosition,
    readonly node: Node,
  ) {}

  get cursor(): string {
    this.#encoded ??= this.cursors.encode(this.position);
    return this.#encoded;
  }
}

/** One Kazoo page of a listing from `startKey` (undefined: the first page). */
export type FetchPage<Row> = (startKey: string | undefined, pageSize: number) => Promise<ListPage<Row>>;

interface PaginateOptions<Row, Node> {
  first: number;
  /** Where to start: the decoded `after` (CursorCodec.decode), checked before anything is asked of Kazoo. */
  start: CursorPosition;
  cursors: CursorCodec;
  fetchPage: FetchPage<Row>;
  /** Whether the listing carries Kazoo-side filters (`filter_*`): its pages may then yield fewer rows than asked. */
  kazooFiltered?: boolean;
  /** Gateway-side filter, for what Kazoo cannot filter itself. */
  keep?: (row: Row) => boolean;
  toNode: (row: Row) => Node;
}

/**
 * A page of edges as a connection. `after` is where the page started (undefined: the start of the list); `resumeAt`,
 * when reading stopped past the last edge, is where the next page starts instead of just after that edge.
 */
export function connectionOf<Node>(
  edges: Edge<Node>[],
  pageInfo: {
    hasNextPage: boolean;
    after: CursorPosition | SortedPosition | undefined;
    cursors: CursorCodec;
    resumeAt?: CursorPosition;
  },
): Connection<Node> {
  const { hasNextPage, after, cursors, resumeAt } = pageInfo;
  // Cursors are signed (an HMAC each): made only when the query asks for them, like the edges' own.
  return {
    edges,
    get nodes() {
      return edges.map((edge) => edge.node);
    },
    pageInfo: {
      hasNextPage,
      // Forward only: rows come before any page that starts after a cursor, and only those pages.
      hasPreviousPage: after !== undefined,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      // An empty page that ends the list ends where it started: the `after` given (null on the first page).
      get endCursor() {
        if (resumeAt !== undefined) return cursors.encode(resumeAt);
        return edges.at(-1)?.cursor ?? (after === undefined ? null : cursors.encode(after));
      },
    },
  };
}

export async function paginate<Row, Node>(options: PaginateOptions<Row, Node>): Promise<Connection<Node>> {
  const { first, start, cursors, fetchPage, keep, toNode } = options;
  const filtered = options.kazooFiltered === true || keep !== undefined;
  const edges: Edge<Node>[] = [];
  // Every cursor this API makes is past the start, so only a missing `after` decodes to it.
  const after = start.k === undefined && start.o === 0 ? undefined : start;
  const answer = (hasNextPage: boolean, resumeAt?: CursorPosition): Connection<Node> =>
    connectionOf(edges, { hasNextPage, after, cursors, ...(resumeAt === undefined ? {} : { resumeAt }) });
  let pageKey = start.k;
  let skip = start.o;

  for (let pagesRead = 1; ; pagesRead++) {
    const page = await fetchPage(pageKey, filtered ? MAX_PAGE : Math.min(MAX_PAGE, first - edges.length + skip));
    let position = 0; // matching rows seen from pageKey, skipped ones included
    const rows = page.items;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index] as Row;
      if (keep !== undefined && !keep(row)) continue;
      position++;
      if (skip > 0) {
        skip--;
        continue;
      }
      // One match more than the page holds: the next page will not be empty.
      if (edges.length === first) return answer(true);
      // The last row of a page points at Kazoo's next key: the next request starts there instead of re-reading.
      const cursor =
        index === rows.length - 1 && page.nextStartKey !== undefined
          ? { k: page.nextStartKey, o: 0 }
          : pageKey === undefined
            ? { o: position }
            : { k: pageKey, o: position };
      edges.push(new Edge(cursors, cursor, toNode(row)));
    }
    if (page.nextStartKey === undefined) return answer(false);
    // Kazoo has more rows: without filters, each is a match. With filters they may all be filtered out, so a full
    // page reads on, for one match more (above), to the end of the listing, or to the bound.
    if (edges.length === first && !filtered) return answer(true);
    // Everything up to next_start_key has been read (what is left of the offset still to skip from there). A full
    // page resumes there too: the rows read past its last edge were no match.
    if (pagesRead === MAX_LISTING_PAGES) return answer(true, { k: page.nextStartKey, o: skip });
    pageKey = page.nextStartKey;
  }
}
