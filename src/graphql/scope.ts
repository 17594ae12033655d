// Which account and which document an operation means, from its arguments: the one rule every root field, mutation
// and subscription follows. `accountId` takes an Account's global id or a Kazoo account id and may be left out: the
// token's own account is then meant, so a screen need not ask `viewer` first. A document `id` takes the object's
// global id (which names its account too) or a Kazoo id in the account meant. Every id is checked before anything
// reaches Kazoo.
import * as auth from '../kazoo/auth.js';
import { KazooError } from '../kazoo/errors.js';
import { isKazooId } from '../kazoo/paths.js';
import type { KazooSession } from '../kazoo/session.js';
import { jwtAccountId } from '../kazoo/token.js';
import type { GatewayContext } from './context.js';
import { assertGlobalId, parseGlobalId } from './global-id.js';
import type { NodeType } from './global-id.js';

/** The token's own account, asked of Kazoo at most once per request when the token does not say it itself. */
const tokenAccounts = new WeakMap<KazooSession, Promise<string>>();

/**
 * The token's account: the `account_id` its JWT claims (read unverified: Kazoo still refuses the token on any call
 * it should not make, so a forged claim gains nothing), else Kazoo's token_auth.
 */
export function tokenAccountOf(context: GatewayContext): Promise<string> {
  const { session } = context;
  let known = tokenAccounts.get(session);
  if (known === undefined) {
    const claimed = session.token === undefined ? undefined : jwtAccountId(session.token);
    known = claimed === undefined ? auth.whoAmI(session).then((data) => data.account_id) : Promise.resolve(claimed);
    tokenAccounts.set(session, known);
  }
  return known;
}

function invalidAccount(argument: string): KazooError {
  return new KazooError('INVALID_ARGUMENT', `${argument} must be an Account id or a Kazoo account id (32 lower-case hexadecimal characters)`, {
    fieldErrors: [{ field: argument, rule: 'format', message: 'not an Account id or Kazoo account id' }],
  });
}

/** The Kazoo account id an `accountId` argument names, or undefined when the argument was left out. */
export function accountArgument(value: string | null | undefined, argument = 'accountId'): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (isKazooId(value)) return value;
  const address = parseGlobalId(value);
  if (address?.type !== 'Account') throw invalidAccount(argument);
  return address.accountId;
}

/** The account an operation acts in: its `accountId` argument, or the token's own account. */
export async function accountOf(context: GatewayContext, value: string | null | undefined, argument = 'accountId'): Promise<string> {
  return accountArgument(value, argument) ?? tokenAccountOf(context);
}

/**
 * A document id argument in a known account (a filter's `ownerId`): its Kazoo id, from a Kazoo id or a global id of
 * `type` in `accountId`.
 */
export function documentIdIn(accountId: string, type: Exclude<NodeType, 'Account'>, id: string, argument: string): string {
  if (isKazooId(id)) return id;
  const address = assertGlobalId(id, type, argument);
  if (address.accountId !== accountId) {
    throw new KazooError('INVALID_ARGUMENT', `${argument} names a ${type} of another account`, {
      fieldErrors: [{ field: argument, rule: 'invalid', message: 'belongs to another account' }],
    });
  }
  return address.kazooId;
}

interface DocumentAddress {
  accountId: string;
  kazooId: string;
}

/**
 * The document an `id` argument names: a global id of `type` (its account must agree with an `accountId` given), or
 * a Kazoo id in the account meant (the `accountId` given, else the token's).
 */
export async function documentOf(
  context: GatewayContext,
  type: Exclude<NodeType, 'Account'>,
  id: string,
  accountIdValue: string | null | undefined,
  argument = 'id',
): Promise<DocumentAddress> {
  const accountId = accountArgument(accountIdValue);
  if (isKazooId(id)) return { accountId: accountId ?? (await tokenAccountOf(context)), kazooId: id };
  const address = assertGlobalId(id, type, argument);
  if (accountId !== undefined && accountId !== address.accountId) {
    throw new KazooError('INVALID_ARGUMENT', `${argument} names a ${type} of another account than accountId`, {
      fieldErrors: [{ field: argument, rule: 'invalid', message: 'belongs to another account than accountId' }],
    });
  }
  return { accountId: address.accountId, kazooId: address.kazooId };
}
