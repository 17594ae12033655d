// Contract: /devices/status and /registrations (§4.4), the registration flush of §4.7, expiry and churn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, describeSimulatorOnly, simOf, sleep, startTarget, uniqueName, type Target } from './helpers.js';

let target: Target;
let token: string;

beforeAll(async () => {
  target = await startTarget({ rateLimit: false });
  token = await apiToken(target);
});
afterAll(async () => {
  await target.close();
});

async function statusIds(): Promise<string[]> {
  const result = await call(target, 'GET', accountPath(target, '/devices/status'), { token });
  expect(result.status).toBe(200);
  return result.body.data.map((item: { device_id: string }) => item.device_id).sort();
}

async function registrations(): Promise<any[]> { // any: JSON under test
  const result = await call(target, 'GET', accountPath(target, '/registrations'), { token });
  expect(result.status).toBe(200);
  return result.body.data;
}

describe('registration status', () => {
  it('/devices/status lists only registered devices as {device_id, registered: true}, without pagination keys', async () => {
    const result = await call(target, 'GET', accountPath(target, '/devices/status'), { token });
    expect(result.body.page_size).toBeUndefined();
    expect(result.body.next_start_key).toBeUndefined();
    for (const item of result.body.data) expect(item).toEqual({ device_id: expect.any(String), registered: true });
  });

  it('/registrations rows are consistent with /devices/status and /registrations/count', async () => {
    const rows = await registrations();
    const ids = await statusIds();
    expect([...new Set(rows.map((row) => row.authorizing_id as string))].sort()).toEqual(ids);
    const count = await call(target, 'GET', accountPath(target, '/registrations/count'), { token });
    expect(count.body.data).toEqual({ count: rows.length });
    for (const row of rows) {
      expect(row).toMatchObject({ authorizing_type: 'device', contact: expect.any(String), contact_ip: expect.any(String), username: expect.any(String), realm: expect.any(String), user_agent: expect.any(String) });
      expect(typeof row.contact_port).toBe('number');
      expect(row.expires).toBeGreaterThan(0);
      expect(row.event_timestamp).toBeGreaterThan(63_000_000_000);
    }
  });

  it('flushing an unknown SIP username is 404 "bad identifier"', async () => {
    const result = await call(target, 'DELETE', accountPath(target, `/registrations/${uniqueName('nobody')}`), { token });
    expect(result.status).toBe(404);
    expect(result.body.message).toBe('bad identifier');
  });
});

describeSimulatorOnly('the registrar model', () => {
  async function newDevice(extra: Record<string, unknown> = {}): Promise<{ id: string; username: string }> {
    const username = uniqueName('reg');
    const result = await call(target, 'PUT', accountPath(target, '/devices'), {
      token,
      data: { name: uniqueName('Reg '), sip: { username, password: 'secret1' }, ...extra },
    });
    expect(result.status, result.text).toBe(201);
    return { id: result.body.data.id, username };
  }

  it('a registered device appears in both lists, with the given user agent and contact', async () => {
    const { id } = await newDevice();
    simOf(target).control.register(target.accountId, id, { userAgent: 'Yealink SIP-T46S 66.86.0.15', contactIp: '192.168.7.7', contactPort: 5062 });
    expect(await statusIds()).toContain(id);
    const row = (await registrations()).find((r) => r.authorizing_id === id);
    expect(row).toMatchObject({ user_agent: 'Yealink SIP-T46S 66.86.0.15', contact_ip: '192.168.7.7', contact_port: 5062, expires: 300 });
    simOf(target).control.unregister(target.accountId, id);
    expect(await statusIds()).not.toContain(id);
  });

  it('DELETE /registrations/{username} and DELETE /registrations flush', async () => {
    const sim = simOf(target);
    const one = await newDevice();
    sim.control.register(target.accountId, one.id);
    const flushed = await call(target, 'DELETE', accountPath(target, `/registrations/${one.username.toUpperCase()}`), { token });
    expect(flushed.body.data).toBe('ok');
    expect(await statusIds()).not.toContain(one.id);
    const before = await statusIds();
    expect(before.length).toBeGreaterThan(0);
    expect((await call(target, 'DELETE', accountPath(target, '/registrations'), { token })).body.data).toBe('ok');
    expect(await statusIds()).toEqual([]);
    sim.control.register(target.accountId, one.id);
  });

  it('changing the SIP password, username, owner or enabled flag, or deleting, drops the registration', async () => {
    const sim = simOf(target);
    const path = (id: string) => accountPath(target, `/devices/${id}`);
    const cases: Record<string, unknown>[] = [
      { sip: { password: 'changed1' } },
      { sip: { username: uniqueName('renamed') } },
      { owner_id: '0123456789abcdef0123456789abcdef' },
      { enabled: false },
    ];
    for (const patch of cases) {
      const { id } = await newDevice();
      sim.control.register(target.accountId, id);
      await call(target, 'PATCH', path(id), { token, data: patch });
      expect(await statusIds(), JSON.stringify(patch)).not.toContain(id);
    }
    const kept = await newDevice();
    sim.control.register(target.accountId, kept.id);
    await call(target, 'PATCH', path(kept.id), { token, data: { name: 'Only A New Name' } });
    expect(await statusIds()).toContain(kept.id);
    await call(target, 'DELETE', path(kept.id), { token });
    expect(await statusIds()).not.toContain(kept.id);
  });

  it('a registration that is not refreshed lapses when it expires; a refreshed one stays', async () => {
    const sim = simOf(target);
    const lapsing = await newDevice();
    const refreshing = await newDevice();
    sim.control.register(target.accountId, lapsing.id, { expiresSeconds: 1, refresh: false });
    sim.control.register(target.accountId, refreshing.id, { expiresSeconds: 1 });
    expect(await statusIds()).toEqual(expect.arrayContaining([lapsing.id, refreshing.id]));
    await sleep(1100);
    const ids = await statusIds();
    expect(ids).not.toContain(lapsing.id);
    expect(ids).toContain(refreshing.id);
  });

  it('IP-authenticated, custom-realm and call-forward devices never show up; cellphones cannot register', async () => {
    const sim = simOf(target);
    const all = (await call(target, 'GET', accountPath(target, '/devices?paginate=false'), { token })).body.data as { id: string; device_type: string }[];
    const ipAuth = (await call(target, 'GET', accountPath(target, '/devices?paginate=false&filter_sip.method=ip'), { token })).body.data as { id: string }[];
    const customRealm = (await call(target, 'GET', accountPath(target, '/devices?paginate=false&has_key=sip.realm'), { token })).body.data as { id: string }[];
    const cellphones = all.filter((device) => device.device_type === 'cellphone');
    expect(ipAuth.length).toBeGreaterThan(0);
    expect(customRealm.length).toBeGreaterThan(0);
    expect(cellphones.length).toBeGreaterThan(0);
    sim.control.setChurn({ intervalMs: 10, fraction: 1 });
    await sleep(60);
    sim.control.setChurn(false);
    const ids = await statusIds();
    const rows = (await registrations()).map((row) => row.authorizing_id);
    for (const device of [...ipAuth, ...customRealm, ...cellphones]) {
      expect(ids).not.toContain(device.id);
      expect(rows).not.toContain(device.id);
    }
    expect(() => sim.control.register(target.accountId, cellphones[0]?.id ?? '')).toThrow();
  });

  it('churn makes devices register and lapse over time', async () => {
    const sim = simOf(target);
    const before = (await statusIds()).join(',');
    sim.control.setChurn({ intervalMs: 20, fraction: 0.5 });
    let after = before;
    for (let i = 0; i < 50 && after === before; i += 1) {
      await sleep(20);
      after = (await statusIds()).join(',');
    }
    sim.control.setChurn(false);
    expect(after).not.toBe(before);
    expect(sim.control.registeredDeviceIds(target.accountId).sort()).toEqual(await statusIds());
  });
});
