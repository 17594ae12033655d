// The identity behind the request's token, from Kazoo's token_auth.
import * as auth from '../../kazoo/auth.js';
import { isKazooId } from '../../kazoo/paths.js';
import { documentKey } from '../../loaders/index.js';
import type { GatewayContext } from '../context.js';
import type { ViewerResolvers } from '../generated/resolvers-types.js';
import { accountModel, UserRef } from '../models.js';
import type { ViewerModel } from '../models.js';

export async function viewerOf(context: GatewayContext): Promise<ViewerModel> {
  const data = await auth.whoAmI(context.session);
  return {
    accountId: data.account_id,
    ownerId: isKazooId(data.owner_id) ? data.owner_id : undefined,
    accountName: typeof data.account_name === 'string' ? data.account_name : undefined,
    authMethod: typeof data.method === 'string' ? data.method : undefined,
  };
}

export const Viewer: ViewerResolvers = {
  account: (viewer) => accountModel(viewer.accountId),
  // token_auth normally names the account; older Kazoo versions may not, then the account document does.
  accountName: async (viewer, _args, context) =>
    viewer.accountName ?? (await context.loaders.account.load(viewer.accountId)).name ?? null,
  owner: async (viewer, _args, context) => {
    if (viewer.ownerId === undefined) return null;
    const summary = await context.loaders.userSummary.load(documentKey(viewer.accountId, viewer.ownerId));
    return summary === null ? null : UserRef.fromSummary(viewer.accountId, summary);
  },
};
