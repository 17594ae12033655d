// Every loader a request needs, created per request: their caches hold what one caller's token may see and die with
// the request, so nothing fetched with one token is ever served to another.
import DataLoader from 'dataloader';
import * as accounts from '../kazoo/accounts.js';
import type { KazooAccount } from '../kazoo/accounts.js';
import type { KazooSession } from '../kazoo/session.js';
import * as devices from '../kazoo/devices.js';
import { DEVICE_SUMMARY_KEYS, USER_DEVICE_SUMMARY_KEYS, USER_SUMMARY_KEYS } from '../kazoo/types.js';
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
import type { Listing, ListingSizes } from './listing-sizes.js';
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

/** What one Kazoo listing row holds of its document: the keys the listing carries. */
export const LISTING_ROW_KEYS: Readonly<Record<Listing, ReadonlySet<string>>> = {
  devices: DEVICE_SUMMARY_KEYS,
  users: USER_SUMMARY_KEYS,
};

/**
 * How a loader reads Kazoo, said once here for the cost model (src/server/operation-cost.ts), which counts a field's
 * calls from the loaders its resolver reads through rather than from rules of its own.
 */
export interface LoaderReads {
  /** What one key names: a whole `account` (all its parents share one answer) or one `document`. */
  per: 'account' | 'document';
  /**
   * What one key costs: `one` call; `listing`, every page of the account's listing (FULL_LISTING_PAGE_SIZE rows a
   * page); `summaryOf`, a GET per id when fewer than LISTING_THRESHOLD ids of the account are asked together (through
   * the document loader, so the whole document is then at hand), else the account's listing.
   */
  reads: 'one' | { listing: Listing } | { summaryOf: Listing };
  /** What the devices or users it answers hold of their documents; absent for loaders that answer neither. */
  holds?: 'document' | ReadonlySet<string>;
}

export const LOADER_READS: Readonly<Record<keyof Loaders, LoaderReads>> = {
  account: { per: 'account', reads: 'one' },
  device: { per: 'document', reads: 'one', holds: 'document' },
  deviceListing: { per: 'account', reads: { listing: 'devices' }, holds: LISTING_ROW_KEYS.devices },
  deviceSummary: { per: 'document', reads: { summaryOf: 'devices' }, holds: LISTING_ROW_KEYS.devices },
  user: { per: 'document', reads: 'one', holds: 'document' },
  userListing: { per: 'account', reads: { listing: 'users' }, holds: LISTING_ROW_KEYS.users },
  userSummary: { per: 'document', reads: { summaryOf: 'users' }, holds: LISTING_ROW_KEYS.users },
  // `/users/{id}/devices` rows carry fewer device keys than the devices listing.
  userDevices: { per: 'document', reads: 'one', holds: USER_DEVICE_SUMMARY_KEYS },
  // One `/registrations` read. Where that module is missing, `/devices/status` is asked after it: two calls.
  registrations: { per: 'account', reads: 'one' },
};

/**
 * `listingSizes`: the process's learned listing sizes, which every whole listing read here updates. Each loader is
 * made when a resolver first asks for it: most requests use one or two of them.
 */
export function createLoaders(session: KazooSession, listingSizes: ListingSizes): Loaders {
  return new RequestLoaders(session, listingSizes);
}

class RequestLoaders implements Loaders {
  #account?: Loaders['account'];
  #device?: Loaders['device'];
  #deviceListing?: Loaders['deviceListing'];
  #deviceSummary?: Loaders['deviceSummary'];
  #user?: Loaders['user'];
  #userListing?: Loaders['userListing'];
  #userSummary?: Loaders['userSummary'];
  #userDevices?: Loaders['userDevices'];
  #registrations?: Loaders['registrations'];

  constructor(
    private readonly session: KazooSession,
    private readonly listingSizes: ListingSizes,
  ) {}

  get account(): Loaders['account'] {
    const { session } = this;
    return (this.#account ??= new DataLoader<string, KazooAccount>((accountIds) =>
      Promise.all(accountIds.map((accountId) => accounts.get(session, accountId).catch(asError))),
    ));
  }

  get device(): Loaders['device'] {
    return (this.#device ??= deviceDocumentLoader(this.session));
  }

  get deviceListing(): Loaders['deviceListing'] {
    return (this.#deviceListing ??= listingLoader(this.session, devices.listAllSummaries, { listing: 'devices', learned: this.listingSizes }));
  }

  get deviceSummary(): Loaders['deviceSummary'] {
    return (this.#deviceSummary ??= summaryLoader(this.deviceListing, this.device));
  }

  get user(): Loaders['user'] {
    return (this.#user ??= userDocumentLoader(this.session));
  }

  get userListing(): Loaders['userListing'] {
    return (this.#userListing ??= listingLoader(this.session, users.listAllSummaries, { listing: 'users', learned: this.listingSizes }));
  }

  get userSummary(): Loaders['userSummary'] {
    return (this.#userSummary ??= summaryLoader(this.userListing, this.user));
  }

  /** A few at a time, like documents: a page of users asking for their devices is one call per user. */
  get userDevices(): Loaders['userDevices'] {
    const { session } = this;
    return (this.#userDevices ??= new DataLoader<DocumentKey, KazooUserDeviceSummary[]>((keys) =>
      mapConcurrently(keys, UPSTREAM_CONCURRENCY, (key) => {
        const { accountId, id } = splitDocumentKey(key);
        return users.devices(session, accountId, id).catch(asError);
      }),
    ));
  }

  get registrations(): Loaders['registrations'] {
    return (this.#registrations ??= registrationIndexLoader(this.session));
  }
}

/**
 * The owners' summaries of many devices of one account, asked together (one listing from three owners on), so each
 * device's `owner` then answers at once. Ids that are not Kazoo ids are skipped; failures are left to the fields.
 */
export function loadOwners(loaders: Loaders, accountId: string, ownerIds: Iterable<unknown>): Promise<unknown> {
  const ids = [...new Set([...ownerIds].filter(isKazooId))];
  return ids.length === 0 ? Promise.resolve() : loaders.userSummary.loadMany(ids.map((id) => documentKey(accountId, id)));
}
