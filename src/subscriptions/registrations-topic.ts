// The registrations topic: an account's registered devices, each with its `/registrations` row (null where only
// `/devices/status` answered). Read as queries read them (loaders/registrations.ts): `/registrations`, or
// `/devices/status` where that module is not available, asking `/registrations` again now and then.
import type { KazooRegistration } from '../kazoo/types.js';
import { readRegistrations } from '../loaders/registrations.js';
import type { RegistrationSource } from '../loaders/registrations.js';
import { applyRegistrationChanges, diffRegistrations, registeredDevicesOf } from './registration-diff.js';
import type { RegisteredDevices, RegistrationChange, RegistrationChangeKind } from './registration-diff.js';
import type { LiveTopic, StateReader } from './topic.js';
import { isRecord } from './wire.js';

/** Where /registrations is not available, reads go to /devices/status and ask /registrations again every this many. */
const REGISTRATIONS_RETRY_POLLS = 60;
const CHANGE_KINDS: ReadonlySet<string> = new Set<RegistrationChangeKind>(['REGISTERED', 'UNREGISTERED', 'CONTACT_CHANGED']);

function createReader(): StateReader<RegisteredDevices> {
  let source: RegistrationSource = 'registrations';
  let readsSinceRegistrationsTried = 0;
  return async (session, accountId) => {
    const from = source === 'registrations' || ++readsSinceRegistrationsTried >= REGISTRATIONS_RETRY_POLLS ? 'registrations' : 'devices/status';
    if (from === 'registrations') readsSinceRegistrationsTried = 0;
    const read = await readRegistrations(session, accountId, from);
    source = read.source;
    return registeredDevicesOf(read.index);
  };
}

/** A `/registrations` row as stored: an object (its fields are Kazoo's, read field by field where used). */
function parseDetails(raw: unknown): KazooRegistration | null | undefined {
  if (raw === null) return null;
  return isRecord(raw) ? (raw as KazooRegistration) : undefined;
}

function parseState(raw: unknown): RegisteredDevices | undefined {
  if (!isRecord(raw)) return undefined;
  const devices: Record<string, KazooRegistration | null> = {};
  for (const [deviceId, row] of Object.entries(raw)) {
    const details = parseDetails(row);
    if (details === undefined) return undefined;
    devices[deviceId] = details;
  }
  return devices;
}

function parseChange(raw: unknown): RegistrationChange | undefined {
  if (!isRecord(raw)) return undefined;
  const { deviceId, registered, kind } = raw;
  const details = parseDetails(raw['details']);
  if (typeof deviceId !== 'string' || typeof registered !== 'boolean' || details === undefined) return undefined;
  if (typeof kind !== 'string' || !CHANGE_KINDS.has(kind)) return undefined;
  return { deviceId, registered, kind: kind as RegistrationChangeKind, details };
}

export const registrationsTopic: LiveTopic<RegisteredDevices, RegistrationChange> = {
  name: 'registrations',
  createReader,
  diff: diffRegistrations,
  apply: applyRegistrationChanges,
  subjectOf: (change) => change.deviceId,
  parseState,
  parseChange,
};
