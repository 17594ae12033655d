// Crossbar's accounts resource: only what the gateway needs, the account document of a token's own account.
import { accountPath } from './paths.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';
import type { KazooObject } from './types.js';

export interface KazooAccount extends KazooObject {
  id: string;
  name?: string;
  realm?: string;
}

export async function get(session: KazooSession, accountId: string): Promise<KazooAccount> {
  return (await send<KazooAccount>(session, { method: 'GET', path: accountPath(accountId) })).data;
}
