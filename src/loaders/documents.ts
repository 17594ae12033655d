// Full device and user documents by id. Kazoo has no bulk read, so a batch becomes a few parallel GETs; what
// DataLoader adds is that each document is fetched once per request however many fields or parents ask for it.
// A document Kazoo does not have resolves to null; any other failure is that key's error.
import DataLoader from 'dataloader';
import * as devices from '../kazoo/devices.js';
import { isKazooError } from '../kazoo/errors.js';
import type { KazooSession } from '../kazoo/session.js';
import type { KazooDevice, KazooUser } from '../kazoo/types.js';
import * as users from '../kazoo/users.js';
import { asError, mapConcurrently, UPSTREAM_CONCURRENCY } from './concurrency.js';
import { splitDocumentKey } from './keys.js';
import type { DocumentKey } from './keys.js';

type Fetch<T> = (session: KazooSession, accountId: string, id: string) => Promise<T>;

function documentLoader<T>(session: KazooSession, fetch: Fetch<T>): DataLoader<DocumentKey, T | null> {
  return new DataLoader<DocumentKey, T | null>((keys) =>
    mapConcurrently(keys, UPSTREAM_CONCURRENCY, async (key) => {
      const { accountId, id } = splitDocumentKey(key);
      try {
        return await fetch(session, accountId, id);
      } catch (error) {
        if (isKazooError(error) && error.code === 'NOT_FOUND') return null;
        return asError(error);
      }
    }),
  );
}

export function deviceDocumentLoader(session: KazooSession): DataLoader<DocumentKey, KazooDevice | null> {
  return documentLoader(session, devices.get);
}

export function userDocumentLoader(session: KazooSession): DataLoader<DocumentKey, KazooUser | null> {
  return documentLoader(session, users.get);
}
