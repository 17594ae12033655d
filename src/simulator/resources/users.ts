// cb_users_v2: /v2/accounts/{ACCOUNT_ID}/users and /users/{id}, with cb_users_v2:validate_request/2's routines.
import { createHash } from 'node:crypto';
import { checkIfMatch, ErrorCollector, loadDoc, normalizeEmergencyCallerId } from './common.js';
import {
  requestObject,
  requireAccount,
  type CrossbarResource,
  type HttpVerb,
  type RequestContext,
  type ResourceResult,
} from '../context.js';
import { md5Revision, systemError, validationError } from '../envelope.js';
import { listView } from '../listing.js';
import { clone, dropUndefined, getPath, isJsonObject, mergePatch, publicFields, requestFields, type JsonObject } from '../json.js';
import { randomHex } from '../random.js';
import type { AccountRecord, StoredDoc } from '../store.js';
import { mergeValidationErrors, validateAgainstSchema } from '../validation/index.js';

/** cb_modules_util:pass_hashes/2: md5 and sha1 of "username:password". */
export function passwordHashes(username: string, password: string): { md5: string; sha1: string } {
  const creds = `${username}:${password}`;
  return {
    md5: createHash('md5').update(creds).digest('hex'),
    sha1: createHash('sha1').update(creds).digest('hex'),
  };
}

/** The features[] the users/crossbar_listing view derives from a user document. */
function userFeatures(doc: StoredDoc): string[] {
  const features = Array.isArray(doc.features) ? doc.features.filter((f): f is string => typeof f === 'string') : [];
  if (isJsonObject(doc.smartpbx)) {
    for (const [feature, settings] of Object.entries(doc.smartpbx)) {
      if (isJsonObject(settings) && settings.enabled) features.push(feature);
    }
  }
  if (getPath(doc, 'hotdesk.enabled')) features.push('hotdesk');
  if (getPath(doc, 'call_forward.enabled')) features.push('call_forward');
  if (getPath(doc, 'call_forward.failover') && !getPath(doc, 'call_forward.enabled')) features.push('call_forward_failover');
  if (getPath(doc, 'caller_id.external.number')) features.push('caller_id');
  if (doc.vm_to_email_enabled) features.push('vm_to_email');
  if (getPath(doc, 'music_on_hold.media_id')) features.push('music_on_hold');
  if (getPath(doc, 'do_not_disturb.enabled')) features.push('do_not_disturb');
  return features;
}

function userSummary(doc: StoredDoc): JsonObject {
  return dropUndefined({
    id: doc._id,
    features: userFeatures(doc),
    username: doc.username,
    email: doc.email,
    first_name: doc.first_name,
    last_name: doc.last_name,
    priv_level: doc.priv_level,
    feature_level: doc.feature_level,
    presence_id: doc.presence_id,
    timezone: doc.timezone,
    call_recording: doc.call_recording,
    service: doc.service,
    flags: doc.flags ?? [],
  });
}

interface UserCheckResult {
  doc: JsonObject;
  /** private keys to set; null removes the key */
  credentials: JsonObject;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function checkUser(ctx: RequestContext, account: AccountRecord, current: StoredDoc | undefined, body: JsonObject): UserCheckResult {
  const { store } = ctx.sim;
  const request = clone(body);
  if (typeof request.username === 'string' && request.username !== '') request.username = request.username.toLowerCase();
  normalizeEmergencyCallerId(request);
  const credentials: JsonObject = {};
  const imported = nonEmptyString(request.credentials);
  if (imported !== undefined) {
    delete request.credentials;
    credentials.pvt_md5_auth = imported;
    credentials.pvt_sha1_auth = null;
  }
  const errors = new ErrorCollector();
  const schema = validateAgainstSchema('users', request);
  const doc: JsonObject = schema.valid ? clone(schema.value as JsonObject) : request;

  const username = nonEmptyString(doc.username);
  const currentUsername = current ? nonEmptyString(current.username) : undefined;
  const others = store.docs(account.id, 'user').filter((user) => user._id !== current?._id);
  if (username !== undefined && username !== currentUsername && others.some((user) => user.username === username)) {
    errors.add('username', 'unique', { message: 'Username must be unique within account', cause: username });
  }
  const hotdeskId = nonEmptyString(getPath(doc, 'hotdesk.id'));
  if (
    hotdeskId !== undefined &&
    hotdeskId !== nonEmptyString(current ? getPath(current, 'hotdesk.id') : undefined) &&
    others.some((user) => getPath(user, 'hotdesk.id') === hotdeskId)
  ) {
    errors.add('hotdesk.id', 'unique', { message: 'Hotdesk ID is not unique for this account', cause: hotdeskId });
  }

  // cb_users_v2 maybe_rehash_creds/2 with the 4.3 defaults generate_username_if_empty=true, generate_password_if_empty=false
  const password = nonEmptyString(doc.password);
  delete doc.password;
  delete doc.confirm_password;
  const sameUsername = username === currentUsername;
  const rehash = (name: string, secret: string): void => {
    const hashes = passwordHashes(name, secret);
    credentials.pvt_md5_auth = hashes.md5;
    credentials.pvt_sha1_auth = hashes.sha1;
  };
  if (username !== undefined && password !== undefined) {
    rehash(username, password);
  } else if (username !== undefined && !sameUsername) {
    errors.add('password', 'required', { message: 'The password must be provided when updating the user name' });
  } else if (username === undefined && password !== undefined) {
    const generated = `user_${randomHex(ctx.sim.random, 16)}`;
    doc.username = generated;
    rehash(generated, password);
  } else if (username === undefined) {
    credentials.pvt_md5_auth = null;
    credentials.pvt_sha1_auth = null;
  }

  if (!schema.valid) throw validationError(mergeValidationErrors(errors.errors, schema.errors));
  if (!errors.empty) throw validationError(errors.errors);
  return { doc, credentials };
}

function requestBody(ctx: RequestContext): JsonObject {
  const body = requestObject(ctx);
  if (body) return requestFields(body);
  const result = validateAgainstSchema('users', ctx.reqData);
  throw validationError(result.valid ? {} : result.errors);
}

function docResult(doc: StoredDoc, status?: number): ResourceResult {
  return { data: publicFields(doc), revision: doc._rev, etag: doc._rev, ...(status !== undefined ? { status } : {}) };
}

function saveUser(ctx: RequestContext, account: AccountRecord, current: StoredDoc, body: JsonObject): ResourceResult {
  checkIfMatch(ctx, current);
  const { doc, credentials } = checkUser(ctx, account, current, body);
  return docResult(ctx.sim.store.replace(account.id, current, doc, credentials));
}

export const usersResource: CrossbarResource = {
  allowedMethods(tokens): readonly HttpVerb[] {
    if (tokens.length === 0) return ['GET', 'PUT'];
    if (tokens.length === 1) return ['GET', 'POST', 'PATCH', 'DELETE'];
    return [];
  },
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const [userId] = tokens;
    if (userId === undefined) {
      if (ctx.verb === 'PUT') {
        const { doc, credentials } = checkUser(ctx, account, undefined, requestBody(ctx));
        const privateKeys = Object.fromEntries(Object.entries(credentials).filter(([, value]) => value !== null));
        const saved = ctx.sim.store.insert(account.id, 'user', ctx.sim.newId(), { ...doc, ...privateKeys });
        return docResult(saved, 201);
      }
      const { data, pagination } = listView(ctx.sim.store.docs(account.id, 'user'), (doc) => doc._id, userSummary, ctx.query);
      return { data, pagination, revision: md5Revision(data) };
    }
    const user = loadDoc(ctx, account, 'user', userId);
    switch (ctx.verb) {
      case 'GET':
        return docResult(user);
      case 'POST':
        return saveUser(ctx, account, user, requestBody(ctx));
      case 'PATCH': {
        const { id: _id, ...current } = publicFields(user);
        return saveUser(ctx, account, user, mergePatch(current, requestBody(ctx)));
      }
      case 'DELETE': {
        checkIfMatch(ctx, user);
        return docResult(ctx.sim.store.softDelete(account.id, user));
      }
      default:
        throw systemError('invalid_method');
    }
  },
};
