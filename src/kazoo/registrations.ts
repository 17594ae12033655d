// Crossbar's registrations resource (`/v2/accounts/{ACCOUNT_ID}/registrations`): one row per registered SIP contact,
// richer than `/devices/status` (contact, addresses, user agent, expiry).
import { accountPath } from './paths.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';
import type { KazooRegistration } from './types.js';

export async function list(session: KazooSession, accountId: string): Promise<KazooRegistration[]> {
  const envelope = await send<KazooRegistration[]>(session, {
    method: 'GET',
    path: accountPath(accountId, 'registrations'),
    query: { paginate: false },
  });
  return Array.isArray(envelope.data) ? envelope.data : [];
}
