// Every loader a request needs, created per request: their caches hold what one caller's token may see and die with
// the request, so nothing fetched with one token is ever served to another.
import DataLoader from 'dataloader';
import * as accounts from '../kazoo/accounts.js';
import type { KazooAccount } from '../kazoo/accounts.js';
import type { KazooSession } from '../kazoo/session.js';
import * as devices from '../kazoo/devices.js';
import type {
  KazooDevice,
  KazooDeviceSummary,
  KazooUser,
  KazooUserDeviceSummary,
  KazooUserSummary,
} from '../kazoo/types.js';
import * as users from '../kazoo/users.js';
import { isKazooId } from '../kazoo/paths.js';
import { asError, mapConcurrently, UPSTREAM_CONCURRENCY } from './concurrency.js';
import { deviceDocumentLoader, userDocumentLoader } from './documents.js';
import { documentKey, splitDocumentKey } from './keys.js';
import type { DocumentKey } from './keys.js';
import type { ListingSizes } from './listing-sizes.js';
import { registrationIndexLoader } from './registrations.js';
import type { RegistrationIndex } from './registrations.js';
import type { SettledLoader } from './settled-loader.js';
import { listingLoader, summaryLoader } from './summaries.js';

export { documentKey } from './keys.js';
export type { DocumentKey } from './keys.js';
export { ListingSizes } from './listing-sizes.js';
export type { Listing } from './listing-sizes.js';
export type { RegisteredDevice, RegistrationIndex } from './registrations.js';

export interface Loaders {
  /** Account documents, by account id. */
  account: DataLoader<string, KazooAccount>;
  device: DataLoader<DocumentKey, KazooDevice | null>;
  /** Every device summary of an account, by account id (all its listing pages). */
  deviceListing: DataLoader<string, KazooDeviceSummary[]>;
  deviceSummary: SettledLoader<DocumentKey, KazooDeviceSummary | null>;
  user: DataLoader<DocumentKey, KazooUser | null>;
  userListing: DataLoader<string, KazooUserSummary[]>;
  userSummary: SettledLoader<DocumentKey, KazooUserSummary | null>;
  /** A user's devices, owned or hotdesked (`/users/{id}/devices`). */
  userDevices: DataLoader<DocumentKey, KazooUserDeviceSummary[]>;
  /** Registered devices of an account, by account id. */
  registrations: SettledLoader<string, RegistrationIndex>;
}

/** `listingSizes`: the process's learned listing sizes, which every whole listing read here updates. */
export function createLoaders(session: KazooSession, listingSizes: ListingSizes): Loaders {
  const device = deviceDocumentLoader(session);
  const user = userDocumentLoader(session);
  const deviceListing = listingLoader(session, devices.listAllSummaries, { listing: 'devices', learned: listingSizes });
  const userListing = listingLoader(session, users.listAllSummaries, { listing: 'users', learned: listingSizes });
  return {
    account: new DataLoader<string, KazooAccount>((accountIds) =>
      Promise.all(accountIds.map((accountId) => accounts.get(session, accountId).catch(asError))),
    ),
    device,
    deviceListing,
    deviceSummary: summaryLoader(deviceListing, device),
    user,
    userListing,
    userSummary: summaryLoader(userListing, user),
    // A few at a time, like documents: a page of users asking for their devices is one call per user.
    userDevices: new DataLoader<DocumentKey, KazooUserDeviceSummary[]>((keys) =>
      mapConcurrently(keys, UPSTREAM_CONCURRENCY, (key) => {
        const { accountId, id } = splitDocumentKey(key);
        return users.devices(session, accountId, id).catch(asError);
      }),
    ),
    registrations: registrationIndexLoader(session),
  };
}

/**
 * The owners' summaries of many devices of one account, asked together (one listing from three owners on), so each
 * device's `owner` then answers at once. Ids that are not Kazoo ids are skipped; failures are left to the fields.
 */
export function loadOwners(loaders: Loaders, accountId: string, ownerIds: Iterable<unknown>): Promise<unknown> {
  const ids = [...new Set([...ownerIds].filter(isKazooId))];
  return ids.length === 0 ? Promise.resolve() : loaders.userSummary.loadMany(ids.map((id) => documentKey(accountId, id)));
}
