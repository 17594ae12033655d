// Crossbar listings: pages with an opaque `next_start_key`, optional query-string filters, or everything at once.
import type { QueryValue } from './client.js';
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
const FULL_LISTING_PAGE_SIZE = 1000;

export async function listPage<T>(session: KazooSession, path: string, options: ListPageOptions): Promise<ListPage<T>> {
  const envelope = await send<T[]>(session, {
    method: 'GET',
    path,
    query: { ...options.filters, page_size: options.pageSize, start_key: options.startKey },
  });
  return { items: Array.isArray(envelope.data) ? envelope.data : [], nextStartKey: envelope.nextStartKey };
}

export async function listAll<T>(
  session: KazooSession,
  path: string,
  filters?: Readonly<Record<string, QueryValue>>,
): Promise<T[]> {
  const items: T[] = [];
  let startKey: string | undefined;
  do {
    const page: ListPage<T> = await listPage<T>(session, path, { pageSize: FULL_LISTING_PAGE_SIZE, startKey, filters });
    items.push(...page.items);
    startKey = page.nextStartKey;
  } while (startKey !== undefined);
  return items;
}
