// Crossbar's devices resource (`/v2/accounts/{ACCOUNT_ID}/devices`), one function per operation, as Kazoo 4.3's
// cb_devices_v2 implements them (kazoo-crossbar.md §4; where the docs disagree, the code's behaviour is used).
import { listAll, listPage } from './listing.js';
import type { ListPage, ListPageOptions } from './listing.js';
import { accountPath, assertDialledNumber, assertKazooId } from './paths.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';
import type { KazooDevice, KazooDeviceStatus, KazooDeviceSummary, KazooObject } from './types.js';

function devicePath(accountId: string, deviceId: string, ...rest: string[]): string {
  return accountPath(accountId, 'devices', assertKazooId(deviceId, 'deviceId'), ...rest);
}

export function list(
  session: KazooSession,
  accountId: string,
  options: ListPageOptions,
): Promise<ListPage<KazooDeviceSummary>> {
  return listPage<KazooDeviceSummary>(session, accountPath(accountId, 'devices'), options);
}

/** Every device of the account, in as few large pages as possible. */
export function listAllSummaries(session: KazooSession, accountId: string): Promise<KazooDeviceSummary[]> {
  return listAll<KazooDeviceSummary>(session, accountPath(accountId, 'devices'));
}

export async function get(session: KazooSession, accountId: string, deviceId: string): Promise<KazooDevice> {
  return (await send<KazooDevice>(session, { method: 'GET', path: devicePath(accountId, deviceId) })).data;
}

export async function create(session: KazooSession, accountId: string, doc: KazooObject): Promise<KazooDevice> {
  return (await send<KazooDevice>(session, { method: 'PUT', path: accountPath(accountId, 'devices'), data: doc })).data;
}

/** POST: the document replaces the stored one (Kazoo keeps its private fields). `sync` asks for a check-sync. */
export async function replace(
  session: KazooSession,
  accountId: string,
  deviceId: string,
  doc: KazooObject,
  options: { sync?: boolean } = {},
): Promise<KazooDevice> {
  const data = options.sync === true ? { ...doc, sync: true } : doc;
  return (await send<KazooDevice>(session, { method: 'POST', path: devicePath(accountId, deviceId), data })).data;
}

/** PATCH: deep-merged into the stored document by Kazoo; a `null` removes a key. */
export async function patch(
  session: KazooSession,
  accountId: string,
  deviceId: string,
  changes: KazooObject,
  options: { sync?: boolean } = {},
): Promise<KazooDevice> {
  const data = options.sync === true ? { ...changes, sync: true } : changes;
  return (await send<KazooDevice>(session, { method: 'PATCH', path: devicePath(accountId, deviceId), data })).data;
}

/** Soft delete; Kazoo answers with the deleted document. */
export async function remove(session: KazooSession, accountId: string, deviceId: string): Promise<KazooDevice> {
  return (await send<KazooDevice>(session, { method: 'DELETE', path: devicePath(accountId, deviceId) })).data;
}

/** Forced check-sync NOTIFY (phones reload or reboot), whatever changed. */
export async function sync(session: KazooSession, accountId: string, deviceId: string): Promise<void> {
  await send<unknown>(session, { method: 'POST', path: devicePath(accountId, deviceId, 'sync') });
}

interface NotifyOptions {
  event: string;
  body?: { contentType: string; data: string } | undefined;
}

/**
 * SIP NOTIFY. Kazoo's code (not its docs) defines this as a PUT on the device with `action: "notify"`, the
 * `devices_notify` schema applying to the request `data`: `{"data":{"action":"notify","data":{"event":…}}}`.
 */
export async function notify(
  session: KazooSession,
  accountId: string,
  deviceId: string,
  options: NotifyOptions,
): Promise<void> {
  const notification: KazooObject = { event: options.event };
  if (options.body !== undefined) {
    notification.body = { content_type: options.body.contentType, data: options.body.data };
  }
  await send<unknown>(session, {
    method: 'PUT',
    path: devicePath(accountId, deviceId),
    data: { action: 'notify', data: notification },
  });
}

export async function resetPresence(session: KazooSession, accountId: string, deviceId: string): Promise<void> {
  await send<unknown>(session, {
    method: 'POST',
    path: devicePath(accountId, deviceId, 'presence'),
    data: { action: 'reset' },
  });
}

interface QuickcallOptions {
  callerIdName?: string | undefined;
  callerIdNumber?: string | undefined;
  autoAnswer?: boolean | undefined;
  /** Seconds to ring, more than 3 (Kazoo's default 30). */
  timeoutSeconds?: number | undefined;
}

/**
 * Click-to-call from the device to `number`. A GET in Crossbar, but it places a call: sent exactly once, never
 * retried. Answers with the originate request Kazoo published.
 */
export async function quickcall(
  session: KazooSession,
  accountId: string,
  deviceId: string,
  number: string,
  options: QuickcallOptions = {},
): Promise<KazooObject> {
  const envelope = await send<KazooObject>(session, {
    method: 'GET',
    path: devicePath(accountId, deviceId, 'quickcall', assertDialledNumber(number, 'number')),
    // Kazoo URL-decodes these two once more after the query string is parsed (cb_quickcall get_cid_name/number):
    // encode them once more, or a `+` in a number would arrive as a space.
    query: {
      'cid-name': encodeOnceMore(options.callerIdName),
      'cid-number': encodeOnceMore(options.callerIdNumber),
      auto_answer: options.autoAnswer,
      timeout: options.timeoutSeconds,
    },
    retry: 'once',
    // cb_quickcall answers 500 `unspecified fault` when the device gives it no endpoint to originate to.
    http500Means: 'Kazoo has nothing to call for this device: it is disabled, or has no SIP credentials or call forward',
  });
  return envelope.data;
}

function encodeOnceMore(value: string | undefined): string | undefined {
  return value === undefined ? undefined : encodeURIComponent(value);
}

/** Registered devices only (`registered: true`); unregistered devices are absent. */
export async function status(session: KazooSession, accountId: string): Promise<KazooDeviceStatus[]> {
  const envelope = await send<KazooDeviceStatus[]>(session, {
    method: 'GET',
    path: accountPath(accountId, 'devices', 'status'),
  });
  return Array.isArray(envelope.data) ? envelope.data : [];
}
