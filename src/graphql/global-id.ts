// Global object ids (Relay's Global Object Identification): every `id` of the API names one object of one type
// across every account, so clients' normalized caches (Apollo's `Type:id`, Relay's store) can never mix two objects.
// The id is opaque to clients: base64url of a version byte, a type byte, the account id and (but for an Account) the
// Kazoo id, the two ids as their 16 bytes. That carries what the gateway needs to refetch the object (`node(id:)`)
// without asking which account it is in, in 46 characters (a page of 50 devices is several KB smaller than with the
// ids spelt out). Kazoo's own ids are on `kazooId`.
import { KazooError } from '../kazoo/errors.js';

/** The types that implement Node. */
export type NodeType = 'Account' | 'Device' | 'User' | 'Registration';

/** The type byte of each type (never renumbered: ids already handed out must keep their meaning). */
const TYPE_CODES: Readonly<Record<NodeType, number>> = { Account: 1, Device: 2, User: 3, Registration: 4 };
const TYPES_BY_CODE: ReadonlyMap<number, NodeType> = new Map(
  Object.entries(TYPE_CODES).map(([type, code]) => [code, type as NodeType]),
);
const VERSION = 1;
const KAZOO_ID_BYTES = 16;

interface NodeAddress {
  type: NodeType;
  accountId: string;
  /** The document's Kazoo id; for an Account, the account id itself. For a Registration, its device's id. */
  kazooId: string;
}

/**
 * Ids already encoded, by type and account, then Kazoo id: a page of 50 devices would otherwise encode the same 50 ids
 * on every read (a third of a microsecond each, in Buffer calls and garbage). A pure function's memo, shared by every
 * request; emptied when it holds MAX_MEMOIZED_IDS, which bounds its memory (about 10 MB).
 */
const encoded: Map<string, Map<string, string>>[] = Object.values(TYPE_CODES).map(() => new Map());
let memoized = 0;
const MAX_MEMOIZED_IDS = 50_000;

export function globalId(type: NodeType, accountId: string, kazooId: string = accountId): string {
  const byAccount = encoded[TYPE_CODES[type] - 1] as Map<string, Map<string, string>>;
  let ids = byAccount.get(accountId);
  const known = ids?.get(kazooId);
  if (known !== undefined) return known;
  const bytes = Buffer.allocUnsafe(type === 'Account' ? 2 + KAZOO_ID_BYTES : 2 + 2 * KAZOO_ID_BYTES);
  bytes[0] = VERSION;
  bytes[1] = TYPE_CODES[type];
  bytes.write(accountId, 2, KAZOO_ID_BYTES, 'hex');
  if (type !== 'Account') bytes.write(kazooId, 2 + KAZOO_ID_BYTES, KAZOO_ID_BYTES, 'hex');
  const id = bytes.toString('base64url');
  if (memoized >= MAX_MEMOIZED_IDS) {
    for (const map of encoded) map.clear();
    memoized = 0;
    ids = undefined;
  }
  if (ids === undefined) {
    ids = new Map();
    byAccount.set(accountId, ids);
  }
  ids.set(kazooId, id);
  memoized++;
  return id;
}

/** What a global id names, or undefined when the string is not one of ours. */
export function parseGlobalId(id: string): NodeAddress | undefined {
  // 46 characters at most; the check also keeps a huge string from being decoded.
  if (id.length > 48) return undefined;
  const bytes = Buffer.from(id, 'base64url');
  const type = TYPES_BY_CODE.get(bytes[1] ?? 0);
  if (bytes[0] !== VERSION || type === undefined) return undefined;
  const expected = type === 'Account' ? 2 + KAZOO_ID_BYTES : 2 + 2 * KAZOO_ID_BYTES;
  // Re-encoding must give the same string: no padding, no stray characters, one spelling per id.
  if (bytes.length !== expected || bytes.toString('base64url') !== id) return undefined;
  const accountId = bytes.toString('hex', 2, 2 + KAZOO_ID_BYTES);
  const kazooId = type === 'Account' ? accountId : bytes.toString('hex', 2 + KAZOO_ID_BYTES);
  return { type, accountId, kazooId };
}

/** A global id of the given type, or a BAD_USER_INPUT error naming the argument. */
export function assertGlobalId(id: string, type: NodeType, argument: string): NodeAddress {
  const address = parseGlobalId(id);
  if (address === undefined || address.type !== type) {
    throw new KazooError('INVALID_ARGUMENT', `${argument} must be the id of a ${type} (or its 32-character Kazoo id)`, {
      fieldErrors: [{ field: argument, rule: 'format', message: `not the id of a ${type}` }],
    });
  }
  return address;
}
