// Crossbar listings: pages with an opaque `next_start_key`, optional query-string filters, or everything at once.
// Reading everything is bounded: it stops when Kazoo hands back a start key it already gave (the listing would go
// round for ever), past MAX_LISTING_PAGES pages, and as soon as the caller goes away (its session's signal).
import { throwIfCancelled } from './cancellation.js';
import type { QueryValue } from './client.js';
import { KazooError } from './errors.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';

export interface ListPageOptions {
  /** Rows wanted; Crossbar's default is 50. */
  pageSize: number;
  /** A `next_start_key` from a previous page, passed back verbatim. */
  startKey?: string | undefined;
  /** Crossbar filters (`filter_owner_id`, `filter_not_enabled`, `has_key`...), applied by Kazoo to whole documents. */
  filters?: Readonly<Record<string, QueryValue>> | undefined;
}

export interface ListPage<T> {
  items: T[];
  /** Absent on the last page. */
  nextStartKey: string | undefined;
}

/** Page size used when reading a whole listing: big pages keep the call count low without `paginate=false`,
 * which Kazoo answers with 416 on very large accounts. */
export const FULL_LISTING_PAGE_SIZE = 1000;

/**
 * Pages one whole listing may take: 200 × 1000 = 200,000 rows, far beyond any account the gateway serves whole. Its
 * 200 calls are already twice Kazoo's per-account bucket (100 calls, refilled at 10 a second): reading further would
 * hold that account's Kazoo budget for every other caller for tens of seconds, for one answer.
 */
export const MAX_LISTING_PAGES = 200;

export async function listPage<T>(session: KazooSession, path: string, options: ListPageOptions): Promise<ListPage<T>> {
  const envelope = await send<T[]>(session, {
    method: 'GET',
    path,
    query: { ...options.filters, page_size: options.pageSize, start_key: options.startKey },
  });
  return { items: Array.isArray(envelope.data) ? envelope.data : [], nextStartKey: envelope.nextStartKey };
}

/**
 * Every row of a listing, in pages of FULL_LISTING_PAGE_SIZE. UPSTREAM_INVALID when Kazoo repeats a start key,
 * LISTING_TOO_LARGE past MAX_LISTING_PAGES pages, CANCELLED once the caller went away: no further page is read.
 */
export async function listAll<T>(
  session: KazooSession,
  path: string,
  filters?: Readonly<Record<string, QueryValue>>,
): Promise<T[]> {
  const items: T[] = [];
  const startKeys = new Set<string>();
  let startKey: string | undefined;
  for (let pagesRead = 0; pagesRead < MAX_LISTING_PAGES; pagesRead++) {
    throwIfCancelled(session.signal);
    const page: ListPage<T> = await listPage<T>(session, path, { pageSize: FULL_LISTING_PAGE_SIZE, startKey, filters });
    items.push(...page.items);
    if (page.nextStartKey === undefined) return items;
    if (startKeys.has(page.nextStartKey)) {
      throw new KazooError(
        'UPSTREAM_INVALID',
        `Kazoo's listing of ${listed(path)} went back to a page it had already sent (a repeated next_start_key): the gateway stopped reading it`,
      );
    }
    startKeys.add(page.nextStartKey);
    startKey = page.nextStartKey;
  }
  const maxRows = (MAX_LISTING_PAGES * FULL_LISTING_PAGE_SIZE).toLocaleString('en-US');
  throw new KazooError(
    'LISTING_TOO_LARGE',
    `The account has more than ${maxRows} ${listed(path)}, more than the gateway reads in one listing (${MAX_LISTING_PAGES} pages of ${FULL_LISTING_PAGE_SIZE})`,
  );
}

/** What a listing path lists, for messages: its last segment (`devices`, `users`). */
function listed(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
