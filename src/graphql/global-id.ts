// Global object ids (Relay's Global Object Identification): every `id` of the API names one object of one type
// across every account, so clients' normalized caches (Apollo's `Type:id`, Relay's store) can never mix two objects.
// The id is opaque to clients: base64url of `v1:<Type>:<accountId>[:<kazooId>]`, which carries what the gateway needs
// to refetch the object (`node(id:)`) without asking which account it is in. Kazoo's own ids are on `kazooId`.
import { KazooError } from '../kazoo/errors.js';
import { isKazooId } from '../kazoo/paths.js';

/** The types that implement Node. */
export type NodeType = 'Account' | 'Device' | 'User' | 'Registration';

const NODE_TYPES: ReadonlySet<string> = new Set<NodeType>(['Account', 'Device', 'User', 'Registration']);
const VERSION = 'v1';

export interface NodeAddress {
  type: NodeType;
  accountId: string;
  /** The document's Kazoo id; for an Account, the account id itself. For a Registration, its device's id. */
  kazooId: string;
}

export function globalId(type: NodeType, accountId: string, kazooId: string = accountId): string {
  const parts = type === 'Account' ? [VERSION, type, accountId] : [VERSION, type, accountId, kazooId];
  return Buffer.from(parts.join(':')).toString('base64url');
}

/** What a global id names, or undefined when the string is not one of ours. */
export function parseGlobalId(id: string): NodeAddress | undefined {
  // The longest id we make is under 100 characters; anything longer is not one.
  if (id.length > 128) return undefined;
  const [version, type, accountId, kazooId, ...rest] = Buffer.from(id, 'base64url').toString('utf8').split(':');
  if (version !== VERSION || type === undefined || !NODE_TYPES.has(type) || !isKazooId(accountId) || rest.length > 0) {
    return undefined;
  }
  if (type === 'Account') return kazooId === undefined ? { type, accountId, kazooId: accountId } : undefined;
  return isKazooId(kazooId) ? { type: type as NodeType, accountId, kazooId } : undefined;
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
