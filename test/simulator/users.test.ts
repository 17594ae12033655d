// Contract: the user routes of §5 — validation, password hashing, login with created users, quickcall, presence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, describeSimulatorOnly, md5, simOf, startTarget, uniqueName, type CallResult, type Target } from './helpers.js';

let target: Target;
let token: string;
const createdUsers: string[] = [];
const createdDevices: string[] = [];

beforeAll(async () => {
  target = await startTarget({ rateLimit: false });
  token = await apiToken(target);
});
afterAll(async () => {
  for (const id of createdDevices) await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
  for (const id of createdUsers) await call(target, 'DELETE', accountPath(target, `/users/${id}`), { token });
  await target.close();
});

async function put(data: Record<string, unknown>): Promise<CallResult> {
  const result = await call(target, 'PUT', accountPath(target, '/users'), { token, data });
  if (result.status === 201) createdUsers.push(result.body.data.id);
  return result;
}

async function createUser(data: Record<string, unknown> = {}): Promise<any> { // any: JSON under test
  const result = await put({ first_name: 'Test', last_name: uniqueName('User'), ...data });
  expect(result.status, result.text).toBe(201);
  return result.body.data;
}

describe('users', () => {
  it('list items are view summaries', async () => {
    const result = await call(target, 'GET', accountPath(target, '/users'), { token });
    expect(result.status).toBe(200);
    const allowed = ['id', 'features', 'username', 'email', 'first_name', 'last_name', 'priv_level', 'feature_level', 'presence_id', 'timezone', 'call_recording', 'service', 'flags'];
    for (const item of result.body.data) {
      expect(Object.keys(item).every((key) => allowed.includes(key)), JSON.stringify(item)).toBe(true);
      expect(Array.isArray(item.features)).toBe(true);
    }
  });

  it('create requires first_name and last_name', async () => {
    const result = await put({});
    expect(result.status).toBe(400);
    expect(result.body.data.first_name.required).toBeDefined();
    expect(result.body.data.last_name.required).toBeDefined();
  });

  it('create applies the schema defaults and answers 201', async () => {
    const user = await createUser();
    expect(user).toMatchObject({
      enabled: true,
      vm_to_email_enabled: true,
      verified: false,
      require_password_update: false,
      priv_level: 'user',
      call_restriction: {},
      contact_list: {},
      music_on_hold: {},
      ringtones: {},
    });
    expect(user.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the username is lower-cased, the password hashed and never returned, and the user can log in', async () => {
    const username = uniqueName('Login.User');
    const user = await createUser({ username, password: 'Pa55word!' });
    expect(user.username).toBe(username.toLowerCase());
    expect(user.password).toBeUndefined();
    expect(Object.keys(user).some((key) => key.startsWith('pvt_'))).toBe(false);
    const fetched = await call(target, 'GET', accountPath(target, `/users/${user.id}`), { token });
    expect(fetched.body.data.password).toBeUndefined();
    const account = await call(target, 'GET', accountPath(target), { token });
    const login = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: md5(`${username.toLowerCase()}:Pa55word!`), account_name: account.body.data.name },
    });
    expect(login.status).toBe(201);
    expect(login.body.data.owner_id).toBe(user.id);
  });

  it('usernames are unique within the account, whatever their case', async () => {
    const username = uniqueName('unique');
    await createUser({ username, password: 'secret-1' });
    const clash = await put({ first_name: 'A', last_name: 'B', username: username.toUpperCase(), password: 'secret-2' });
    expect(clash.status).toBe(400);
    expect(clash.body.data.username.unique).toMatchObject({ cause: username.toLowerCase() });
  });

  it('a new username needs a password', async () => {
    const result = await put({ first_name: 'No', last_name: 'Password', username: uniqueName('nopass') });
    expect(result.status).toBe(400);
    expect(result.body.data.password.required).toBeDefined();
  });

  it('email must be an email', async () => {
    const result = await put({ first_name: 'Bad', last_name: 'Email', email: 'not-an-email' });
    expect(result.status).toBe(400);
    expect(result.body.data.email).toBeDefined();
  });

  it('POST replaces, PATCH merges, and neither loses the credentials', async () => {
    const username = uniqueName('keep');
    const user = await createUser({ username, password: 'secret-1', timezone: 'Europe/Paris' });
    const path = accountPath(target, `/users/${user.id}`);
    const patched = await call(target, 'PATCH', path, { token, data: { timezone: null, presence_id: '3001' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data.timezone).toBeUndefined();
    expect(patched.body.data.presence_id).toBe('3001');
    const replaced = await call(target, 'POST', path, { token, data: { first_name: 'Re', last_name: 'Placed', username } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data.presence_id).toBeUndefined();
    const account = await call(target, 'GET', accountPath(target), { token });
    const login = await call(target, 'PUT', '/v2/user_auth', { data: { credentials: md5(`${username}:secret-1`), account_name: account.body.data.name } });
    expect(login.status).toBe(201);
  });

  it('DELETE is a soft delete: the user 404s and can no longer log in', async () => {
    const username = uniqueName('gone');
    const user = await createUser({ username, password: 'secret-1' });
    const deleted = await call(target, 'DELETE', accountPath(target, `/users/${user.id}`), { token });
    expect(deleted.status).toBe(200);
    expect((await call(target, 'GET', accountPath(target, `/users/${user.id}`), { token })).status).toBe(404);
    const account = await call(target, 'GET', accountPath(target), { token });
    const login = await call(target, 'PUT', '/v2/user_auth', { data: { credentials: md5(`${username}:secret-1`), account_name: account.body.data.name } });
    expect(login.status).toBe(401);
  });

  it('GET /users/{id}/devices 404s for an unknown user', async () => {
    const result = await call(target, 'GET', accountPath(target, '/users/0123456789abcdef0123456789abcdef/devices'), { token });
    expect(result.status).toBe(404);
  });

  it('quickcall and presence on a user reach the devices it owns', async () => {
    const user = await createUser();
    const path = accountPath(target, `/users/${user.id}`);
    const none = await call(target, 'GET', `${path}/quickcall/1000`, { token });
    expect(none.status).toBe(500);
    expect(none.body.message).toBe('unspecified_fault');
    expect((await call(target, 'POST', `${path}/presence`, { token, data: { action: 'reset' } })).body.data).toBe('nothing to send command to');
    const device = await call(target, 'PUT', accountPath(target, '/devices'), {
      token,
      data: { name: uniqueName('Owned '), owner_id: user.id, sip: { username: uniqueName('own'), password: 'secret1' } },
    });
    createdDevices.push(device.body.data.id);
    const quickcall = await call(target, 'GET', `${path}/quickcall/1000`, { token });
    expect(quickcall.status).toBe(200);
    expect(quickcall.body.data.endpoints.map((e: { endpoint_id: string }) => e.endpoint_id)).toEqual([device.body.data.id]);
    expect(quickcall.body.data.custom_channel_vars).toMatchObject({ authorizing_type: 'user', authorizing_id: user.id });
    expect((await call(target, 'POST', `${path}/presence`, { token, data: { action: 'reset' } })).body.data).toBe('command sent');
  });
});

describeSimulatorOnly('seeded demo users', () => {
  it('about 25 users, some admins, some with presence ids and time zones', async () => {
    const result = await call(target, 'GET', accountPath(target, '/users?paginate=false'), { token });
    const users = result.body.data as { priv_level: string; presence_id?: string; timezone?: string; username?: string }[];
    expect(users.length).toBeGreaterThanOrEqual(25);
    expect(users.filter((user) => user.priv_level === 'admin').length).toBeGreaterThan(1);
    expect(users.some((user) => user.presence_id !== undefined)).toBe(true);
    expect(users.some((user) => user.timezone !== undefined)).toBe(true);
    expect(users.map((user) => user.username)).toContain('admin');
  });

  it('about 60 devices of mixed types, half of them registered', async () => {
    const devices = (await call(target, 'GET', accountPath(target, '/devices?paginate=false'), { token })).body.data as { device_type: string }[];
    expect(devices.length).toBeGreaterThanOrEqual(60);
    const types = new Set(devices.map((device) => device.device_type));
    for (const type of ['sip_device', 'softphone', 'cellphone']) expect(types.has(type)).toBe(true);
    const registered = simOf(target).control.registeredDeviceIds(target.accountId).length;
    expect(registered).toBeGreaterThan(devices.length * 0.3);
    expect(registered).toBeLessThan(devices.length * 0.7);
  });
});
