// User fields that are more than a Kazoo key: identity, the full name and the user's devices.
import { USER_DEVICE_SUMMARY_KEYS } from '../../kazoo/types.js';
import { documentKey } from '../../loaders/index.js';
import type { UserResolvers } from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { accountModel, DeviceRef } from '../models.js';

/** The full name of first and last names, as `User.fullName` shows it (also the `OWNER` order of devices). */
export function joinNames(names: readonly unknown[]): string | null {
  const parts = names.filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length === 0 ? null : parts.join(' ');
}

/** joinNames of two names, without the arrays: it runs for every owner on a page of devices. */
function fullNameOf(first: unknown, last: unknown): string | null {
  const hasFirst = typeof first === 'string' && first !== '';
  const hasLast = typeof last === 'string' && last !== '';
  if (hasFirst && hasLast) return `${first} ${last}`;
  return hasFirst ? first : hasLast ? last : null;
}

export const User: UserResolvers = {
  id: (user) => globalId('User', user.accountId, user.id),
  kazooId: (user) => user.id,
  accountId: (user) => user.accountId,
  account: (user) => accountModel(user.accountId),
  // Synchronous when the names are at hand (a listing row): owner names on a page of devices need no promise each.
  fullName: (user, _args, context) => {
    const first = user.read('first_name', context);
    const last = user.read('last_name', context);
    return first instanceof Promise || last instanceof Promise ? Promise.all([first, last]).then(joinNames) : fullNameOf(first, last);
  },
  devices: async (user, _args, context) => {
    const rows = await context.loaders.userDevices.load(documentKey(user.accountId, user.id));
    return rows.map((row) => ({
      hotdesked: row.hotdesked === true,
      device: DeviceRef.fromSummary(user.accountId, row, USER_DEVICE_SUMMARY_KEYS),
    }));
  },
  raw: (user, _args, context) => user.document(context),
};
