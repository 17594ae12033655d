// The registration state of every device of an account, read once per account per request however many devices
// ask. Kazoo's `/registrations` gives details (contact, addresses, user agent, expiry); where it is not available
// (module not loaded, not allowed), `/devices/status` is asked instead: it only lists registered device ids.
import * as devices from '../kazoo/devices.js';
import { isKazooError } from '../kazoo/errors.js';
import * as registrations from '../kazoo/registrations.js';
import type { KazooSession } from '../kazoo/session.js';
import type { KazooRegistration } from '../kazoo/types.js';
import { asError } from './concurrency.js';
import { SettledLoader } from './settled-loader.js';

export interface RegisteredDevice {
  deviceId: string;
  /** The device's most recent contact from `/registrations`; undefined when only `/devices/status` answered. */
  details: KazooRegistration | undefined;
}

/** Registered devices by device id. A device absent from the map is not registered. */
export type RegistrationIndex = ReadonlyMap<string, RegisteredDevice>;

/** Codes that mean `/registrations` cannot be used here, as opposed to Kazoo failing. */
const REGISTRATIONS_UNAVAILABLE = new Set(['NOT_FOUND', 'FORBIDDEN', 'UPSTREAM_REJECTED']);

/** Where registration state was read: `/registrations`, or `/devices/status` where that is not available. */
export type RegistrationSource = 'registrations' | 'devices/status';

/**
 * Reads from `from` (default `/registrations`, falling back to `/devices/status` when it is not available) and says
 * which source answered, so a long-lived reader (a registration watcher) need not ask a missing module every time.
 */
export async function readRegistrations(
  session: KazooSession,
  accountId: string,
  from: RegistrationSource = 'registrations',
): Promise<{ index: RegistrationIndex; source: RegistrationSource }> {
  if (from === 'registrations') {
    try {
      return { index: indexRegistrations(await registrations.list(session, accountId)), source: 'registrations' };
    } catch (error) {
      if (!isKazooError(error) || !REGISTRATIONS_UNAVAILABLE.has(error.code)) throw error;
    }
  }
  const statuses = await devices.status(session, accountId);
  const index = new Map(
    statuses
      .filter((status) => status.registered === true && typeof status.device_id === 'string')
      .map((status) => [status.device_id, { deviceId: status.device_id, details: undefined }]),
  );
  return { index, source: 'devices/status' };
}

async function readRegistrationIndex(session: KazooSession, accountId: string): Promise<RegistrationIndex> {
  return (await readRegistrations(session, accountId)).index;
}

/** One entry per device: a device with several contacts keeps the most recently seen one. */
function indexRegistrations(rows: readonly KazooRegistration[]): RegistrationIndex {
  const index = new Map<string, RegisteredDevice>();
  for (const row of rows) {
    const deviceId = row.authorizing_id;
    if (typeof deviceId !== 'string') continue;
    const known = index.get(deviceId)?.details;
    if (known === undefined || Number(row.event_timestamp ?? 0) > Number(known.event_timestamp ?? 0)) {
      index.set(deviceId, { deviceId, details: row });
    }
  }
  return index;
}

export function registrationIndexLoader(session: KazooSession): SettledLoader<string, RegistrationIndex> {
  return new SettledLoader<string, RegistrationIndex>((accountIds) =>
    Promise.all(
      accountIds.map((accountId) =>
        readRegistrationIndex(session, accountId).catch(asError),
      ),
    ),
  );
}
