// Crossbar's answers read into the gateway's terms: a success envelope, or a KazooError whose message the gateway
// wrote. Kazoo's own text never reaches a message: known Crossbar messages (kazoo-crossbar.md §1.2–1.4) get our
// wording and others a generic one, and validation errors are described from the rule name and a plain `target`
// (a number, or a short list of short strings), never from Kazoo's `message`. Kazoo's message is kept on the error
// as `kazooMessage` for logs, reduced to at most 100 printable characters.
import type { IncomingHttpHeaders } from 'node:http';
import { KazooError } from './errors.js';
import type { KazooFieldError } from './errors.js';

/** Crossbar's success envelope, with the keys clients need. */
export interface KazooEnvelope<T> {
  data: T;
  revision: string | undefined;
  /** Present on paginated listings; absent on the last page. Opaque: send it back as `start_key`. */
  nextStartKey: string | undefined;
  authToken: string | undefined;
  requestId: string | undefined;
}

/** Kazoo's 401 and 403 for a token, in our words; also what the client answers when it already knows them. */
export const TOKEN_REFUSED_MESSAGE = 'The Kazoo token is missing, invalid or expired';
export const TOKEN_FORBIDDEN_MESSAGE = 'The Kazoo token may not access this resource';

const MAX_KAZOO_MESSAGE_LENGTH = 100;
const MAX_FIELD_LENGTH = 200;
const MAX_FIELD_ERRORS = 50;
const RULE_NAME = /^[A-Za-z_]{1,40}$/;
const MAX_TARGET_ITEMS = 10;
const MAX_TARGET_ITEM_LENGTH = 40;

/** What a 400 with one of Crossbar's known messages means, in our words. Keys are compared lower-cased. */
const BAD_REQUEST_MEANING: Readonly<Record<string, string>> = {
  'action required': 'it names no action',
  'invalid action': 'Kazoo does not know the action it names',
  bad_identifier: 'an id in it is unknown or malformed',
  'bad identifier': 'an id in it is unknown or malformed',
  invalid_method: 'this method is not allowed on this resource',
};

/** Turns a Crossbar response into its envelope, or into a KazooError for any failure (an unreadable 2xx included). */
export function interpret<T>(
  status: number,
  body: string,
  headers: IncomingHttpHeaders,
  requestId: string,
): KazooEnvelope<T> | KazooError {
  const envelope = parseJsonObject(body);
  if (isSuccess(status)) {
    if (envelope === undefined || !('data' in envelope)) {
      return new KazooError('UPSTREAM_UNAVAILABLE', 'Kazoo sent a response the gateway could not read', { status, requestId });
    }
    return {
      data: envelope.data as T,
      revision: stringOrUndefined(envelope.revision),
      nextStartKey: stringOrUndefined(envelope.next_start_key),
      authToken: stringOrUndefined(envelope.auth_token),
      requestId: stringOrUndefined(envelope.request_id),
    };
  }
  const message = stringOrUndefined(envelope?.message);
  const kazooMessage = message === undefined ? undefined : printable(message, MAX_KAZOO_MESSAGE_LENGTH);
  const details = { status, requestId, ...(kazooMessage === undefined ? {} : { kazooMessage }) };
  switch (status) {
    case 400:
      if (message === 'validation error') {
        return new KazooError('VALIDATION', 'Kazoo rejected the document', {
          ...details,
          fieldErrors: parseFieldErrors(envelope?.data),
        });
      }
      return new KazooError('BAD_REQUEST', badRequestMessage(message), details);
    case 401:
      return new KazooError('UNAUTHENTICATED', TOKEN_REFUSED_MESSAGE, details);
    case 402:
      return new KazooError('PAYMENT_REQUIRED', 'Kazoo requires charges to be accepted for this change', details);
    case 403:
      return new KazooError('FORBIDDEN', TOKEN_FORBIDDEN_MESSAGE, details);
    case 404:
      return new KazooError('NOT_FOUND', 'Kazoo has no such resource', details);
    case 409:
      return new KazooError('CONFLICT', 'Kazoo reported a conflicting concurrent write; retry the change', details);
    case 423:
      return new KazooError('FORBIDDEN', 'The Kazoo account is locked (disabled or expired)', details);
    case 429:
      return new KazooError('RATE_LIMITED', 'Kazoo is rate-limiting this account; retry later', {
        ...details,
        ...retryAfter(headers),
      });
    default:
      if (status >= 500) return new KazooError('UPSTREAM_UNAVAILABLE', `Kazoo failed with HTTP ${status}`, details);
      return new KazooError('UPSTREAM_REJECTED', `Kazoo refused the request with HTTP ${status}`, details);
  }
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function badRequestMessage(kazooMessage: string | undefined): string {
  const meaning = kazooMessage === undefined ? undefined : BAD_REQUEST_MEANING[kazooMessage.toLowerCase()];
  return meaning === undefined ? 'Kazoo rejected the request' : `Kazoo rejected the request: ${meaning}`;
}

function retryAfter(headers: IncomingHttpHeaders): { retryAfterMs?: number } {
  const value = headers['retry-after'];
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {};
}

/** Crossbar validation data: `{ "sip.username": { "unique": { "message": "...", "target": ... } } }`. */
function parseFieldErrors(data: unknown): KazooFieldError[] {
  if (!isRecord(data)) return [];
  const fieldErrors: KazooFieldError[] = [];
  for (const [field, rules] of Object.entries(data)) {
    if (!isRecord(rules)) continue;
    for (const [rawRule, detail] of Object.entries(rules)) {
      if (fieldErrors.length >= MAX_FIELD_ERRORS) return fieldErrors;
      const rule = RULE_NAME.test(rawRule) ? rawRule : 'invalid';
      const target = isRecord(detail) ? plainTarget(detail.target) : undefined;
      fieldErrors.push({ field: printable(field, MAX_FIELD_LENGTH), rule, message: ruleMessage(rule, target) });
    }
  }
  return fieldErrors;
}

/** A `target` safe to put in a message: a finite number, or a short list of short printable strings. */
type PlainTarget = number | readonly string[];

const JSON_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function plainTarget(target: unknown): PlainTarget | undefined {
  if (typeof target === 'number') return Number.isFinite(target) ? target : undefined;
  // A `type` rule's target is the schema's type(s) joined with ", " (kz_json_schema get_types/1).
  const items = typeof target === 'string' ? target.split(', ') : target;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TARGET_ITEMS) return undefined;
  const strings: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || item === '' || printable(item, MAX_TARGET_ITEM_LENGTH) !== item) return undefined;
    strings.push(item);
  }
  return strings;
}

/** Our description of a failed rule; `target` only where the rule's meaning says how to read it. */
function ruleMessage(rule: string, target: PlainTarget | undefined): string {
  const limit = typeof target === 'number' ? target : undefined;
  const choices = Array.isArray(target) ? target : undefined;
  switch (rule) {
    case 'required':
      return 'is required';
    case 'minLength':
      return limit === undefined ? 'is too short' : `must be at least ${limit} characters long`;
    case 'maxLength':
      return limit === undefined ? 'is too long' : `must be at most ${limit} characters long`;
    case 'minimum':
      return limit === undefined ? 'is too small' : `must be at least ${limit}`;
    case 'maximum':
      return limit === undefined ? 'is too large' : `must be at most ${limit}`;
    case 'minItems':
      return limit === undefined ? 'has too few items' : `must have at least ${limit} items`;
    case 'maxItems':
      return limit === undefined ? 'has too many items' : `must have at most ${limit} items`;
    case 'enum':
      return choices === undefined ? 'is not one of the allowed values' : `must be one of: ${choices.join(', ')}`;
    case 'type':
      return choices !== undefined && choices.every((choice) => JSON_TYPES.has(choice))
        ? `must be of type ${choices.join(' or ')}`
        : 'has the wrong type';
    case 'pattern':
      return 'does not match the required pattern';
    case 'format':
    case 'wrong_format':
      return 'is not in the required format';
    case 'unique':
      return 'is already in use';
    case 'uniqueItems':
      return 'must not contain duplicates';
    case 'additionalProperties':
      return 'is not a property Kazoo accepts here';
    case 'invalid':
      return 'is invalid';
    case 'forbidden':
      return 'may not be set';
    case 'not_found':
      return 'refers to something Kazoo does not have';
    case 'expired':
      return 'has expired';
    case 'disabled':
      return 'is disabled';
    default:
      return `Kazoo refused this value (rule ${rule})`;
  }
}

/** `text` with anything but printable ASCII replaced by `?`, cut to `max` characters. */
function printable(text: string, max: number): string {
  return text.slice(0, max).replace(/[^\x20-\x7e]/g, '?');
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
