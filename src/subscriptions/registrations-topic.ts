// The registrations topic: an account's registered devices, each with its `/registrations` row (null where only
// `/devices/status` answered). Read as queries read them (loaders/registrations.ts): `/registrations`, or
// `/devices/status` where that module is not available, asking `/registrations` again now and then.
import type { RegSuccess } from '../kazoo/amqp-events.js';
import type { KazooRegistration } from '../kazoo/types.js';
import { readRegistrations } from '../loaders/registrations.js';
import type { RegistrationSource } from '../loaders/registrations.js';
import { applyRegistrationChanges, contactChanged, diffRegistrations, registeredDevicesOf } from './registration-diff.js';
import type { RegisteredDevices, RegistrationChange, RegistrationChangeKind } from './registration-diff.js';
import type { LiveSignal, LiveTopic, SignalEffect, StateReader } from './topic.js';
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

/** Seconds between year 0 and 1970 (the rows' `event_timestamp` is Gregorian, as `/registrations` gives it). */
const GREGORIAN_UNIX_OFFSET_SECONDS = 62_167_219_200;

/** `sip:user@host:port;params` (maybe in `<>`) → host and port, as Crossbar derives `contact_ip`/`contact_port`. */
function contactAddress(contact: string): { ip: string; port: number } | undefined {
  const match = /sips?:[^@;>]*@(\[[^\]]+\]|[^:;>]+)(?::(\d+))?/i.exec(contact);
  if (match === null || match[1] === undefined) return undefined;
  return { ip: match[1], port: match[2] === undefined ? (/^<?sips:/i.test(contact) ? 5061 : 5060) : Number(match[2]) };
}

/**
 * The `/registrations` row a `reg_success` stands for. Laid over the row already held (from a poll), so that the
 * fields a poll reports differently (`contact` with ecallmgr's `fs_path`) do not read as a new contact: only the
 * address, port, source and phone software decide that.
 */
function rowOf(registration: RegSuccess, previous: KazooRegistration | null | undefined): KazooRegistration {
  const address = contactAddress(registration.contact);
  const row: KazooRegistration = {
    ...(previous ?? { contact: registration.contact }),
    authorizing_id: registration.deviceId,
    authorizing_type: 'device',
    username: registration.username,
    realm: registration.realm,
    expires: registration.expiresSeconds,
    event_timestamp: Math.floor(registration.at / 1000) + GREGORIAN_UNIX_OFFSET_SECONDS,
  };
  if (registration.ownerId !== undefined) row.owner_id = registration.ownerId;
  if (address !== undefined) {
    row.contact_ip = address.ip;
    row.contact_port = address.port;
  }
  if (registration.sourceIp !== undefined) row.source_ip = registration.sourceIp;
  if (registration.userAgent !== undefined) row.user_agent = registration.userAgent;
  if (registration.callId !== undefined) row['call_id'] = registration.callId;
  return row;
}

function react(state: RegisteredDevices, signal: LiveSignal): SignalEffect<RegistrationChange> {
  if (signal.kind === 'document') return { kind: 'ignore' };
  if (signal.kind === 'deregistered') {
    const { deviceId } = signal.notice;
    // A confirmation: ecallmgr removed it (explicitly, or after its own expiry).
    if (deviceId === undefined) return { kind: 'ignore' };
    const changes: RegistrationChange[] = Object.hasOwn(state, deviceId)
      ? [{ deviceId, kind: 'UNREGISTERED', registered: false, details: null }]
      : [];
    return { kind: 'changes', changes, clearExpiry: deviceId };
  }
  const { registration } = signal;
  const { deviceId } = registration;
  const held = Object.hasOwn(state, deviceId) ? (state[deviceId] ?? null) : undefined;
  if (!registration.registered) {
    const changes: RegistrationChange[] =
      held === undefined ? [] : [{ deviceId, kind: 'UNREGISTERED', registered: false, details: null }];
    return { kind: 'changes', changes, clearExpiry: deviceId };
  }
  const row = rowOf(registration, held);
  const expiry = { subject: deviceId, at: registration.at + registration.expiresSeconds * 1000 };
  if (held === undefined) return { kind: 'changes', changes: [{ deviceId, kind: 'REGISTERED', registered: true, details: row }], expiry };
  // A refresh from the same contact is not an event.
  const changes: RegistrationChange[] = contactChanged(held, row) ? [{ deviceId, kind: 'CONTACT_CHANGED', registered: true, details: row }] : [];
  return { kind: 'changes', changes, expiry };
}

export const registrationsTopic: LiveTopic<RegisteredDevices, RegistrationChange> = {
  name: 'registrations',
  createReader,
  diff: diffRegistrations,
  apply: applyRegistrationChanges,
  subjectOf: (change) => change.deviceId,
  parseState,
  parseChange,
  react,
  expire: (state, deviceId) =>
    Object.hasOwn(state, deviceId) ? [{ deviceId, kind: 'UNREGISTERED', registered: false, details: null }] : [],
  touched: () => undefined,
};
