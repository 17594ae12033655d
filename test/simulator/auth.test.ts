// Contract: user_auth, api_auth, token_auth, where tokens are read, and the account endpoints (§2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, describeSimulatorOnly, md5, sha1, startTarget, type Target } from './helpers.js';

let target: Target;

beforeAll(async () => {
  target = await startTarget({ tokenTtlSeconds: 120 });
});
afterAll(async () => {
  await target.close();
});

function credentials(hash: (text: string) => string, username = target.username, password = target.password): string {
  return hash(`${username.toLowerCase()}:${password}`);
}

describe('PUT /v2/user_auth', () => {
  it('answers 201 with a new token and the account and owner ids', async () => {
    const result = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: credentials(md5), account_name: target.accountName },
    });
    expect(result.status).toBe(201);
    expect(typeof result.body.auth_token).toBe('string');
    expect(result.body.data).toMatchObject({ account_id: target.accountId, account_name: target.accountName });
    expect(result.body.data.owner_id).toMatch(/^[0-9a-f]{32}$/);
    const use = await call(target, 'GET', accountPath(target), { token: result.body.auth_token });
    expect(use.status).toBe(200);
  });

  it('accepts method "sha" with a SHA1 of the same string, and the account realm instead of the name', async () => {
    const account = await call(target, 'GET', accountPath(target), { token: await apiToken(target) });
    const result = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: credentials(sha1), method: 'sha', account_realm: account.body.data.realm },
    });
    expect(result.status).toBe(201);
  });

  it('hashes the lower-cased username', async () => {
    const upper = md5(`${target.username.toUpperCase()}:${target.password}`);
    const rejected = await call(target, 'PUT', '/v2/user_auth', { data: { credentials: upper, account_name: target.accountName } });
    expect(rejected.status).toBe(401);
  });

  it('401 invalid_credentials for a wrong password or an unknown account', async () => {
    const wrong = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: credentials(md5, target.username, 'wrong-password'), account_name: target.accountName },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('invalid_credentials');
    const unknown = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: credentials(md5), account_name: 'no-such-account-anywhere' },
    });
    expect(unknown.status).toBe(401);
  });

  it('400 validation error without credentials', async () => {
    const result = await call(target, 'PUT', '/v2/user_auth', { data: { account_name: target.accountName } });
    expect(result.status).toBe(400);
    expect(result.body.data.credentials.required).toBeDefined();
  });

  it('only accepts PUT', async () => {
    const result = await call(target, 'GET', '/v2/user_auth');
    expect(result.status).toBe(405);
  });
});

describe('PUT /v2/api_auth', () => {
  it('answers 201 with a token for the account', async () => {
    const result = await call(target, 'PUT', '/v2/api_auth', { data: { api_key: target.apiKey } });
    expect(result.status).toBe(201);
    expect(result.body.data.account_id).toBe(target.accountId);
    expect(result.body.auth_token).not.toBe('undefined');
  });

  it('401 for an unknown key, 400 for a key that is not 64 characters', async () => {
    const unknown = await call(target, 'PUT', '/v2/api_auth', { data: { api_key: 'f'.repeat(64) } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('invalid_credentials');
    const short = await call(target, 'PUT', '/v2/api_auth', { data: { api_key: 'abc' } });
    expect(short.status).toBe(400);
    expect(short.body.data.api_key.minLength).toBeDefined();
  });
});

describe('where the token is read', () => {
  it('from X-Auth-Token, the auth_token query parameter and an Authorization Bearer header', async () => {
    const token = await apiToken(target);
    const viaQuery = await call(target, 'GET', `${accountPath(target)}?auth_token=${token}`);
    expect(viaQuery.status).toBe(200);
    const viaBearer = await call(target, 'GET', accountPath(target), { headers: { authorization: `Bearer ${token}` } });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.auth_token).toBe(token);
  });

  it('from auth_token in the request data', async () => {
    const token = await apiToken(target);
    const result = await call(target, 'POST', accountPath(target, '/devices/0123456789abcdef0123456789abcdef/sync'), {
      data: { auth_token: token },
    });
    expect(result.status).toBe(404); // authenticated, then the device is unknown
  });
});

describe('/v2/token_auth', () => {
  it('GET describes a valid token: account, owner, method and expiry', async () => {
    const login = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: credentials(md5), account_name: target.accountName },
    });
    const token = login.body.auth_token as string;
    const result = await call(target, 'GET', '/v2/token_auth', { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toMatchObject({ account_id: target.accountId, owner_id: login.body.data.owner_id, method: 'cb_user_auth' });
    expect(result.body.data.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('DELETE answers 200', async () => {
    const result = await call(target, 'DELETE', '/v2/token_auth', { token: await apiToken(target) });
    expect(result.status).toBe(200);
  });
});

describe('account endpoints', () => {
  it('GET /accounts/{id} returns the public account document', async () => {
    const result = await call(target, 'GET', accountPath(target), { token: await apiToken(target) });
    expect(result.status).toBe(200);
    expect(result.body.data).toMatchObject({ id: target.accountId, name: target.accountName });
    expect(typeof result.body.data.realm).toBe('string');
    expect(Object.keys(result.body.data).filter((key) => key.startsWith('pvt_') || key.startsWith('_'))).toEqual([]);
  });

  it('GET /accounts/{id}/api_key returns the key used by api_auth', async () => {
    const result = await call(target, 'GET', accountPath(target, '/api_key'), { token: await apiToken(target) });
    expect(result.body.data).toEqual({ api_key: target.apiKey });
  });
});

describeSimulatorOnly('token lifetime', () => {
  it('tokens expire after tokenTtlSeconds (exp is fixed at issue time)', async () => {
    const token = await apiToken(target);
    const info = await call(target, 'GET', '/v2/token_auth', { token });
    const remaining = info.body.data.exp - Math.floor(Date.now() / 1000);
    expect(remaining).toBeGreaterThan(110);
    expect(remaining).toBeLessThanOrEqual(120);
  });
});
