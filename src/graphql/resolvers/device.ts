// Device fields that are more than a Kazoo key: identity, Kazoo's defaults, the owner and the registration.
// Every other field reads the device document through the mapping in kazoo-mapping.ts.
import { isKazooId } from '../../kazoo/paths.js';
import { documentKey } from '../../loaders/index.js';
import type { DeviceResolvers } from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { accountModel, UserRef } from '../models.js';
import type { DeviceRef } from '../models.js';
import type { GatewayContext } from '../context.js';
import { deviceTypeOf, kazooDeviceType } from '../device-types.js';
import { registrationOf } from './registration.js';
import { HOTDESK_ACCOUNT } from './settings.js';

async function read(device: DeviceRef, key: string, context: GatewayContext): Promise<unknown> {
  return device.read(key, context);
}

/**
 * A key of the device, mapped; synchronous when the listing row or document at hand holds it. A promise per scalar
 * field made a page of devices measurably slower under load (BENCHMARKS.md), and so did a closure per field: the
 * maps below are made once, not per edge.
 */
function readAs<T>(device: DeviceRef, key: string, context: GatewayContext, map: (value: unknown) => T): T | Promise<T> {
  const value = device.read(key, context);
  return value instanceof Promise ? value.then(map) : map(value);
}

const nameOf = (name: unknown): string => String(name ?? '');
// Kazoo's schema default.
const enabledOf = (enabled: unknown): boolean => enabled !== false;
const ownerIdOf = (ownerId: unknown): string | null => (typeof ownerId === 'string' && ownerId !== '' ? ownerId : null);
// The listing reports "" for a device without a MAC; the document has no key. Both mean none.
const macOf = (mac: unknown): string | null => (typeof mac === 'string' && mac !== '' ? mac : null);

function ownerOf(accountId: string, ownerId: unknown, context: GatewayContext): UserRef | null | Promise<UserRef | null> {
  if (!isKazooId(ownerId)) return null;
  const summary = context.loaders.userSummary.loadSettled(documentKey(accountId, ownerId));
  if (summary instanceof Promise) return summary.then((found) => (found === null ? null : UserRef.fromSummary(accountId, found)));
  return summary === null ? null : UserRef.fromSummary(accountId, summary);
}

export const Device: DeviceResolvers = {
  id: (device) => globalId('Device', device.accountId, device.id),
  kazooId: (device) => device.id,
  accountId: (device) => device.accountId,
  account: (device) => accountModel(device.accountId),
  name: (device, _args, context) => readAs(device, 'name', context, nameOf),
  // Kazoo's own listing view counts a device without a type as a SIP device. The enum's internal values are Kazoo's
  // types (device-types.ts), where codegen types enum results by name.
  deviceType: (device, _args, context, info) => {
    const stored = device.read('device_type', context);
    return (
      stored instanceof Promise
        ? stored.then((ready) => deviceTypeOf(info.schema, kazooDeviceType(ready)))
        : deviceTypeOf(info.schema, kazooDeviceType(stored))
    ) as never;
  },
  kazooDeviceType: (device, _args, context) => readAs(device, 'device_type', context, kazooDeviceType),
  enabled: (device, _args, context) => readAs(device, 'enabled', context, enabledOf),
  ownerId: (device, _args, context) => readAs(device, 'owner_id', context, ownerIdOf),
  macAddress: (device, _args, context) => readAs(device, 'mac_address', context, macOf),
  // Both answer at once when the root resolver fetched owners and registrations for the page (resolvers/query.ts).
  owner: (device, _args, context) => {
    const ownerId = device.read('owner_id', context);
    return ownerId instanceof Promise
      ? ownerId.then((ready) => ownerOf(device.accountId, ready, context))
      : ownerOf(device.accountId, ownerId, context);
  },
  registration: (device, _args, context) => {
    const index = context.loaders.registrations.loadSettled(device.accountId);
    return index instanceof Promise
      ? index.then((ready) => registrationOf(device.accountId, device.id, ready))
      : registrationOf(device.accountId, device.id, index);
  },
  outboundFlags: async (device, _args, context) => {
    const flags = await read(device, 'outbound_flags', context);
    if (Array.isArray(flags)) return flags.map(String);
    if (typeof flags !== 'object' || flags === null) return null;
    const { static: fixed, dynamic } = flags as { static?: unknown; dynamic?: unknown };
    return [...(Array.isArray(fixed) ? fixed : []), ...(Array.isArray(dynamic) ? dynamic : [])].map(String);
  },
  hotdesk: async (device, _args, context) => {
    const hotdesk = await read(device, 'hotdesk', context);
    return typeof hotdesk === 'object' && hotdesk !== null ? { ...hotdesk, [HOTDESK_ACCOUNT]: device.accountId } : null;
  },
  raw: (device, _args, context) => device.document(context),
};
