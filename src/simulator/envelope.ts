// Crossbar response envelopes (api_util.erl create_resp_envelope) and the errors resources raise.
import { createHash } from 'node:crypto';
import { isoTimestamp } from './clock.js';
import type { JsonObject, JsonValue } from './json.js';
import type { ValidationErrors } from './validation/index.js';

const KAZOO_VERSION = '4.3.142';
/** kz_nodes:node_encoded/0 is an opaque encoding of the Erlang node name; any stable string will do. */
const NODE_ENCODED = createHash('md5').update('crossbar@simulator.kazoo.test').digest('base64url');

/** An error answered with a Crossbar error envelope. */
export class CrossbarError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessage: string,
    readonly data: JsonValue,
  ) {
    super(errorMessage);
  }
}

/** An answer with a bare HTTP status and no envelope (cowboy's own 412/415 replies). */
export class BareHttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

// cb_context:add_system_error/2: machine key in `message`, human text in data.message.
const SYSTEM_ERRORS = {
  bad_identifier: [404, 'bad identifier'],
  invalid_credentials: [401, 'invalid credentials'],
  forbidden: [403, 'forbidden'],
  not_found: [404, 'not found'],
  invalid_method: [405, 'method not allowed'],
  too_many_requests: [429, 'too many requests'],
  datastore_conflict: [409, 'conflicting documents'],
  datastore_fault: [503, 'datastore fatal error'],
  unspecified_fault: [500, 'unspecified fault'],
} as const satisfies Record<string, readonly [number, string]>;

type SystemErrorKey = keyof typeof SYSTEM_ERRORS;

export function systemError(key: SystemErrorKey, extra: JsonObject = {}): CrossbarError {
  const [status, text] = SYSTEM_ERRORS[key];
  return new CrossbarError(status, key, { ...extra, message: text });
}

/** crossbar_util:response/4,5 errors: the human text is the `message`. */
export function humanError(status: number, message: string, data: JsonValue = {}): CrossbarError {
  return new CrossbarError(status, message, data);
}

export function validationError(errors: ValidationErrors): CrossbarError {
  return new CrossbarError(400, 'validation error', errors as unknown as JsonObject);
}

export interface Pagination {
  page_size: number;
  start_key?: string;
  next_start_key?: string;
}

export interface EnvelopeMeta {
  requestId: string;
  authToken: string | undefined;
}

export function successEnvelope(
  meta: EnvelopeMeta,
  data: JsonValue,
  revision: string | undefined,
  pagination: Pagination | undefined,
): JsonObject {
  const envelope: JsonObject = {};
  if (meta.authToken !== undefined) envelope.auth_token = meta.authToken;
  envelope.data = data;
  envelope.node = NODE_ENCODED;
  if (pagination) {
    envelope.page_size = pagination.page_size;
    if (pagination.start_key !== undefined) envelope.start_key = pagination.start_key;
    if (pagination.next_start_key !== undefined) envelope.next_start_key = pagination.next_start_key;
  }
  envelope.request_id = meta.requestId;
  if (revision !== undefined) envelope.revision = revision;
  envelope.status = 'success';
  envelope.timestamp = isoTimestamp();
  envelope.version = KAZOO_VERSION;
  return envelope;
}

export function errorEnvelope(meta: EnvelopeMeta, error: CrossbarError): JsonObject {
  return {
    // kz_term:to_binary('undefined') is the literal string "undefined"
    auth_token: meta.authToken ?? 'undefined',
    data: error.data,
    error: String(error.status),
    message: error.errorMessage,
    node: NODE_ENCODED,
    request_id: meta.requestId,
    status: 'error',
    timestamp: isoTimestamp(),
    version: KAZOO_VERSION,
  };
}

/** Revision of computed/list responses: an md5 of the encoded payload (api_resource.erl generate_etag). */
export function md5Revision(data: JsonValue): string {
  return createHash('md5').update(JSON.stringify(data)).digest('hex');
}
