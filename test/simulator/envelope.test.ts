// Contract: Crossbar's envelopes, request ids and the error catalogue of kazoo-crossbar.md §1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, describeSimulatorOnly, simOf, startTarget, type Target } from './helpers.js';

let target: Target;
let token: string;

beforeAll(async () => {
  target = await startTarget();
  token = await apiToken(target);
});
afterAll(async () => {
  await target.close();
});

describe('success envelope', () => {
  it('carries auth_token, data, request_id, revision, status, node, version and timestamp', async () => {
    const result = await call(target, 'GET', accountPath(target, '/users?page_size=1'), { token });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.body).toMatchObject({ auth_token: token, status: 'success' });
    expect(Array.isArray(result.body.data)).toBe(true);
    for (const key of ['request_id', 'revision', 'node', 'version', 'timestamp']) {
      expect(typeof result.body[key]).toBe('string');
    }
    expect(result.body.version).toMatch(/^4\.3\./);
    expect(result.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(typeof result.body.page_size).toBe('number');
  });

  it('echoes X-Request-ID, or generates one', async () => {
    const given = await call(target, 'GET', accountPath(target), { token, headers: { 'x-request-id': 'req-contract-1' } });
    expect(given.headers.get('x-request-id')).toBe('req-contract-1');
    expect(given.body.request_id).toBe('req-contract-1');
    const generated = await call(target, 'GET', accountPath(target), { token });
    expect(generated.headers.get('x-request-id')).toBe(generated.body.request_id);
    expect(generated.body.request_id.length).toBeGreaterThan(8);
  });

  it('adds CORS headers and answers OPTIONS preflights', async () => {
    const result = await call(target, 'OPTIONS', accountPath(target, '/devices'));
    expect(result.status).toBe(200);
    expect(result.headers.get('access-control-allow-origin')).toBe('*');
    expect(result.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('error envelope', () => {
  it('401 invalid_credentials without a token, auth_token "undefined"', async () => {
    const result = await call(target, 'GET', accountPath(target, '/devices'));
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({
      status: 'error',
      error: '401',
      message: 'invalid_credentials',
      data: { message: 'invalid credentials' },
      auth_token: 'undefined',
    });
    expect(typeof result.body.request_id).toBe('string');
  });

  it('401 invalid_credentials for a JWT with a bad signature', async () => {
    const [header, payload] = token.split('.');
    const result = await call(target, 'GET', accountPath(target, '/devices'), { token: `${header}.${payload}.AAAA` });
    expect(result.status).toBe(401);
    expect(result.body.message).toBe('invalid_credentials');
  });

  it('401 "invalid credentials" with empty data for a token that is not a JWT (no legacy token found)', async () => {
    const result = await call(target, 'GET', accountPath(target, '/devices'), { token: 'not-a-token' });
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ message: 'invalid credentials', data: {}, error: '401' });
  });

  it('404 not_found for an unknown endpoint', async () => {
    const result = await call(target, 'GET', accountPath(target, '/no_such_module'), { token });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ error: '404', message: 'not_found', data: { message: 'not found' } });
  });

  it('405 invalid_method for a verb the route does not allow', async () => {
    const status = await call(target, 'PUT', accountPath(target, '/devices/status'), { token, data: {} });
    expect(status.status).toBe(405);
    expect(status.body).toMatchObject({ error: '405', message: 'invalid_method', data: { message: 'method not allowed' } });
    const collection = await call(target, 'DELETE', accountPath(target, '/devices'), { token });
    expect(collection.status).toBe(405);
  });

  it('404 "bad identifier" for a malformed account id', async () => {
    const result = await call(target, 'GET', '/v2/accounts/not-an-account/devices', { token });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ message: 'bad identifier', data: { message: "invalid account_id 'not-an-account'" } });
  });

  it('404 bad_identifier for an unknown device id', async () => {
    const result = await call(target, 'GET', accountPath(target, '/devices/0123456789abcdef0123456789abcdef'), { token });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({
      message: 'bad_identifier',
      data: { message: 'bad identifier', cause: '0123456789abcdef0123456789abcdef' },
    });
  });

  it('400 json invalid for a body that is not JSON', async () => {
    const result = await call(target, 'PUT', accountPath(target, '/devices'), { token, raw: '{"data": {"name": ' });
    expect(result.status).toBe(400);
    expect(result.body.message).toBe('validation error');
    expect(result.body.data.json.invalid.target).toBe('body');
  });

  it('415 for a body that is not JSON by content type', async () => {
    const result = await call(target, 'PUT', accountPath(target, '/devices'), {
      token,
      raw: 'name=phone',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(result.status).toBe(415);
  });

  it('413 for a body over 8 MB', async () => {
    const raw = JSON.stringify({ data: { name: 'big', notes: 'x'.repeat(8_100_000) } });
    const result = await call(target, 'PUT', accountPath(target, '/devices'), { token, raw });
    expect(result.status).toBe(413);
    expect(result.body.error).toBe('413');
  });
});

describeSimulatorOnly('token expiry and account isolation', () => {
  it('401 "invalid credentials" with data {} for an expired token', async () => {
    const expired = simOf(target).control.issueToken(target.accountId, { ttlSeconds: -5 });
    const result = await call(target, 'GET', accountPath(target, '/devices'), { token: expired });
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ message: 'invalid credentials', data: {}, auth_token: expired });
  });

  it('403 forbidden when a token reaches another account', async () => {
    const other = simOf(target).control.secondary;
    const result = await call(target, 'GET', `/v2/accounts/${other.accountId}/devices`, { token });
    expect(result.status).toBe(403);
    expect(result.body).toMatchObject({ error: '403', message: 'forbidden', data: { message: 'forbidden' } });
  });

  it('404 bad_identifier for a well-formed account id that does not exist', async () => {
    const result = await call(target, 'GET', '/v2/accounts/ffffffffffffffffffffffffffffffff/devices', { token });
    expect(result.status).toBe(404);
    expect(result.body.message).toBe('bad_identifier');
  });
});
