// Contract: the device validation pipeline of §4.2, rule by rule, and its merged 400 "validation error".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, startTarget, uniqueName, type CallResult, type Target } from './helpers.js';

let target: Target;
let token: string;
let realm: string;
const created: string[] = [];

beforeAll(async () => {
  target = await startTarget({ rateLimit: false });
  token = await apiToken(target);
  realm = (await call(target, 'GET', accountPath(target), { token })).body.data.realm;
});
afterAll(async () => {
  for (const id of created) await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
  await target.close();
});

async function put(data: Record<string, unknown>): Promise<CallResult> {
  const result = await call(target, 'PUT', accountPath(target, '/devices'), { token, data });
  if (result.status === 201) created.push(result.body.data.id);
  return result;
}

async function create(data: Record<string, unknown>): Promise<any> { // any: JSON under test
  const result = await put(data);
  expect(result.status, result.text).toBe(201);
  return result.body.data;
}

function randomMac(): string {
  return Array.from({ length: 6 }, (_, i) => (i === 0 ? 2 : Math.floor(Math.random() * 256)).toString(16).padStart(2, '0')).join(':');
}

function randomIp(): string {
  return `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
}

function expectRule(result: CallResult, path: string, rule: string): any { // any: JSON under test
  expect(result.status, result.text).toBe(400);
  expect(result.body.message).toBe('validation error');
  expect(result.body.data[path]?.[rule], JSON.stringify(result.body.data)).toBeDefined();
  return result.body.data[path][rule];
}

describe('preparation steps', () => {
  it('1. the MAC address is cleansed to lower-case hex digits', async () => {
    const mac = randomMac().toUpperCase().replace(/:/g, '-');
    const device = await create({ name: uniqueName('Mac '), mac_address: mac });
    expect(device.mac_address).toBe(mac.replace(/-/g, '').toLowerCase());
  });

  it('2. outbound_flags items are trimmed and a non-list becomes []', async () => {
    const listed = await create({ name: uniqueName('Flags '), outbound_flags: [' fax ', 'local'] });
    expect(listed.outbound_flags).toEqual(['fax', 'local']);
    const object = await create({ name: uniqueName('Flags Object '), outbound_flags: { static: ['fax'] } });
    expect(object.outbound_flags).toEqual([]);
  });

  it('3. sip.realm equal to the account realm is removed, another realm is kept', async () => {
    const same = await create({ name: uniqueName('Realm '), sip: { realm } });
    expect(same.sip.realm).toBeUndefined();
    const custom = await create({ name: uniqueName('Custom Realm '), sip: { realm: 'pbx.customer.example', username: uniqueName('cr'), password: 'secret1' } });
    expect(custom.sip.realm).toBe('pbx.customer.example');
  });

  it('4. combo/feature keys set to null are dropped', async () => {
    const device = await create({
      name: uniqueName('Keys '),
      provision: { combo_keys: { '1': null, '2': { type: 'line' } }, feature_keys: { '3': null } },
    });
    expect(device.provision.combo_keys).toEqual({ '2': { type: 'line' } });
    expect(device.provision.feature_keys).toEqual({});
  });
});

describe('mobile devices', () => {
  it('6. device_type "mobile" requires mobile.mdn, unique in the system, unchangeable', async () => {
    expectRule(await put({ name: uniqueName('Mobile '), device_type: 'mobile' }), 'mobile.mdn', 'required');
    const mdn = `415${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    const mobile = await create({ name: uniqueName('Mobile '), device_type: 'mobile', mobile: { mdn } });
    const duplicate = expectRule(await put({ name: uniqueName('Mobile Dup '), device_type: 'mobile', mobile: { mdn } }), 'mobile.mdn', 'unique');
    expect(duplicate.message).toBe('Mobile Device Number already exists in the system');
    const changed = await call(target, 'PATCH', accountPath(target, `/devices/${mobile.id}`), { token, data: { mobile: { mdn: '4155550000' } } });
    expect(expectRule(changed, 'mobile.mdn', 'invalid').message).toBe('Mobile Device Number cannot be changed');
  });
});

describe('uniqueness', () => {
  it('7. a MAC address in use is rejected whatever its format; a device keeps its own', async () => {
    const mac = randomMac();
    const first = await create({ name: uniqueName('Mac One '), mac_address: mac });
    const clash = expectRule(await put({ name: uniqueName('Mac Two '), mac_address: mac.toUpperCase() }), 'mac_address', 'unique');
    expect(clash).toMatchObject({ message: 'MAC address already in use', cause: mac.replace(/:/g, '') });
    const kept = await call(target, 'POST', accountPath(target, `/devices/${first.id}`), { token, data: { name: first.name, mac_address: mac } });
    expect(kept.status).toBe(200);
  });

  it('8. a SIP username in use in the account is rejected case-insensitively; a device keeps its own', async () => {
    const username = uniqueName('dup');
    const first = await create({ name: uniqueName('Sip One '), sip: { username, password: 'secret1' } });
    const clash = expectRule(await put({ name: uniqueName('Sip Two '), sip: { username: username.toUpperCase(), password: 'secret2' } }), 'sip.username', 'unique');
    expect(clash).toEqual({ message: 'SIP credentials already in use', cause: username.toUpperCase() });
    const kept = await call(target, 'PATCH', accountPath(target, `/devices/${first.id}`), { token, data: { sip: { password: 'secret3' } } });
    expect(kept.status).toBe(200);
    await create({ name: uniqueName('No Username ') });
    await create({ name: uniqueName('No Username ') });
  });

  it('9. sip.method "ip" needs a unique IPv4 sip.ip', async () => {
    const notIp = expectRule(await put({ name: uniqueName('Ip '), sip: { method: 'ip', ip: '300.1.2.3' } }), 'sip.ip', 'type');
    expect(notIp).toMatchObject({ message: 'Must be a valid IPv4 RFC 791', cause: '300.1.2.3' });
    expectRule(await put({ name: uniqueName('Ip '), sip: { method: 'ip' } }), 'sip.ip', 'type');
    const ip = randomIp();
    await create({ name: uniqueName('Ip One '), sip: { method: 'ip', ip, invite_format: 'e164' } });
    const clash = expectRule(await put({ name: uniqueName('Ip Two '), sip: { method: 'ip', ip } }), 'sip.ip', 'unique');
    expect(clash).toMatchObject({ message: 'SIP IP already in use', cause: ip });
  });

  it('9. any other sip.method is an enum error', async () => {
    const result = expectRule(await put({ name: uniqueName('Method '), sip: { method: 'token' } }), 'sip.method', 'enum');
    expect(result.target).toEqual(['password', 'ip']);
  });
});

describe('updates', () => {
  it('10. device_type cannot change on update, and POST without it counts as a change', async () => {
    const device = await create({ name: uniqueName('Typed '), device_type: 'sip_device' });
    const path = accountPath(target, `/devices/${device.id}`);
    const patched = await call(target, 'PATCH', path, { token, data: { device_type: 'softphone' } });
    expect(expectRule(patched, 'device_type', 'invalid')).toMatchObject({ message: 'Not authorized to change type of device', cause: 'softphone' });
    const replaced = await call(target, 'POST', path, { token, data: { name: device.name } });
    expect(expectRule(replaced, 'device_type', 'invalid').cause).toBe('');
  });
});

describe('11. JSON schema (devices.json of 4.3)', () => {
  it('name is required and 1..128 characters', async () => {
    expect(expectRule(await put({}), 'name', 'required')).toMatchObject({ message: 'Field is required but missing', value: 'name' });
    expectRule(await put({ name: 'x'.repeat(129) }), 'name', 'maxLength');
    expectRule(await put({ name: '' }), 'name', 'minLength');
  });

  it('sip.username 2..32, sip.password 5..32, owner_id exactly 32 characters', async () => {
    expect(expectRule(await put({ name: uniqueName('S '), sip: { username: 'a' } }), 'sip.username', 'minLength').message).toBe('String must be at least 2 characters');
    expectRule(await put({ name: uniqueName('S '), sip: { password: 'abcd' } }), 'sip.password', 'minLength');
    expectRule(await put({ name: uniqueName('S '), sip: { password: 'p'.repeat(33) } }), 'sip.password', 'maxLength');
    expectRule(await put({ name: uniqueName('S '), owner_id: 'short' }), 'owner_id', 'minLength');
  });

  it('owner_id is only checked for shape, not existence', async () => {
    await create({ name: uniqueName('Orphan '), owner_id: '0123456789abcdef0123456789abcdef' });
  });

  it('JavaScript-typed values are coerced before failing ("600" for an integer)', async () => {
    const device = await create({ name: uniqueName('Coerce '), sip: { expire_seconds: '600' } });
    expect(device.sip.expire_seconds).toBe(600);
  });

  it('custom and schema errors of one request are merged into one object', async () => {
    const username = uniqueName('merge');
    await create({ name: uniqueName('Merge '), sip: { username, password: 'secret1' } });
    const result = await put({ sip: { username, password: 'abc' } });
    expectRule(result, 'name', 'required');
    expectRule(result, 'sip.username', 'unique');
    expectRule(result, 'sip.password', 'minLength');
  });
});
