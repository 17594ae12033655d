// Root queries: single documents through the loaders, lists as Relay connections over Crossbar's pages
// (listings.ts), objects by global id (node.ts). Which account and document an argument means is scope.ts's to say.
import { documentKey } from '../../loaders/index.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { listDevices, listUsers } from '../listings.js';
import { DeviceRef, UserRef } from '../models.js';
import { accountOf, documentOf } from '../scope.js';
import { accountNode, loadNode, loadNodes } from './node.js';
import type { NodeModel } from './node.js';
import { registrationOf } from './registration.js';
import { viewerOf } from './viewer.js';

export const Query: QueryResolvers = {
  viewer: (_root, _args, context) => viewerOf(context),

  node: (_root, args, context) => loadNode(context, args.id),

  // One promise per id, so one failing id is that item's error alone (graphql-js completes list items one by one);
  // the generated type wants each item's promise to hold a value, not possibly null.
  nodes: (_root, args, context) => loadNodes(context, args.ids) as Promise<NodeModel>[],

  account: (_root, args, context) => accountNode(context, args.id),

  device: async (_root, args, context) => {
    const { accountId, kazooId } = await documentOf(context, 'Device', args.id, args.accountId);
    const doc = await context.loaders.device.load(documentKey(accountId, kazooId));
    return doc === null ? null : DeviceRef.fromDocument(accountId, doc);
  },

  devices: async (_root, args, context, info) => listDevices(context, info, await accountOf(context, args.accountId), args),

  user: async (_root, args, context) => {
    const { accountId, kazooId } = await documentOf(context, 'User', args.id, args.accountId);
    const doc = await context.loaders.user.load(documentKey(accountId, kazooId));
    return doc === null ? null : UserRef.fromDocument(accountId, doc);
  },

  users: async (_root, args, context) => listUsers(context, await accountOf(context, args.accountId), args),

  registrations: async (_root, args, context) => {
    const accountId = await accountOf(context, args.accountId);
    const index = await context.loaders.registrations.load(accountId);
    return [...index.keys()].map((deviceId) => registrationOf(accountId, deviceId, index));
  },
};
