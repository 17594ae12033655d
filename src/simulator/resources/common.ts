// Helpers shared by the document resources: loading with a type check, If-Match, validation-error building.
import { BareHttpError, systemError } from '../envelope.js';
import type { RequestContext } from '../context.js';
import type { JsonObject } from '../json.js';
import type { AccountRecord, DocType, StoredDoc } from '../store.js';
import type { RuleError, ValidationErrors } from '../validation/index.js';

/** crossbar_doc:load/3 with ?TYPE_CHECK_OPTION: missing, soft-deleted or other-type ids are all 404. */
export function loadDoc(ctx: RequestContext, account: AccountRecord, type: DocType, id: string): StoredDoc {
  const doc = ctx.sim.store.doc(account.id, type, id);
  if (!doc) throw systemError('bad_identifier', { cause: id });
  return doc;
}

/** cowboy_rest's If-Match check against the loaded document's revision: a mismatch is a bare 412. */
export function checkIfMatch(ctx: RequestContext, doc: StoredDoc): void {
  const header = ctx.headers['if-match'];
  if (header === undefined || header.trim() === '*') return;
  const revisions = header.split(',').map((part) => part.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
  if (!revisions.includes(doc._rev)) throw new BareHttpError(412);
}

export class ErrorCollector {
  readonly errors: ValidationErrors = {};

  add(path: string, rule: string, error: RuleError): void {
    const forPath = this.errors[path] ?? {};
    forPath[rule] = error;
    this.errors[path] = forPath;
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

/** knm_converters:normalize/1 for North American numbers: digits to E.164, anything else left alone. */
export function normalizeNumber(raw: string): string {
  const digits = raw.replace(/[^0-9]/g, '');
  if (raw.trim().startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return raw;
}

/** crossbar_util:format_emergency_caller_id_number/1: caller_id.emergency.number is stored normalised. */
export function normalizeEmergencyCallerId(request: JsonObject): void {
  const callerId = request.caller_id;
  if (typeof callerId !== 'object' || callerId === null || Array.isArray(callerId)) return;
  const emergency = callerId.emergency;
  if (typeof emergency !== 'object' || emergency === null || Array.isArray(emergency)) return;
  if (typeof emergency.number === 'string' && emergency.number !== '') emergency.number = normalizeNumber(emergency.number);
}
