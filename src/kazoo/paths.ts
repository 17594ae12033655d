// Every Crossbar URL path the gateway builds goes through here, so no caller-supplied value can steer a request to
// another path: ids are checked against Kazoo's id shape and every segment is percent-encoded.
import { KazooError } from './errors.js';

/** What may be dialled through quickcall: digits, letters for extensions such as `*97`, `+`, `*` and `#`. */
const DIALLED_NUMBER = /^[+]?[0-9A-Za-z*#]{1,64}$/;

/**
 * Kazoo document and account ids: 32 lower-case hex characters (CouchDB uuids). Checked by hand rather than with
 * /^[0-9a-f]{32}$/: it runs for every row of every page (owners, registrations), and this is several times faster.
 */
export function isKazooId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 32) return false;
  for (let index = 0; index < 32; index++) {
    const code = value.charCodeAt(index);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

export function assertKazooId(value: string, argument: string): string {
  if (!isKazooId(value)) {
    throw new KazooError('INVALID_ARGUMENT', `${argument} must be a Kazoo id: 32 lower-case hexadecimal characters`, {
      fieldErrors: [{ field: argument, rule: 'format', message: 'must be 32 lower-case hexadecimal characters' }],
    });
  }
  return value;
}

export function assertDialledNumber(value: string, argument: string): string {
  if (!DIALLED_NUMBER.test(value)) {
    throw new KazooError(
      'INVALID_ARGUMENT',
      `${argument} must be a dialable number: up to 64 digits, letters, '*' or '#', optionally starting with '+'`,
      { fieldErrors: [{ field: argument, rule: 'format', message: 'not a dialable number' }] },
    );
  }
  return value;
}

/** `/v2/accounts/{accountId}/...segments`, each segment encoded. The account id must already be validated. */
export function accountPath(accountId: string, ...segments: string[]): string {
  return ['/v2/accounts', assertKazooId(accountId, 'accountId'), ...segments].map(encodePathSegment).join('/');
}

function encodePathSegment(segment: string, index: number): string {
  // The first element is the fixed prefix; everything after it is one segment and must stay one.
  return index === 0 ? segment : encodeURIComponent(segment);
}
