// Kazoo's documents as Crossbar returns them (snake_case, Kazoo 4.3). Only the keys the gateway relies on are named;
// every document keeps all other keys, so nothing Kazoo sends is dropped.

/** Any JSON object from Kazoo. */
export type KazooObject = { [key: string]: unknown };

/** `GET /devices` list item (view `devices/crossbar_listing`). */
export interface KazooDeviceSummary extends KazooObject {
  id: string;
  name?: string;
  /** The device's `sip.username`. */
  username?: string;
  /** `""` when the device has none. */
  mac_address?: string;
  owner_id?: string;
  enabled?: boolean;
  /** Defaults to `sip_device` in the listing. */
  device_type?: string;
  mobile?: KazooObject;
  call_recording?: KazooObject;
  flags?: string[];
}

/** The keys a device listing carries, so a resolver knows when the summary is enough. */
export const DEVICE_SUMMARY_KEYS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'mac_address',
  'owner_id',
  'enabled',
  'device_type',
  'mobile',
  'call_recording',
  'flags',
]);

/** A full device document (`GET /devices/{id}`), private `pvt_*` keys already removed by Crossbar. */
export interface KazooDevice extends KazooObject {
  id: string;
  name: string;
  owner_id?: string;
  device_type?: string;
  enabled?: boolean;
  sip?: KazooObject;
}

/** `GET /users/{id}/devices` list item (view `devices/listing_by_owner`). */
export interface KazooUserDeviceSummary extends KazooDeviceSummary {
  hotdesked: boolean;
}

/** The device keys a `/users/{id}/devices` row carries: fewer than the devices listing. */
export const USER_DEVICE_SUMMARY_KEYS: ReadonlySet<string> = new Set(
  [...DEVICE_SUMMARY_KEYS].filter((key) => !['mobile', 'flags'].includes(key)),
);

/** `GET /users` list item (view `users/crossbar_listing`). */
export interface KazooUserSummary extends KazooObject {
  id: string;
  username?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  priv_level?: string;
  feature_level?: string;
  presence_id?: string;
  timezone?: string;
  call_recording?: KazooObject;
  flags?: string[];
  features?: string[];
}

export const USER_SUMMARY_KEYS: ReadonlySet<string> = new Set([
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'priv_level',
  'feature_level',
  'presence_id',
  'timezone',
  'call_recording',
  'flags',
  'features',
]);

export interface KazooUser extends KazooObject {
  id: string;
  first_name: string;
  last_name: string;
  username?: string;
}

/** `GET /devices/status` item: only registered devices are listed, never `registered: false`. */
export interface KazooDeviceStatus {
  device_id: string;
  registered: boolean;
}

/** `GET /registrations` item: one SIP contact registered with the account's realm. */
export interface KazooRegistration extends KazooObject {
  authorizing_id?: string;
  authorizing_type?: string;
  owner_id?: string;
  username?: string;
  realm?: string;
  contact?: string;
  contact_ip?: string;
  contact_port?: number | string;
  source_ip?: string;
  network_ip?: string;
  /** Seconds until the registration expires. */
  expires?: number | string;
  /** Gregorian seconds. */
  event_timestamp?: number | string;
  user_agent?: string;
}

/** `PUT /user_auth`, `PUT /api_auth` and `GET /token_auth` data. */
export interface KazooAuthData extends KazooObject {
  account_id: string;
  owner_id?: string;
  account_name?: string;
  method?: string;
}

/** Seconds between year 0 and 1970, the offset of Kazoo's Gregorian timestamps. */
const GREGORIAN_UNIX_OFFSET_SECONDS = 62_167_219_200;

export function gregorianToDate(value: unknown): Date | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= GREGORIAN_UNIX_OFFSET_SECONDS) {
    return undefined;
  }
  return new Date((seconds - GREGORIAN_UNIX_OFFSET_SECONDS) * 1000);
}
