// Root queries: single documents through the loaders, lists as Relay connections over Crossbar's pages.
import * as devices from '../../kazoo/devices.js';
import { assertKazooId } from '../../kazoo/paths.js';
import * as users from '../../kazoo/users.js';
import { documentKey, loadOwners } from '../../loaders/index.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { DeviceRef, UserRef } from '../models.js';
import { checkFirst, paginate } from '../pagination.js';
import { connectionNodeFields } from '../selection.js';
import { registrationOf } from './registration.js';
import { viewerOf } from './viewer.js';

export const Query: QueryResolvers = {
  viewer: (_root, _args, context) => viewerOf(context),

  device: async (_root, args, context) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const doc = await context.loaders.device.load(documentKey(accountId, assertKazooId(args.id, 'id')));
    return doc === null ? null : DeviceRef.fromDocument(accountId, doc);
  },

  devices: async (_root, args, context, info) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const first = checkFirst(args.first);
    // Before any Kazoo call: the registrations below are read before the first page is asked for.
    const start = context.cursors.decode(args.after);
    const filter = args.filter ?? {};
    const ownerId = filter.ownerId == null ? undefined : assertKazooId(filter.ownerId, 'filter.ownerId');
    // Kazoo filters whole documents server-side; registration state is not in documents, so the gateway filters it.
    const filters = {
      filter_owner_id: ownerId,
      filter_device_type: filter.deviceType ?? undefined,
      filter_enabled: filter.enabled ?? undefined,
    };
    const registered = filter.registered;
    const nodeFields = connectionNodeFields(info);
    // Registrations do not depend on the page: read them while the page is read.
    const registrations =
      registered != null || nodeFields.has('registration') ? context.loaders.registrations.load(accountId) : undefined;
    const index = registered == null ? undefined : await registrations;
    const connection = await paginate({
      first,
      start,
      cursors: context.cursors,
      fetchPage: (startKey, pageSize) => devices.list(context.session, accountId, { startKey, pageSize, filters }),
      kazooFiltered: Object.values(filters).some((value) => value !== undefined),
      ...(index === undefined ? {} : { keep: (row: { id: string }) => index.has(row.id) === registered }),
      toNode: (row) => DeviceRef.fromSummary(accountId, row),
    });
    // What every node will ask for, fetched before the nodes resolve so their resolvers answer at once. Failures are
    // left to those fields: the page itself is still answered.
    await Promise.all([
      registrations?.catch(() => undefined),
      nodeFields.has('owner') ? loadOwners(context.loaders, accountId, connection.nodes.map((node) => node.read('owner_id', context))) : undefined,
    ]);
    return connection;
  },

  user: async (_root, args, context) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const doc = await context.loaders.user.load(documentKey(accountId, assertKazooId(args.id, 'id')));
    return doc === null ? null : UserRef.fromDocument(accountId, doc);
  },

  users: (_root, args, context) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    return paginate({
      first: checkFirst(args.first),
      start: context.cursors.decode(args.after),
      cursors: context.cursors,
      fetchPage: (startKey, pageSize) => users.list(context.session, accountId, { startKey, pageSize }),
      toNode: (row) => UserRef.fromSummary(accountId, row),
    });
  },

  registrations: async (_root, args, context) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const index = await context.loaders.registrations.load(accountId);
    return [...index.keys()].map((deviceId) => registrationOf(accountId, deviceId, index));
  },
};
