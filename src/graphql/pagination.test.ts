// `paginate` over a listing that behaves as Kazoo 4.3's does (filters applied to each page's window only, so a page can
// be empty while next_start_key is set), and the signed cursors it hands out.
import { describe, expect, it } from 'vitest';
import { isKazooError } from '../kazoo/errors.js';
import type { ListPage } from '../kazoo/listing.js';
import type { Connection } from './models.js';
import { CursorCodec, MAX_LISTING_PAGES, MAX_PAGE, paginate } from './pagination.js';
import type { CursorPosition } from './pagination.js';

interface Row {
  id: string;
}

/** A Kazoo-like listing of `count` rows ordered by id; `matches` is the Kazoo-side filter (none: every row). */
function listing(count: number, matches?: (index: number) => boolean) {
  const ids = Array.from({ length: count }, (_, index) => `row${String(index).padStart(6, '0')}`);
  const calls: { startKey: string | undefined; pageSize: number }[] = [];
  const fetchPage = async (startKey: string | undefined, pageSize: number): Promise<ListPage<Row>> => {
    calls.push({ startKey, pageSize });
    const from = startKey === undefined ? 0 : ids.indexOf(startKey);
    const window = ids.slice(from, from + pageSize);
    return {
      items: window.flatMap((id, offset) => (matches === undefined || matches(from + offset) ? [{ id }] : [])),
      nextStartKey: ids[from + pageSize],
    };
  };
  return { ids, calls, fetchPage };
}

const cursors = CursorCodec.withRandomKey();

/** Follows endCursor to the end, as a client does: the ids of each answer, and the Kazoo calls each made. */
async function walk(
  kazoo: ReturnType<typeof listing>,
  first: number,
  options: { kazooFiltered?: boolean; keep?: (row: Row) => boolean; start?: CursorPosition } = {},
): Promise<{ ids: string[]; calls: number }[]> {
  return (await walkPages(kazoo, first, options)).map(({ ids, calls }) => ({ ids, calls }));
}

/** `walk`, with each answer's page info. */
async function walkPages(
  kazoo: ReturnType<typeof listing>,
  first: number,
  { start: from, ...filters }: { kazooFiltered?: boolean; keep?: (row: Row) => boolean; start?: CursorPosition } = {},
): Promise<{ ids: string[]; calls: number; cursors: string[]; pageInfo: Connection<string>['pageInfo'] }[]> {
  const answers: { ids: string[]; calls: number; cursors: string[]; pageInfo: Connection<string>['pageInfo'] }[] = [];
  let start = from ?? { o: 0 };
  for (;;) {
    const before = kazoo.calls.length;
    const connection = await paginate({ first, start, cursors, fetchPage: kazoo.fetchPage, toNode: (row: Row) => row.id, ...filters });
    answers.push({
      ids: connection.nodes,
      calls: kazoo.calls.length - before,
      cursors: connection.edges.map((edge) => edge.cursor),
      pageInfo: connection.pageInfo,
    });
    if (!connection.pageInfo.hasNextPage) return answers;
    start = cursors.decode(connection.pageInfo.endCursor);
    if (answers.length > 1_000) throw new Error('the walk does not end');
  }
}

describe('filtered listings', () => {
  it('ask Kazoo for full pages, never shrinking them as the page fills', async () => {
    const kazoo = listing(5_000, (index) => index % 7 === 0);
    const answers = await walk(kazoo, 50, { kazooFiltered: true });
    expect(new Set(kazoo.calls.map((call) => call.pageSize))).toEqual(new Set([MAX_PAGE]));
    expect(answers.flatMap((answer) => answer.ids)).toEqual(kazoo.ids.filter((_, index) => index % 7 === 0));
  });

  it(`read at most ${MAX_LISTING_PAGES} pages per answer, then answer what they found and continue where they stopped`, async () => {
    // 25,000 rows, three matches: one before the bound, two after it.
    const matching = new Set([4_321, 17_000, 24_999]);
    const kazoo = listing(25_000, (index) => matching.has(index));
    const answers = await walk(kazoo, 5, { kazooFiltered: true });
    expect(answers).toEqual([
      { ids: ['row004321'], calls: MAX_LISTING_PAGES },
      { ids: ['row017000'], calls: MAX_LISTING_PAGES },
      { ids: ['row024999'], calls: 5 },
    ]);
    // Every row was read exactly once: each answer went on from the row after the last one read before.
    expect(kazoo.calls.map((call) => call.startKey)).toEqual(
      Array.from({ length: 25 }, (_, page) => (page === 0 ? undefined : kazoo.ids[page * MAX_PAGE])),
    );
  });

  it('move the cursor on at the bound even when nothing matched', async () => {
    const kazoo = listing(21_000, () => false);
    const answers = await walk(kazoo, 1, { kazooFiltered: true });
    expect(answers).toEqual([
      { ids: [], calls: MAX_LISTING_PAGES },
      { ids: [], calls: MAX_LISTING_PAGES },
      { ids: [], calls: 1 },
    ]);
  });

  it('never answer hasNextPage: true before a page with nothing in it, short of the bound', async () => {
    // The one match is the last row of Kazoo's first page, and Kazoo has more pages: the page is full at the end of a
    // Kazoo page, so only reading on tells whether another match follows. None does.
    const kazoo = listing(3_000, (index) => index === 999);
    expect(await walk(kazoo, 1, { kazooFiltered: true })).toEqual([{ ids: ['row000999'], calls: 3 }]);
    // Matches further on: each full page reads on until it sees the next one, and the last page ends the walk.
    for (const [first, matching] of [
      [1, [999, 2_500]],
      [2, [10, 999, 1_000, 4_999]],
      [3, [0, 1, 2, 3_000]],
    ] as const) {
      const answers = await walkPages(listing(5_000, (index) => (matching as readonly number[]).includes(index)), first, { kazooFiltered: true });
      expect(answers.flatMap((answer) => answer.ids)).toEqual(matching.map((index) => `row${String(index).padStart(6, '0')}`));
      expect(answers.every((answer) => answer.ids.length > 0)).toBe(true);
    }
  });

  it('resume a full page that reached the bound where the reading stopped, not at its last edge', async () => {
    const kazoo = listing(16_000, (index) => index === 5 || index === 15_000);
    const answers = await walkPages(kazoo, 1, { kazooFiltered: true });
    expect(answers.map(({ ids, calls, pageInfo }) => ({ ids, calls, hasNextPage: pageInfo.hasNextPage }))).toEqual([
      // Read on to the bound for a second match, without finding one: whether one follows is not known.
      { ids: ['row000005'], calls: MAX_LISTING_PAGES, hasNextPage: true },
      { ids: ['row015000'], calls: 6, hasNextPage: false },
    ]);
    // No Kazoo page was read twice.
    const startKeys = kazoo.calls.map((call) => call.startKey);
    expect(new Set(startKeys).size).toBe(startKeys.length);
  });

  it('apply the same rule to the gateway-side filter', async () => {
    const kazoo = listing(12_000);
    const answers = await walk(kazoo, 2, { keep: (row) => row.id === 'row000007' || row.id === 'row011000' });
    expect(answers).toEqual([
      { ids: ['row000007'], calls: MAX_LISTING_PAGES },
      { ids: ['row011000'], calls: 2 },
    ]);
    expect(new Set(kazoo.calls.map((call) => call.pageSize))).toEqual(new Set([MAX_PAGE]));
  });
});

describe('listings without filters', () => {
  it('ask Kazoo for exactly the rows missing', async () => {
    const kazoo = listing(95);
    const answers = await walk(kazoo, 30);
    expect(answers.map((answer) => answer.ids.length)).toEqual([30, 30, 30, 5]);
    expect(kazoo.calls.map((call) => call.pageSize)).toEqual([30, 30, 30, 30]);
  });

  it('bound the rows skipped for a cursor offset the same way', async () => {
    const kazoo = listing(15_000);
    const answers = await walk(kazoo, 500, { start: { o: 12_000 } });
    expect(answers[0]).toEqual({ ids: [], calls: MAX_LISTING_PAGES });
    expect(answers.flatMap((answer) => answer.ids)).toEqual(kazoo.ids.slice(12_000));
  });
});

describe('page info', () => {
  it('has a previous page once `after` is given, and starts at the first edge', async () => {
    const answers = await walkPages(listing(25), 10);
    expect(answers.map((answer) => answer.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    for (const answer of answers) {
      expect(answer.pageInfo.startCursor).toBe(answer.cursors[0]);
      expect(answer.pageInfo.endCursor).toBe(answer.cursors.at(-1));
    }
  });

  it('has no start cursor on an empty page, filtered or not', async () => {
    const empty = await walkPages(listing(0), 10);
    expect(empty.map((answer) => answer.pageInfo)).toEqual([{ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }]);
    const unmatched = await walkPages(listing(12_000, () => false), 5, { kazooFiltered: true });
    expect(unmatched.map((answer) => [answer.pageInfo.hasPreviousPage, answer.pageInfo.startCursor])).toEqual([
      [false, null],
      [true, null],
    ]);
  });
});

describe('cursors', () => {
  const refused = (codec: CursorCodec, cursor: string) => {
    try {
      codec.decode(cursor);
    } catch (error) {
      return isKazooError(error) && error.code === 'INVALID_ARGUMENT' && error.message === '`after` is not a cursor this API returned';
    }
    return false;
  };

  it('name the position they were made for, on any gateway with the same key', () => {
    const cursor = new CursorCodec('k'.repeat(32)).encode({ k: 'g2gCbQAAAAE', o: 3 });
    expect(new CursorCodec('k'.repeat(32)).decode(cursor)).toEqual({ k: 'g2gCbQAAAAE', o: 3 });
    expect(cursor.length).toBeLessThan(80);
  });

  it('are refused when made with another key, altered, or forged without one', () => {
    const codec = new CursorCodec('k'.repeat(32));
    const cursor = codec.encode({ k: 'g2gCbQAAAAE', o: 3 });
    expect(refused(new CursorCodec('j'.repeat(32)), cursor)).toBe(true);
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 1;
    expect(refused(codec, bytes.toString('base64url'))).toBe(true);
    // The old unsigned shape, `{k, o}` in base64url JSON, which any client could write.
    expect(refused(codec, Buffer.from(JSON.stringify({ k: 'g2wAAAAB', o: 0 })).toString('base64url'))).toBe(true);
    expect(refused(codec, '')).toBe(true);
    expect(refused(codec, 'not-a-cursor')).toBe(true);
  });

  it('are accepted only for the order they were made for', () => {
    const codec = new CursorCodec('k'.repeat(32));
    const byName = codec.encode({ s: 'NAME:ASC', v: ['Desk 1'], i: 'a'.repeat(32) });
    const kazooOrder = codec.encode({ k: 'g2gCbQAAAAE', o: 3 });
    expect(codec.decodeSorted(byName, 'NAME:ASC')).toEqual({ s: 'NAME:ASC', v: ['Desk 1'], i: 'a'.repeat(32) });
    const otherOrder = (decode: () => unknown): boolean => {
      try {
        decode();
      } catch (error) {
        return isKazooError(error) && error.code === 'INVALID_ARGUMENT' && error.fieldErrors[0]?.rule === 'order';
      }
      return false;
    };
    expect(otherOrder(() => codec.decodeSorted(byName, 'NAME:DESC'))).toBe(true);
    expect(otherOrder(() => codec.decodeSorted(byName, 'OWNER:ASC'))).toBe(true);
    expect(otherOrder(() => codec.decode(byName))).toBe(true);
    expect(otherOrder(() => codec.decodeSorted(kazooOrder, 'NAME:ASC'))).toBe(true);
  });
});
