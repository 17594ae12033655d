// Device and user summaries (the fields of Kazoo's listings: names, owner, type, username, email...) by id.
// Many ids of one account at once — the owners of a page of devices, the devices of the registration list — are
// answered from one listing of the account rather than one GET each; one or two ids are answered with GETs, through
// the document loader so a document read here is not read again. This keeps `devices { owner { firstName } }` at a
// constant number of upstream calls whatever the page size.
import DataLoader from 'dataloader';
import type { KazooSession } from '../kazoo/session.js';
import type { KazooObject } from '../kazoo/types.js';
import { asError } from './concurrency.js';
import { documentKey, groupByAccount } from './keys.js';
import type { Listing, ListingSizes } from './listing-sizes.js';
import { SettledLoader } from './settled-loader.js';
import type { DocumentKey } from './keys.js';

/** From this many ids of one account in a batch, listing the account costs fewer calls than fetching each. */
export const LISTING_THRESHOLD = 3;

type ListAll<Summary> = (session: KazooSession, accountId: string) => Promise<Summary[]>;

/**
 * Every summary of an account, by account id: one listing per account and request, whoever asks for it. Each listing
 * read tells `sizes` how long it was, for the cost model.
 */
export function listingLoader<Summary>(
  session: KazooSession,
  listAll: ListAll<Summary>,
  sizes: { listing: Listing; learned: ListingSizes },
): DataLoader<string, Summary[]> {
  return new DataLoader<string, Summary[]>((accountIds) =>
    Promise.all(
      accountIds.map(async (accountId) => {
        try {
          const rows = await listAll(session, accountId);
          sizes.learned.learn(accountId, sizes.listing, rows.length);
          return rows;
        } catch (error) {
          return asError(error);
        }
      }),
    ),
  );
}

export function summaryLoader<Summary extends KazooObject & { id: string }, Doc extends Summary>(
  listing: DataLoader<string, Summary[]>,
  documents: DataLoader<DocumentKey, Doc | null>,
): SettledLoader<DocumentKey, Summary | null> {
  return new SettledLoader<DocumentKey, Summary | null>(async (keys) => {
    const results = new Array<Summary | null | Error>(keys.length);
    await Promise.all(
      [...groupByAccount(keys)].map(async ([accountId, wanted]) => {
        if (wanted.length < LISTING_THRESHOLD) {
          const found = await documents.loadMany(wanted.map(({ id }) => documentKey(accountId, id)));
          wanted.forEach(({ index }, position) => {
            results[index] = found[position] ?? null;
          });
          return;
        }
        try {
          const byId = new Map((await listing.load(accountId)).map((summary) => [summary.id, summary]));
          for (const { id, index } of wanted) results[index] = byId.get(id) ?? null;
        } catch (error) {
          const failure = asError(error);
          for (const { index } of wanted) results[index] = failure;
        }
      }),
    );
    return results;
  });
}
