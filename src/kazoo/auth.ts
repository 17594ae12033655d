// Crossbar's authentication resources: user_auth (credentials hash), api_auth (API key) and token_auth (who is this
// token). Login needs no token; the returned token is what clients send on every later request. A login Kazoo refuses
// is INVALID_CREDENTIALS (the credentials are wrong), not UNAUTHENTICATED (which says the caller's token is).
import { createHash } from 'node:crypto';
import type { KazooClient } from './client.js';
import { isKazooError, KazooError } from './errors.js';
import { send } from './session.js';
import type { KazooSession } from './session.js';
import { jwtExpiry } from './token.js';
import type { KazooAuthData } from './types.js';

export { jwtExpiry };

export interface KazooLogin {
  token: string;
  /** From the token's `exp` claim when the token is a JWT (Kazoo 4.3 tokens are); undefined otherwise. */
  expiresAt: Date | undefined;
  data: KazooAuthData;
}

/** Kazoo stores usernames lower-cased, so the hash is of the lower-cased username (kzd_users normalisation). */
export function credentialsHash(username: string, password: string): string {
  return createHash('md5').update(`${username.toLowerCase()}:${password}`).digest('hex');
}

export function withCredentials(
  client: KazooClient,
  login: { username: string; password: string; accountName: string },
  requestId?: string,
): Promise<KazooLogin> {
  return authenticate(
    client,
    '/v2/user_auth',
    { credentials: credentialsHash(login.username, login.password), account_name: login.accountName, method: 'md5' },
    'Kazoo refused the login: wrong username, password or account name',
    requestId,
  );
}

export function withApiKey(client: KazooClient, apiKey: string, requestId?: string): Promise<KazooLogin> {
  return authenticate(client, '/v2/api_auth', { api_key: apiKey }, 'Kazoo refused the API key', requestId);
}

/** `GET /v2/token_auth`: the account, owner and method behind the session's token. */
export async function whoAmI(session: KazooSession): Promise<KazooAuthData> {
  return (await send<KazooAuthData>(session, { method: 'GET', path: '/v2/token_auth' })).data;
}

async function authenticate(
  client: KazooClient,
  path: string,
  data: Record<string, string>,
  refusedMessage: string,
  requestId: string | undefined,
): Promise<KazooLogin> {
  const envelope = await client.request<KazooAuthData>({ method: 'PUT', path, data, requestId }).catch((error: unknown) => {
    throw loginError(error, refusedMessage);
  });
  if (envelope.authToken === undefined || typeof envelope.data?.account_id !== 'string') {
    throw new KazooError('UPSTREAM_UNAVAILABLE', 'Kazoo accepted the login but sent no token', { requestId });
  }
  return { token: envelope.authToken, expiresAt: jwtExpiry(envelope.authToken), data: envelope.data };
}

function loginError(error: unknown, refusedMessage: string): unknown {
  if (!isKazooError(error)) return error;
  const details = { status: error.status, requestId: error.requestId, cause: error };
  if (error.code === 'UNAUTHENTICATED' && error.status === 401) {
    return new KazooError('INVALID_CREDENTIALS', refusedMessage, details);
  }
  // A lost answer to a login at most minted a token nobody holds: logging in again is safe.
  if (error.code === 'OUTCOME_UNKNOWN') {
    return new KazooError('UPSTREAM_UNAVAILABLE', "Kazoo's answer to the login was lost; log in again", details);
  }
  return error;
}
