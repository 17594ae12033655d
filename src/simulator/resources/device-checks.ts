// The device validation pipeline of cb_devices_v2:validate_device/2 (Kazoo 4.3), run in Crossbar's order.
// Every routine adds to one error object; the JSON schema runs last and its errors are merged in.
import { ErrorCollector, normalizeEmergencyCallerId, normalizeNumber } from './common.js';
import { clone, getPath, isJsonObject, type JsonObject } from '../json.js';
import type { AccountRecord, StoredDoc, Store } from '../store.js';
import { mergeValidationErrors, validateAgainstSchema, type ValidationErrors } from '../validation/index.js';

interface DeviceCheckInput {
  store: Store;
  account: AccountRecord;
  /** undefined on create */
  current: StoredDoc | undefined;
  /** request data without private keys (for PATCH: already merged over the stored doc) */
  request: JsonObject;
}

type DeviceCheckResult = { valid: true; doc: JsonObject } | { valid: false; errors: ValidationErrors };

/** provisioner_util:cleanse_mac_address/1: hex digits only, lower-case; nothing left means no MAC. */
function cleanseMac(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const mac = value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return mac === '' ? undefined : mac;
}

function isIpv4(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const parts = value.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

function sipOf(doc: JsonObject): JsonObject | undefined {
  return isJsonObject(doc.sip) ? doc.sip : undefined;
}

function prepareMacAddress(request: JsonObject): void {
  const mac = cleanseMac(request.mac_address);
  if (mac !== undefined) request.mac_address = mac;
}

function prepareOutboundFlags(request: JsonObject): void {
  const flags = request.outbound_flags;
  if (flags === undefined || (Array.isArray(flags) && flags.length === 0)) return;
  // cb_devices_v2 prepare_outbound_flags/2: anything that is not a list (even the schema's object form) becomes []
  request.outbound_flags = Array.isArray(flags) ? flags.map((flag) => (typeof flag === 'string' ? flag.trim() : flag)) : [];
}

function prepareDeviceRealm(request: JsonObject, account: AccountRecord): void {
  const sip = sipOf(request);
  if (sip && (sip.realm === undefined || sip.realm === account.realm)) delete sip.realm;
}

function prepareProvisionerFields(request: JsonObject): void {
  const provision = request.provision;
  if (!isJsonObject(provision)) return;
  for (const key of ['combo_keys', 'feature_keys']) {
    const keys = provision[key];
    if (!isJsonObject(keys)) continue;
    for (const [index, value] of Object.entries(keys)) {
      if (value === null) delete keys[index];
    }
  }
}

function deviceType(doc: JsonObject | undefined): unknown {
  return doc?.device_type;
}

function validateMdn(input: DeviceCheckInput, errors: ErrorCollector): void {
  const type = deviceType(input.current) ?? deviceType(input.request);
  if (type !== 'mobile') return;
  const mdn = getPath(input.request, 'mobile.mdn');
  if (mdn === undefined || mdn === null || mdn === '') {
    errors.add('mobile.mdn', 'required', { message: 'Field is required but missing' });
    return;
  }
  const normalized = normalizeNumber(String(mdn));
  if (input.current) {
    const currentMdn = getPath(input.current, 'mobile.mdn');
    if (typeof currentMdn !== 'string' || normalizeNumber(currentMdn) !== normalized) {
      errors.add('mobile.mdn', 'invalid', { message: 'Mobile Device Number cannot be changed', cause: mdn });
    }
    return;
  }
  const taken = input.store
    .allAccounts()
    .some((account) =>
      input.store.docs(account.id, 'device').some((doc) => {
        const other = getPath(doc, 'mobile.mdn');
        return typeof other === 'string' && normalizeNumber(other) === normalized;
      }),
    );
  if (taken) errors.add('mobile.mdn', 'unique', { message: 'Mobile Device Number already exists in the system', cause: normalized });
}

function validateMacAddress(input: DeviceCheckInput, errors: ErrorCollector): void {
  const mac = cleanseMac(input.request.mac_address);
  if (mac === undefined) return;
  if (input.current && cleanseMac(input.current.mac_address) === mac) return;
  const inUse = input.store
    .docs(input.account.id, 'device')
    .some((doc) => doc._id !== input.current?._id && cleanseMac(doc.mac_address) === mac);
  if (inUse) errors.add('mac_address', 'unique', { message: 'MAC address already in use', cause: mac });
}

function sipCredentialsUnique(input: DeviceCheckInput, realm: string, username: string): boolean {
  const wanted = username.toLowerCase();
  const selfId = input.current?._id;
  // devices/sip_credentials: every live doc of the account that has a sip object
  const local = input.store
    .docs(input.account.id, 'device')
    .filter((doc) => String(sipOf(doc)?.username ?? '').toLowerCase() === wanted);
  const locallyUnique = local.length === 0 || (local.length === 1 && local[0]?._id === selfId);
  // sip_auth credentials/lookup holds the aggregated (custom realm) devices of every account
  const global = input.store.allAccounts().flatMap((account) =>
    input.store.docs(account.id, 'device').filter((doc) => {
      const sip = sipOf(doc);
      return (
        typeof sip?.realm === 'string' &&
        sip.realm.toLowerCase() === realm.toLowerCase() &&
        String(sip.username ?? '').toLowerCase() === wanted
      );
    }),
  );
  const globallyUnique = global.length === 0 || (global.length === 1 && global[0]?._id === selfId);
  return locallyUnique && globallyUnique;
}

function validateDeviceCreds(input: DeviceCheckInput, errors: ErrorCollector): void {
  const sip = sipOf(input.request) ?? {};
  const realm = typeof sip.realm === 'string' ? sip.realm : input.account.realm;
  const method = sip.method ?? 'password';
  if (method === 'password') {
    const username = sip.username;
    if (typeof username === 'string' && !sipCredentialsUnique(input, realm, username)) {
      errors.add('sip.username', 'unique', { message: 'SIP credentials already in use', cause: username });
    }
  } else if (method === 'ip') {
    const ip = sip.ip;
    if (!isIpv4(ip)) {
      errors.add('sip.ip', 'type', { message: 'Must be a valid IPv4 RFC 791', ...(ip !== undefined ? { cause: ip } : {}) });
      return;
    }
    const inUse = input.store.allAccounts().some((account) =>
      input.store.docs(account.id, 'device').some((doc) => {
        const other = sipOf(doc);
        return doc._id !== input.current?._id && other?.method === 'ip' && other.ip === ip;
      }),
    );
    if (inUse) errors.add('sip.ip', 'unique', { message: 'SIP IP already in use', cause: ip });
  } else {
    errors.add('sip.method', 'enum', { message: 'SIP authentication method is invalid', target: ['password', 'ip'], cause: method });
  }
}

function checkDeviceTypeChange(input: DeviceCheckInput, errors: ErrorCollector): void {
  if (!input.current) return;
  const next = input.request.device_type;
  // only a super-duper admin may change it; tokens here never belong to one
  if (next !== input.current.device_type) {
    errors.add('device_type', 'invalid', { message: 'Not authorized to change type of device', cause: next ?? '' });
  }
}

export function checkDevice(input: DeviceCheckInput): DeviceCheckResult {
  const request = clone(input.request);
  const prepared: DeviceCheckInput = { ...input, request };
  prepareMacAddress(request);
  prepareOutboundFlags(request);
  prepareDeviceRealm(request, input.account);
  prepareProvisionerFields(request);
  normalizeEmergencyCallerId(request);
  const errors = new ErrorCollector();
  validateMdn(prepared, errors);
  validateMacAddress(prepared, errors);
  validateDeviceCreds(prepared, errors);
  checkDeviceTypeChange(prepared, errors);
  const schema = validateAgainstSchema('devices', request);
  if (!schema.valid) return { valid: false, errors: mergeValidationErrors(errors.errors, schema.errors) };
  if (!errors.empty) return { valid: false, errors: errors.errors };
  return { valid: true, doc: schema.value as JsonObject };
}
