// Crossbar's users resource (`/v2/accounts/{ACCOUNT_ID}/users`), one function per operation (kazoo-crossbar.md §5).
import { listAll, listPage } from './listing.js';
import type { ListPage, ListPageOptions } from './listing.js';
import { accountPath, assertKazooId } from './paths.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';
import type { KazooObject, KazooUser, KazooUserDeviceSummary, KazooUserSummary } from './types.js';

function userPath(accountId: string, userId: string, ...rest: string[]): string {
  return accountPath(accountId, 'users', assertKazooId(userId, 'userId'), ...rest);
}

export function list(session: KazooSession, accountId: string, options: ListPageOptions): Promise<ListPage<KazooUserSummary>> {
  return listPage<KazooUserSummary>(session, accountPath(accountId, 'users'), options);
}

/** Every user of the account, in as few large pages as possible. */
export function listAllSummaries(session: KazooSession, accountId: string): Promise<KazooUserSummary[]> {
  return listAll<KazooUserSummary>(session, accountPath(accountId, 'users'));
}

export async function get(session: KazooSession, accountId: string, userId: string): Promise<KazooUser> {
  return (await send<KazooUser>(session, { method: 'GET', path: userPath(accountId, userId) })).data;
}

export async function create(session: KazooSession, accountId: string, doc: KazooObject): Promise<KazooUser> {
  return (await send<KazooUser>(session, { method: 'PUT', path: accountPath(accountId, 'users'), data: doc })).data;
}

export async function replace(session: KazooSession, accountId: string, userId: string, doc: KazooObject): Promise<KazooUser> {
  return (await send<KazooUser>(session, { method: 'POST', path: userPath(accountId, userId), data: doc })).data;
}

export async function patch(session: KazooSession, accountId: string, userId: string, changes: KazooObject): Promise<KazooUser> {
  return (await send<KazooUser>(session, { method: 'PATCH', path: userPath(accountId, userId), data: changes })).data;
}

export async function remove(session: KazooSession, accountId: string, userId: string): Promise<KazooUser> {
  return (await send<KazooUser>(session, { method: 'DELETE', path: userPath(accountId, userId) })).data;
}

/** Devices the user owns or is hotdesked into (`hotdesked: true`), from Kazoo's indexed owner view. */
export async function devices(session: KazooSession, accountId: string, userId: string): Promise<KazooUserDeviceSummary[]> {
  const envelope = await send<KazooUserDeviceSummary[]>(session, {
    method: 'GET',
    path: userPath(accountId, userId, 'devices'),
    query: { paginate: false },
  });
  return Array.isArray(envelope.data) ? envelope.data : [];
}
