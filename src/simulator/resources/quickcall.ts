// cb_quickcall: GET|POST /devices/{id}/quickcall/{NUMBER} and /users/{id}/quickcall/{NUMBER}.
// GET publishes an originate and answers with it; POST also waits for the originate's outcome.
import { loadDoc } from './common.js';
import {
  recordNotification,
  reqValue,
  requireAccount,
  type CrossbarResource,
  type HttpVerb,
  type RequestContext,
} from '../context.js';
import { humanError, systemError } from '../envelope.js';
import { getPath, isJsonObject, type JsonObject } from '../json.js';
import { randomHex } from '../random.js';
import type { AccountRecord, StoredDoc } from '../store.js';

const DEFAULT_TIMEOUT_S = 30;
const NUMBER_FILTER = /[ ,.\-()]/g;

function asBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === 'true';
}

function decoded(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** build_number_uri/2's number_filter query parameter. */
function filteredNumber(ctx: RequestContext, number: string): string {
  const filter = ctx.query.number_filter ?? 'true';
  if (filter === 'false') return number;
  if (filter === 'true') return number.replace(NUMBER_FILTER, '');
  try {
    return new RegExp(filter).exec(number)?.[1] ?? number;
  } catch {
    return number;
  }
}

/** kz_endpoint:build/3 reduced to what the simulator knows: disabled devices or owners yield no endpoint. */
function endpointFor(ctx: RequestContext, account: AccountRecord, device: StoredDoc): JsonObject | undefined {
  if (device.enabled === false) return undefined;
  const owner = typeof device.owner_id === 'string' ? ctx.sim.store.doc(account.id, 'user', device.owner_id) : undefined;
  if (owner && owner.enabled === false) return undefined;
  const common: JsonObject = {
    endpoint_id: device._id,
    ...(typeof device.owner_id === 'string' ? { owner_id: device.owner_id } : {}),
    custom_channel_vars: {
      account_id: account.id,
      authorizing_id: device._id,
      authorizing_type: 'device',
      ...(typeof device.owner_id === 'string' ? { owner_id: device.owner_id } : {}),
    },
    outbound_call_id: `${randomHex(ctx.sim.random, 36)}-quickcall`,
  };
  const forward = getPath(device, 'call_forward');
  if (isJsonObject(forward) && forward.enabled === true && typeof forward.number === 'string' && forward.number !== '') {
    return { ...common, invite_format: 'route', route: `loopback/${forward.number}/context_2`, to_did: forward.number };
  }
  const sip = isJsonObject(device.sip) ? device.sip : {};
  if (sip.method === 'ip' && typeof sip.ip === 'string') {
    return { ...common, invite_format: 'route', route: `sip:${sip.ip}`, to_ip: sip.ip };
  }
  if (typeof sip.username !== 'string') return undefined;
  return {
    ...common,
    invite_format: typeof sip.invite_format === 'string' ? sip.invite_format : 'contact',
    to_realm: typeof sip.realm === 'string' ? sip.realm : account.realm,
    to_user: sip.username,
    to_username: sip.username,
  };
}

/** The Outbound-Callee-ID defaults: the endpoint's (then owner's) caller id for the number's class. */
function defaultCallerId(ctx: RequestContext, account: AccountRecord, thing: StoredDoc, number: string): { name?: string; number?: string } {
  const kind = number.replace(/\D/g, '').length >= 10 ? 'external' : 'internal';
  const owner = typeof thing.owner_id === 'string' ? ctx.sim.store.doc(account.id, 'user', thing.owner_id) : undefined;
  for (const doc of [thing, owner]) {
    const callerId = doc ? getPath(doc, ['caller_id', kind]) : undefined;
    if (isJsonObject(callerId)) {
      return {
        ...(typeof callerId.name === 'string' ? { name: callerId.name } : {}),
        ...(typeof callerId.number === 'string' ? { number: callerId.number } : {}),
      };
    }
  }
  return {};
}

function originateRequest(ctx: RequestContext, account: AccountRecord, thing: StoredDoc, endpoints: JsonObject[], number: string): JsonObject {
  const cidName = decoded(reqValue(ctx, 'cid-name'));
  const cidNumber = decoded(reqValue(ctx, 'cid-number'));
  const defaults = defaultCallerId(ctx, account, thing, number);
  const timeout = Number.parseInt(String(reqValue(ctx, 'timeout') ?? DEFAULT_TIMEOUT_S), 10);
  const autoAnswer = asBoolean(ctx.query.auto_answer, true);
  const cavs = reqValue(ctx, 'custom_application_vars');
  const targetCallId = reqValue(ctx, 'target_call_id');
  // the auto-answer header is only set when exactly one endpoint is dialled
  const dialled =
    endpoints.length === 1 && endpoints[0]
      ? [{ ...endpoints[0], custom_channel_vars: { ...(endpoints[0].custom_channel_vars as JsonObject), auto_answer: autoAnswer } }]
      : endpoints;
  const request: JsonObject = {
    application_data: { route: number },
    application_name: 'transfer',
    continue_on_fail: false,
    custom_application_vars: isJsonObject(cavs) ? cavs : {},
    custom_channel_vars: {
      account_id: account.id,
      authorizing_id: thing._id,
      authorizing_type: thing.pvt_type,
      inherit_codec: 'false',
      retain_cid: cidNumber !== undefined ? 'true' : 'false',
    },
    dial_endpoint_method: 'simultaneous',
    endpoints: dialled,
    export_custom_channel_vars: ['Account-ID', 'Authorizing-ID', 'Authorizing-Type', 'Outbound-Callee-ID-Name', 'Outbound-Callee-ID-Number', 'Retain-CID'],
    ignore_early_media: asBoolean(reqValue(ctx, 'ignore-early-media'), true),
    media: reqValue(ctx, 'media') === 'bypass' ? 'bypass' : 'process',
    msg_id: ctx.requestId,
    outbound_caller_id_name: 'Device QuickCall',
    outbound_caller_id_number: number,
    timeout: Number.isInteger(timeout) && timeout > 3 ? timeout : DEFAULT_TIMEOUT_S,
  };
  const calleeName = cidName ?? defaults.name;
  const calleeNumber = cidNumber ?? defaults.number;
  if (calleeName !== undefined) request.outbound_callee_id_name = calleeName;
  if (calleeNumber !== undefined) request.outbound_callee_id_number = calleeNumber;
  if (typeof targetCallId === 'string') request.existing_call_id = targetCallId;
  return request;
}

export const quickcallResource: CrossbarResource = {
  allowedMethods: (tokens): readonly HttpVerb[] => (tokens.length === 3 ? ['GET', 'POST'] : []),
  // cb_devices_v2/cb_users_v2 authenticate GET quickcalls themselves; with the default
  // crossbar.default_allow_anonymous_quickcalls=true an anonymous GET is accepted
  allowsAnonymous: (verb) => verb === 'GET',
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const [kind, id = '', rawNumber = ''] = tokens;
    // the quickcall token is taken on top of the request's own (kz_buckets:consume_tokens in cb_quickcall)
    const extraCost = ctx.sim.rateLimiter.quickcallCost - 1;
    if (!ctx.sim.rateLimiter.consume(ctx.clientAddress, account.id, extraCost)) throw systemError('too_many_requests');
    const thing = loadDoc(ctx, account, kind === 'users' ? 'user' : 'device', id);
    const devices =
      thing.pvt_type === 'user'
        ? thing.enabled === false
          ? []
          : ctx.sim.store.docs(account.id, 'device').filter((doc) => doc.owner_id === thing._id)
        : [thing];
    const endpoints = devices.flatMap((device) => {
      const endpoint = endpointFor(ctx, account, device);
      return endpoint ? [endpoint] : [];
    });
    if (endpoints.length === 0) throw systemError('unspecified_fault');
    const number = filteredNumber(ctx, rawNumber);
    const request = originateRequest(ctx, account, thing, endpoints, number);
    const registered = new Set(ctx.sim.registrar.registeredDeviceIds(account.id));
    const reachable = endpoints.filter((endpoint) => endpoint.invite_format === 'route' || registered.has(String(endpoint.endpoint_id)));
    recordNotification(ctx, thing._id, 'quickcall', {
      verb: ctx.verb,
      number,
      endpoints: endpoints.map((endpoint) => endpoint.endpoint_id),
      ...(request.outbound_callee_id_name !== undefined ? { cid_name: request.outbound_callee_id_name } : {}),
      ...(request.outbound_callee_id_number !== undefined ? { cid_number: request.outbound_callee_id_number } : {}),
      auto_answer: asBoolean(ctx.query.auto_answer, true),
      timeout: request.timeout,
      ...(thing.pvt_type === 'user' ? { userId: thing._id } : {}),
    });
    if (ctx.verb === 'GET') return { data: request };
    const first = reachable[0];
    if (!first) {
      throw humanError(500, 'quickcall initiation failed', { error_message: 'USER_NOT_REGISTERED', msg_id: ctx.requestId });
    }
    return {
      data: {
        ...request,
        application_response: 'SUCCESS',
        call_id: String(first.outbound_call_id),
        channel_call_state: 'answered',
      },
    };
  },
};
