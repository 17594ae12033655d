// User fields that are more than a Kazoo key: identity, the full name and the user's devices.
import { USER_DEVICE_SUMMARY_KEYS } from '../../kazoo/types.js';
import { documentKey } from '../../loaders/index.js';
import type { UserResolvers } from '../generated/resolvers-types.js';
import { DeviceRef } from '../models.js';

export const User: UserResolvers = {
  id: (user) => user.id,
  accountId: (user) => user.accountId,
  fullName: async (user, _args, context) => {
    const [first, last] = await Promise.all([user.read('first_name', context), user.read('last_name', context)]);
    const parts = [first, last].filter((part): part is string => typeof part === 'string' && part !== '');
    return parts.length === 0 ? null : parts.join(' ');
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
