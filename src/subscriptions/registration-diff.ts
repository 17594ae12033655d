// What changed between two readings of an account's registrations. A reading is the registered devices with the
// contact Kazoo reported for each; a change is a device registering, dropping off, or re-registering from another
// contact (new address, port or phone software). Expiry countdowns and refresh timestamps move on every reading and
// are not changes.
import type { RegistrationIndex } from '../loaders/registrations.js';
import type { KazooRegistration } from '../kazoo/types.js';

/**
 * Registered devices by id, each with its `/registrations` row, or null when only `/devices/status` answered.
 * A plain object so it travels as JSON (Redis) unchanged.
 */
export type RegisteredDevices = Readonly<Record<string, KazooRegistration | null>>;

/** What happened to a device's registration, as `RegistrationEvent.kind` reports it. */
export type RegistrationChangeKind = 'REGISTERED' | 'UNREGISTERED' | 'CONTACT_CHANGED';

export interface RegistrationChange {
  deviceId: string;
  kind: RegistrationChangeKind;
  registered: boolean;
  /** The new `/registrations` row; null when the device dropped off or only `/devices/status` answered. */
  details: KazooRegistration | null;
}

/**
 * The fields that identify where and how a phone is registered. Not `contact` itself: Kamailio's `reg_success` and
 * ecallmgr's `/registrations` row write the same contact differently (the row adds `fs_path`), and its address and
 * port are compared through `contact_ip` and `contact_port`.
 */
const CONTACT_FIELDS = ['contact_ip', 'contact_port', 'source_ip', 'network_ip', 'user_agent'] as const;

export function registeredDevicesOf(index: RegistrationIndex): RegisteredDevices {
  const devices: Record<string, KazooRegistration | null> = {};
  for (const [deviceId, registered] of index) devices[deviceId] = registered.details ?? null;
  return devices;
}

export function diffRegistrations(previous: RegisteredDevices, next: RegisteredDevices): RegistrationChange[] {
  const changes: RegistrationChange[] = [];
  for (const [deviceId, details] of Object.entries(next)) {
    if (!Object.hasOwn(previous, deviceId)) changes.push({ deviceId, kind: 'REGISTERED', registered: true, details });
    else if (contactChanged(previous[deviceId] ?? null, details)) changes.push({ deviceId, kind: 'CONTACT_CHANGED', registered: true, details });
  }
  for (const deviceId of Object.keys(previous)) {
    if (!Object.hasOwn(next, deviceId)) changes.push({ deviceId, kind: 'UNREGISTERED', registered: false, details: null });
  }
  return changes;
}

export function applyRegistrationChanges(devices: RegisteredDevices, changes: readonly RegistrationChange[]): RegisteredDevices {
  const next: Record<string, KazooRegistration | null> = { ...devices };
  for (const change of changes) {
    if (change.registered) next[change.deviceId] = change.details;
    else delete next[change.deviceId];
  }
  return next;
}

/** Whether the phone registers from somewhere else now (a null row, from `/devices/status`, says nothing). */
export function contactChanged(before: KazooRegistration | null, after: KazooRegistration | null): boolean {
  if (before === null || after === null) return false;
  // A field one of the two does not report (Kamailio sends no `network_ip`) says nothing either.
  return CONTACT_FIELDS.some((field) => before[field] !== undefined && after[field] !== undefined && String(before[field]) !== String(after[field]));
}
