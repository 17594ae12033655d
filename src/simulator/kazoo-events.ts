// What Kazoo 4.3 publishes on AMQP as the simulator's state changes, built as ../shared/kazoo-events.md §6.3 says
// Kamailio, ecallmgr and kazoo_data build them: Kamailio's `reg_success` on every REGISTER (new, refresh or
// unregister; numbers and booleans where its template has them, the device and account in the CCVs, Unix time),
// ecallmgr's `deregister` notices (Gregorian time, `Expires` padded by 180 s), and kazoo_data's `doc_*` events (the
// account db encoded in the key, no body, `Date-Created`/`Date-Modified` swapped as 4.3 swaps them). Nothing is
// built for a silent expiry: Kamailio sends nothing then.
import { randomBytes, randomUUID } from 'node:crypto';
import { gregorianSeconds, unixSeconds } from './clock.js';
import type { JsonObject } from './json.js';
import type { AccountRecord, StoredDoc } from './store.js';

export type KazooExchange = 'registrar' | 'notifications' | 'configuration';

export interface KazooMessage {
  exchange: KazooExchange;
  routingKey: string;
  body: JsonObject;
}

/** ecallmgr's `expires_deviation_time`: how long past its expiry a registration is kept, and the notice padded. */
export const EXPIRES_DEVIATION_SECONDS = 180;

/** What the registrar knows of a registration, as these messages need it. */
export interface RegistrationFacts {
  accountId: string;
  deviceId: string;
  ownerId: string | undefined;
  username: string;
  realm: string;
  userAgent: string;
  contactIp: string;
  contactPort: number;
  networkIp: string;
  networkPort: number;
  proxyIp: string;
  callId: string;
  expiresSeconds: number;
  refreshedAt: number;
  suppressUnregisterNotify: boolean;
}

/** `kz_amqp_util:encode/1` (and Kamailio's `{kz.encode}`). */
export function encodeWord(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-~_]/.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function contactOf(registration: RegistrationFacts): string {
  return `sip:${registration.username}@${registration.contactIp}:${registration.contactPort};transport=udp`;
}

/** Kamailio's `reg_success` (registrar-role.cfg L414): `kind` new, refresh, or an unregister (`Expires: 0`). */
export function regSuccess(
  registration: RegistrationFacts,
  account: AccountRecord | undefined,
  kind: 'new' | 'refresh' | 'unregister',
  now: number,
): KazooMessage {
  const unregister = kind === 'unregister';
  const ccvs: JsonObject = {
    Username: registration.username,
    Realm: registration.realm,
    'Account-ID': registration.accountId,
    'Authorizing-ID': registration.deviceId,
    'Authorizing-Type': 'device',
    'Account-Realm': account?.realm ?? registration.realm,
    'Account-Name': account?.name ?? '',
    'Presence-ID': `${registration.username}@${registration.realm}`,
    'Suppress-Unregister-Notifications': registration.suppressUnregisterNotify,
    'Register-Overwrite-Notify': false,
  };
  if (registration.ownerId !== undefined) ccvs['Owner-ID'] = registration.ownerId;
  return {
    exchange: 'registrar',
    routingKey: `registration.success.${encodeWord(registration.realm)}.${encodeWord(registration.username)}`,
    body: {
      'Event-Category': 'directory',
      'Event-Name': 'reg_success',
      Status: unregister ? 'Unregistered' : 'Registered',
      'Event-Timestamp': unixSeconds(now),
      Expires: unregister ? 0 : registration.expiresSeconds,
      'First-Registration': kind === 'new',
      Contact: `<${contactOf(registration)}>`,
      'Call-ID': registration.callId,
      Realm: registration.realm,
      Username: registration.username,
      'From-User': registration.username,
      'From-Host': registration.realm,
      'To-User': registration.username,
      'To-Host': registration.realm,
      'User-Agent': registration.userAgent,
      'Custom-Channel-Vars': ccvs,
      'Proxy-Path': `sip:${registration.proxyIp}:5060`,
      'Proxy-Protocol': 'udp',
      'Proxy-IP': registration.proxyIp,
      'Proxy-Port': '5060',
      'Source-IP': registration.networkIp,
      'Source-Port': String(registration.networkPort),
      'App-Name': 'kamailio',
      'App-Version': '5.4.9',
      Node: 'kamailio@proxy1.simulator.kazoo.test',
      'Msg-ID': randomUUID(),
    },
  };
}

/** ecallmgr's `deregister` notification (kapi_notifications L883–920, fields as `to_props` fills them). */
export function deregister(registration: RegistrationFacts, explicit: boolean): KazooMessage {
  const accountId = registration.accountId;
  return {
    exchange: 'notifications',
    routingKey: 'notifications.sip.deregister',
    body: {
      'Account-DB': `account%2F${accountId.slice(0, 2)}%2F${accountId.slice(2, 4)}%2F${accountId.slice(4)}`,
      'Account-ID': accountId,
      'Authorizing-ID': registration.deviceId,
      'Call-ID': registration.callId,
      Contact: contactOf(registration),
      'Event-Timestamp': gregorianSeconds(registration.refreshedAt),
      Expires: explicit ? 0 : registration.expiresSeconds + EXPIRES_DEVIATION_SECONDS,
      'From-Host': registration.realm,
      'From-User': registration.username,
      'To-Host': registration.realm,
      'To-User': registration.username,
      Realm: registration.realm,
      Username: registration.username,
      'User-Agent': registration.userAgent,
      'Suppress-Unregister-Notify': false,
      'Event-Category': 'notification',
      'Event-Name': 'deregister',
      'App-Name': 'ecallmgr',
      'App-Version': '4.0.0',
      Node: 'ecallmgr@fs1.simulator.kazoo.test',
      'Msg-ID': randomBytes(16).toString('hex'),
    },
  };
}

export type DocumentAction = 'created' | 'edited' | 'deleted';

/** kazoo_data's `doc_*` event for one write (kzs_publish:publish/3). */
export function documentEvent(doc: StoredDoc, action: DocumentAction): KazooMessage {
  const name = `doc_${action}`;
  return {
    exchange: 'configuration',
    routingKey: `${name}.${doc.pvt_account_db}.${doc.pvt_type}.${encodeWord(doc._id)}`,
    body: {
      ID: doc._id,
      Type: doc.pvt_type,
      Database: doc.pvt_account_db,
      Rev: doc._rev,
      'Account-ID': doc.pvt_account_id,
      // kzs_publish L164–165 swaps them.
      'Date-Modified': doc.pvt_created,
      'Date-Created': doc.pvt_modified,
      'Is-Soft-Deleted': doc.pvt_deleted === true,
      'Origin-Cache': 'kazoo_data_cache',
      'Event-Category': 'configuration',
      'Event-Name': name,
      'App-Name': 'datamgr',
      'App-Version': '4.0.0',
      Node: 'kazoo_apps@app1.simulator.kazoo.test',
      'Msg-ID': randomBytes(16).toString('hex'),
    },
  };
}
