// Simulator-only: fault injection, the request log, generated accounts and the /__simulator HTTP routes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountPath, call, describeSimulatorOnly, md5, simOf, startTarget, type Target } from './helpers.js';

describeSimulatorOnly('faults and control', () => {
  let target: Target;
  let token: string;

  beforeAll(async () => {
    target = await startTarget({ rateLimit: false });
    token = simOf(target).control.issueToken(target.accountId);
  });
  afterAll(async () => {
    await target.close();
  });

  it('status faults answer a Crossbar error envelope (or the given body) for the next N matching requests', async () => {
    const { control } = simOf(target);
    control.setFault({ kind: 'status', status: 503 }, { times: 1, match: { pathIncludes: '/devices' } });
    const users = await call(target, 'GET', accountPath(target, '/users?page_size=1'), { token });
    expect(users.status).toBe(200);
    const failed = await call(target, 'GET', accountPath(target, '/devices'), { token });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ status: 'error', error: '503', message: 'datastore_fault' });
    expect((await call(target, 'GET', accountPath(target, '/devices'), { token })).status).toBe(200);
    control.setFault({ kind: 'status', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' }, { times: 1 });
    const html = await call(target, 'GET', accountPath(target), { token });
    expect(html.status).toBe(502);
    expect(html.text).toBe('<html>Bad Gateway</html>');
    expect(html.headers.get('content-type')).toBe('text/html');
  });

  it('refuse resets the connection, malformed sends truncated JSON', async () => {
    const { control } = simOf(target);
    control.setFault({ kind: 'refuse' }, { times: 1 });
    await expect(call(target, 'GET', accountPath(target), { token })).rejects.toThrow();
    control.setFault({ kind: 'malformed' }, { times: 1, match: { method: 'GET' } });
    const malformed = await call(target, 'GET', accountPath(target), { token });
    expect(malformed.status).toBe(200);
    expect(malformed.body).toBeUndefined();
    expect(() => JSON.parse(malformed.text)).toThrow();
  });

  it('hang holds the request until the fault is cleared; delay answers late', async () => {
    const { control } = simOf(target);
    control.setFault({ kind: 'hang' });
    const pending = call(target, 'GET', accountPath(target), { token });
    const raced = await Promise.race([pending.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    expect(raced).toBe('waiting');
    control.setFault(null);
    expect((await pending).status).toBe(200);
    control.setFault({ kind: 'delay', ms: 150 }, { times: 1 });
    const delayed = call(target, 'GET', accountPath(target), { token });
    const early = await Promise.race([delayed.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 30))]);
    expect(early).toBe('waiting');
    expect((await delayed).status).toBe(200);
  });

  it('logs every /v2 request with its status and whether it was authenticated', async () => {
    const { control } = simOf(target);
    control.resetRequests();
    await call(target, 'GET', `${accountPath(target, '/devices')}?page_size=2`, { token });
    await call(target, 'GET', accountPath(target, '/devices'));
    expect(control.requests.map(({ method, path, query, status, authenticated }) => ({ method, path, query, status, authenticated }))).toEqual([
      { method: 'GET', path: accountPath(target, '/devices'), query: { page_size: '2' }, status: 200, authenticated: true },
      { method: 'GET', path: accountPath(target, '/devices'), query: {}, status: 401, authenticated: false },
    ]);
  });

  it('keeps only the newest requests and notifications past their capacity, and still lists and clears them', async () => {
    const bounded = await startTarget({ controlRoutes: true, rateLimit: false, requestLogCapacity: 3, notificationLogCapacity: 2 });
    try {
      const { control } = simOf(bounded);
      const boundedToken = control.issueToken(bounded.accountId);
      const devices = await call(bounded, 'GET', accountPath(bounded, '/devices?paginate=false'), { token: boundedToken });
      const deviceIds = (devices.body.data as { id: string }[]).slice(0, 3).map((device) => device.id);
      control.resetRequests();
      control.resetNotifications();
      for (const deviceId of deviceIds) await call(bounded, 'POST', accountPath(bounded, `/devices/${deviceId}/sync`), { token: boundedToken });
      for (const pageSize of ['1', '2']) await call(bounded, 'GET', `${accountPath(bounded, '/users')}?page_size=${pageSize}`, { token: boundedToken });

      // Five requests into a log of three: the oldest two are gone, the rest are in order.
      const syncPath = accountPath(bounded, `/devices/${deviceIds[2]}/sync`);
      expect(control.requests.map(({ path, query }) => ({ path, query }))).toEqual([
        { path: syncPath, query: {} },
        { path: accountPath(bounded, '/users'), query: { page_size: '1' } },
        { path: accountPath(bounded, '/users'), query: { page_size: '2' } },
      ]);
      expect(control.notifications.map((notification) => notification.deviceId)).toEqual(deviceIds.slice(1));
      const overHttp = await call(bounded, 'GET', '/__simulator/requests');
      expect((overHttp.body as { path: string }[]).map((entry) => entry.path)).toEqual([
        syncPath,
        accountPath(bounded, '/users'),
        accountPath(bounded, '/users'),
      ]);
      expect(((await call(bounded, 'GET', '/__simulator/notifications')).body as { deviceId: string }[]).map((n) => n.deviceId)).toEqual(
        deviceIds.slice(1),
      );

      await call(bounded, 'DELETE', '/__simulator/requests');
      await call(bounded, 'DELETE', '/__simulator/notifications');
      expect(control.requests).toEqual([]);
      expect(control.notifications).toEqual([]);
      await call(bounded, 'GET', accountPath(bounded), { token: boundedToken });
      expect(control.requests.map(({ path }) => path)).toEqual([accountPath(bounded)]);
    } finally {
      await bounded.close();
    }
  });

  it('createAccount seeds an isolated account whose admin can log in', async () => {
    const account = simOf(target).control.createAccount({ name: 'Widgets Inc', devices: 12, users: 4, username: 'Boss', password: 'boss-pass' });
    expect(account.realm).toMatch(/\.sip\.kazoo\.test$/);
    const login = await call(target, 'PUT', '/v2/user_auth', {
      data: { credentials: md5('boss:boss-pass'), account_name: 'Widgets Inc' },
    });
    expect(login.status).toBe(201);
    const devices = await call(target, 'GET', `/v2/accounts/${account.accountId}/devices?paginate=false`, { token: login.body.auth_token });
    expect(devices.body.data).toHaveLength(12);
    const forbidden = await call(target, 'GET', accountPath(target), { token: login.body.auth_token });
    expect(forbidden.status).toBe(403);
  });

  it('/__simulator routes are off by default', async () => {
    const result = await call(target, 'GET', '/__simulator/requests');
    expect(result.status).toBe(404);
  });

  it('/__simulator routes mirror the control API when enabled', async () => {
    const standalone = await startTarget({ controlRoutes: true, rateLimit: false });
    try {
      const accounts = await call(standalone, 'GET', '/__simulator/accounts');
      expect(accounts.body.demo.accountId).toBe(standalone.accountId);
      const issued = await call(standalone, 'POST', '/__simulator/tokens', { raw: JSON.stringify({ accountId: standalone.accountId }) });
      const adminToken = issued.body.token as string;
      const devices = await call(standalone, 'GET', accountPath(standalone, '/devices?filter_device_type=softphone&paginate=false'), { token: adminToken });
      const deviceId = devices.body.data[0].id as string;
      await call(standalone, 'POST', `/__simulator/accounts/${standalone.accountId}/devices/${deviceId}/unregister`, { raw: '{}' });
      const unregistered = await call(standalone, 'GET', `/__simulator/accounts/${standalone.accountId}/registrations`);
      expect(unregistered.body.device_ids).not.toContain(deviceId);
      await call(standalone, 'POST', `/__simulator/accounts/${standalone.accountId}/devices/${deviceId}/register`, { raw: JSON.stringify({ userAgent: 'Zoiper rv2.10.18.2' }) });
      const registered = await call(standalone, 'GET', `/__simulator/accounts/${standalone.accountId}/registrations`);
      expect(registered.body.device_ids).toContain(deviceId);
      await call(standalone, 'PUT', '/__simulator/fault', { raw: JSON.stringify({ fault: { kind: 'status', status: 500 }, options: { times: 1 } }) });
      expect((await call(standalone, 'GET', accountPath(standalone), { token: adminToken })).status).toBe(500);
      const log = await call(standalone, 'GET', '/__simulator/requests');
      expect(log.body.length).toBeGreaterThan(0);
      await call(standalone, 'DELETE', '/__simulator/requests');
      expect((await call(standalone, 'GET', '/__simulator/requests')).body).toEqual([]);
      const created = await call(standalone, 'POST', '/__simulator/accounts', { raw: JSON.stringify({ name: 'http made', devices: 2, users: 1 }) });
      expect(created.status).toBe(201);
      expect(created.body.accountName).toBe('http made');
    } finally {
      await standalone.close();
    }
  });
});
