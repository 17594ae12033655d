// cb_devices_v2: /v2/accounts/{ACCOUNT_ID}/devices, /devices/status, /devices/{id}, /devices/{id}/sync
// and the owner listing /users/{USER_ID}/devices.
import { checkDevice } from './device-checks.js';
import { checkIfMatch, loadDoc } from './common.js';
import {
  recordNotification,
  reqValue,
  requestObject,
  requireAccount,
  type CrossbarResource,
  type HttpVerb,
  type RequestContext,
  type ResourceResult,
} from '../context.js';
import { humanError, md5Revision, validationError } from '../envelope.js';
import { listView } from '../listing.js';
import {
  canonicalJson,
  dropUndefined,
  getPath,
  isJsonObject,
  mergePatch,
  publicFields,
  requestFields,
  type JsonObject,
  type JsonValue,
} from '../json.js';
import type { AccountRecord, StoredDoc } from '../store.js';
import { validateAgainstSchema } from '../validation/index.js';

/** A row of the devices/crossbar_listing view. */
function deviceSummary(doc: StoredDoc): JsonObject {
  return dropUndefined({
    id: doc._id,
    name: doc.name,
    username: getPath(doc, 'sip.username') as JsonValue | undefined,
    mac_address: typeof doc.mac_address === 'string' && doc.mac_address !== '' ? doc.mac_address : '',
    owner_id: doc.owner_id,
    enabled: doc.enabled,
    device_type: typeof doc.device_type === 'string' && doc.device_type !== '' ? doc.device_type : 'sip_device',
    mobile: doc.mobile,
    call_recording: doc.call_recording,
    flags: doc.flags ?? [],
  });
}

/** A row of the devices/listing_by_owner view for one user (owner or hotdesked). */
function ownerRow(doc: StoredDoc, userId: string): JsonObject {
  return dropUndefined({
    id: doc._id,
    name: doc.name,
    mac_address: typeof doc.mac_address === 'string' && doc.mac_address !== '' ? doc.mac_address : '',
    owner_id: doc.owner_id,
    enabled: doc.enabled,
    device_type: typeof doc.device_type === 'string' && doc.device_type !== '' ? doc.device_type : 'sip_device',
    hotdesked: userId !== doc.owner_id,
    call_recording: doc.call_recording,
  });
}

function isHotdeskedBy(doc: StoredDoc, userId: string): boolean {
  const users = getPath(doc, 'hotdesk.users');
  return isJsonObject(users) && Object.prototype.hasOwnProperty.call(users, userId);
}

function sipValue(doc: JsonObject, key: string): unknown {
  return getPath(doc, ['sip', key]);
}

/** crossbar_util:flush_registration/1: password, username, owner or enabled changes drop the registration. */
function flushIfCredentialsChanged(ctx: RequestContext, account: AccountRecord, before: StoredDoc, after: StoredDoc | undefined): void {
  const changed =
    !after ||
    sipValue(before, 'password') !== sipValue(after, 'password') ||
    sipValue(before, 'username') !== sipValue(after, 'username') ||
    before.owner_id !== after.owner_id ||
    before.enabled !== after.enabled;
  if (!changed) return;
  const { registrar } = ctx.sim;
  registrar.unregister(account.id, before._id);
  for (const doc of [before, after]) {
    const username = doc ? sipValue(doc, 'username') : undefined;
    if (typeof username === 'string') registrar.flushUsername(account.id, username);
  }
}

function docResult(doc: StoredDoc, status?: number): ResourceResult {
  return { data: publicFields(doc), revision: doc._rev, etag: doc._rev, ...(status !== undefined ? { status } : {}) };
}

function requestBody(ctx: RequestContext): JsonObject {
  const body = requestObject(ctx);
  if (body) return requestFields(body);
  // a non-object `data` fails the schema's top-level type check
  const result = validateAgainstSchema('devices', ctx.reqData);
  throw validationError(result.valid ? {} : result.errors);
}

function createDevice(ctx: RequestContext, account: AccountRecord): ResourceResult {
  const checked = checkDevice({ store: ctx.sim.store, account, current: undefined, request: requestBody(ctx) });
  if (!checked.valid) throw validationError(checked.errors);
  const id = ctx.sim.newId();
  const saved = ctx.sim.store.insert(account.id, 'device', id, checked.doc);
  return docResult(saved, 201);
}

function updateDevice(ctx: RequestContext, account: AccountRecord, current: StoredDoc, request: JsonObject): ResourceResult {
  checkIfMatch(ctx, current);
  const checked = checkDevice({ store: ctx.sim.store, account, current, request });
  if (!checked.valid) throw validationError(checked.errors);
  // cb_modules_util:take_sync_field/1: `sync` is a request flag, never saved
  const { sync, ...doc } = checked.doc;
  const saved = ctx.sim.store.replace(account.id, current, doc);
  flushIfCredentialsChanged(ctx, account, current, saved);
  const before = publicFields(current);
  if (sync === true && canonicalJson(before) !== canonicalJson(publicFields(saved))) {
    recordNotification(ctx, saved._id, 'sync', { trigger: 'update', username: sipValue(saved, 'username') ?? null, realm: account.realm });
  }
  return docResult(saved);
}

function notifyDevice(ctx: RequestContext, account: AccountRecord, device: StoredDoc): ResourceResult {
  const action = reqValue(ctx, 'action');
  if (action === undefined) throw humanError(400, 'action required');
  if (action !== 'notify') throw humanError(400, 'invalid action');
  const result = validateAgainstSchema('devices_notify', ctx.reqData);
  if (!result.valid) throw validationError(result.errors);
  const detail: Record<string, unknown> = {
    event: getPath(ctx.reqData, 'data.event'),
    username: sipValue(device, 'username') ?? null,
    realm: account.realm,
  };
  const body = getPath(ctx.reqData, 'data.body');
  if (isJsonObject(body)) {
    detail.body = body.data;
    detail.content_type = body.content_type;
  }
  recordNotification(ctx, device._id, 'notify', detail);
  return { status: 201, data: 'NOTIFY sent', revision: device._rev };
}

function deviceStatus(ctx: RequestContext, account: AccountRecord): ResourceResult {
  const data = ctx.sim.registrar.registeredDeviceIds(account.id).map((deviceId) => ({ device_id: deviceId, registered: true }));
  return { data };
}

export const devicesResource: CrossbarResource = {
  allowedMethods(tokens): readonly HttpVerb[] {
    if (tokens.length === 0) return ['GET', 'PUT'];
    if (tokens.length === 1) return tokens[0] === 'status' ? ['GET'] : ['GET', 'PATCH', 'POST', 'PUT', 'DELETE'];
    if (tokens.length === 2 && tokens[1] === 'sync') return ['POST'];
    return [];
  },
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const [deviceId, sub] = tokens;
    if (deviceId === undefined) {
      if (ctx.verb === 'PUT') return createDevice(ctx, account);
      const { data, pagination } = listView(ctx.sim.store.docs(account.id, 'device'), (doc) => doc._id, deviceSummary, ctx.query);
      return { data, pagination, revision: md5Revision(data) };
    }
    if (deviceId === 'status' && sub === undefined) return deviceStatus(ctx, account);
    const device = loadDoc(ctx, account, 'device', deviceId);
    if (sub === 'sync') {
      recordNotification(ctx, device._id, 'sync', { trigger: 'request', username: sipValue(device, 'username') ?? null, realm: account.realm });
      return { data: 'sync request sent', revision: device._rev };
    }
    switch (ctx.verb) {
      case 'GET':
        return docResult(device);
      case 'PUT':
        return notifyDevice(ctx, account, device);
      case 'POST':
        return updateDevice(ctx, account, device, requestBody(ctx));
      case 'PATCH': {
        const { id: _id, ...current } = publicFields(device);
        return updateDevice(ctx, account, device, mergePatch(current, requestBody(ctx)));
      }
      case 'DELETE': {
        checkIfMatch(ctx, device);
        const deleted = ctx.sim.store.softDelete(account.id, device);
        flushIfCredentialsChanged(ctx, account, device, undefined);
        return docResult(deleted);
      }
    }
  },
};

/** GET /users/{USER_ID}/devices: devices owned by the user or hotdesked into by them. */
export const userDevicesResource: CrossbarResource = {
  allowedMethods: (tokens) => (tokens.length === 1 ? ['GET'] : []),
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const userId = tokens[0] ?? '';
    loadDoc(ctx, account, 'user', userId);
    const rows = ctx.sim.store
      .docs(account.id, 'device')
      .filter((doc) => doc.owner_id === userId || isHotdeskedBy(doc, userId));
    const { data, pagination } = listView(rows, (doc) => doc._id, (doc) => ownerRow(doc, userId), ctx.query);
    return { data, pagination, revision: md5Revision(data) };
  },
};
