// Objects by global id (Relay's Global Object Identification): `node`, `nodes`, `account`, and which object type a
// Node is. An id names its type and account, so one read answers it: the document through the request's loaders
// (ids of one account are read together, a few at a time), a registration from the account's one registration read,
// an account without any read at all (its fields read what they need).
import { KazooError } from '../../kazoo/errors.js';
import { documentKey } from '../../loaders/index.js';
import type { GatewayContext } from '../context.js';
import { toGraphQLError } from '../errors.js';
import type { NodeResolvers } from '../generated/resolvers-types.js';
import { parseGlobalId } from '../global-id.js';
import { accountModel, DeviceRef, UserRef } from '../models.js';
import type { AccountModel, RegistrationModel } from '../models.js';
import { accountArgument, tokenAccountOf } from '../scope.js';
import { registrationOf } from './registration.js';

/** Most ids one `nodes` may ask for: each is a Kazoo read. */
export const MAX_NODES = 100;

export type NodeModel = DeviceRef | UserRef | AccountModel | RegistrationModel;

function notAnId(argument: string): KazooError {
  return new KazooError('INVALID_ARGUMENT', `${argument} is not an id this API returned`, {
    fieldErrors: [{ field: argument, rule: 'format', message: 'not an id this API returned' }],
  });
}

export async function loadNode(context: GatewayContext, id: string, argument = 'id'): Promise<NodeModel | null> {
  const address = parseGlobalId(id);
  if (address === undefined) throw notAnId(argument);
  const { accountId, kazooId } = address;
  switch (address.type) {
    case 'Account':
      return accountModel(accountId);
    case 'Device': {
      const doc = await context.loaders.device.load(documentKey(accountId, kazooId));
      return doc === null ? null : DeviceRef.fromDocument(accountId, doc);
    }
    case 'User': {
      const doc = await context.loaders.user.load(documentKey(accountId, kazooId));
      return doc === null ? null : UserRef.fromDocument(accountId, doc);
    }
    case 'Registration':
      return registrationOf(accountId, kazooId, await context.loaders.registrations.load(accountId));
  }
}

/** Each id's object, or its own error: one bad or failing id does not blank the others. */
export function loadNodes(context: GatewayContext, ids: readonly string[]): Promise<NodeModel | null>[] {
  if (ids.length > MAX_NODES) {
    throw new KazooError('INVALID_ARGUMENT', `ids may name at most ${MAX_NODES} objects; this asks for ${ids.length}`, {
      fieldErrors: [{ field: 'ids', rule: 'maxItems', message: `at most ${MAX_NODES}` }],
    });
  }
  // Item promises are completed by graphql-js itself, past the resolver's error mapping (kazoo-mapping.ts): map here.
  return ids.map((id, position) =>
    loadNode(context, id, `ids[${position}]`).catch((error: unknown) => {
      throw toGraphQLError(error);
    }),
  );
}

/** `account(id:)`: the account named, or the token's own. */
export async function accountNode(context: GatewayContext, id: string | null | undefined): Promise<AccountModel> {
  return accountModel(accountArgument(id, 'id') ?? (await tokenAccountOf(context)));
}

export const Node: NodeResolvers = {
  __resolveType: (node) => {
    if (node instanceof DeviceRef) return 'Device';
    if (node instanceof UserRef) return 'User';
    return node.kind === 'account' ? 'Account' : 'Registration';
  },
};
