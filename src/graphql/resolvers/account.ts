// An account, to hang lists on (`viewer { account { devices { … } } }`): its lists are the root fields' own, for
// this account, and its registration summary counts the account's devices by state from one listing and one
// registration read, so a dashboard header needs no page of devices.
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { AccountResolvers, Resolver } from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { Query } from './query.js';

/** Runs a root field's resolver (every root list takes `accountId`): the account's lists are the root lists. */
function asRoot<Result, Args>(
  resolver: Resolver<Result, Record<PropertyKey, never>, GatewayContext, Args> | undefined,
  args: Args,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Result | Promise<Result> {
  if (resolver === undefined) throw new Error('a root list resolver is missing');
  return (typeof resolver === 'function' ? resolver : resolver.resolve)({}, args, context, info);
}

export const Account: AccountResolvers = {
  id: (account) => globalId('Account', account.accountId),
  kazooId: (account) => account.accountId,
  name: async (account, _args, context) => (await context.loaders.account.load(account.accountId)).name ?? null,
  devices: (account, args, context, info) => asRoot(Query.devices, { ...args, accountId: account.accountId }, context, info),
  users: (account, args, context, info) => asRoot(Query.users, { ...args, accountId: account.accountId }, context, info),
  registrations: (account, _args, context, info) => asRoot(Query.registrations, { accountId: account.accountId }, context, info),
  registrationSummary: async (account, _args, context) => {
    const [devices, registrations] = await Promise.all([
      context.loaders.deviceListing.load(account.accountId),
      context.loaders.registrations.load(account.accountId),
    ]);
    // Each device in one state, as the dashboard shows it; only devices the listing has count (the registrar may
    // still hold a contact of a device deleted since).
    const disabled = devices.filter((device) => device.enabled === false);
    const registered = devices.filter((device) => device.enabled !== false && registrations.has(device.id)).length;
    return {
      total: devices.length,
      registered,
      unregistered: devices.length - disabled.length - registered,
      disabled: disabled.length,
    };
  },
};
