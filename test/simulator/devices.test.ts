// Contract: the device routes of §4.1 — CRUD, soft delete, revisions, sync, NOTIFY, presence, quickcall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, apiToken, call, describeSimulatorOnly, simOf, startTarget, uniqueName, type Target } from './helpers.js';

let target: Target;
let token: string;
const created: string[] = [];

beforeAll(async () => {
  target = await startTarget({ rateLimit: false });
  token = await apiToken(target);
});
afterAll(async () => {
  for (const id of created) await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
  await target.close();
});

async function createDevice(data: Record<string, unknown>): Promise<{ id: string; body: any }> { // any: JSON under test
  const result = await call(target, 'PUT', accountPath(target, '/devices'), { token, data });
  expect(result.status, result.text).toBe(201);
  created.push(result.body.data.id);
  return { id: result.body.data.id, body: result.body };
}

describe('list', () => {
  it('items are view summaries, not full documents', async () => {
    const result = await call(target, 'GET', accountPath(target, '/devices'), { token });
    expect(result.status).toBe(200);
    const allowed = ['id', 'name', 'username', 'mac_address', 'owner_id', 'enabled', 'device_type', 'mobile', 'call_recording', 'flags'];
    for (const item of result.body.data) {
      expect(Object.keys(item).every((key) => allowed.includes(key)), JSON.stringify(item)).toBe(true);
      expect(typeof item.mac_address).toBe('string');
      expect(typeof item.device_type).toBe('string');
      expect(Array.isArray(item.flags)).toBe(true);
    }
  });
});

describe('create, read, replace, patch, delete', () => {
  it('PUT creates with 4.3 schema defaults, adds id and hides private fields', async () => {
    const { body } = await createDevice({ name: uniqueName('New Device ') });
    expect(body.data).toMatchObject({
      enabled: true,
      exclude_from_queues: false,
      mwi_unsolicited_updates: true,
      register_overwrite_notify: false,
      suppress_unregister_notifications: false,
      call_restriction: {},
      contact_list: {},
      music_on_hold: {},
      ringtones: {},
      sip: { method: 'password', invite_format: 'contact', expire_seconds: 300 },
    });
    expect(body.data.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(body.data).some((key) => key.startsWith('pvt_') || key.startsWith('_'))).toBe(false);
    expect(body.revision).toMatch(/^1-[0-9a-f]{32}$/);
  });

  it('GET returns the document with its revision and an ETag', async () => {
    const { id, body } = await createDevice({ name: uniqueName('Fetch Me '), sip: { username: uniqueName('fetch'), password: 'secret1' } });
    const result = await call(target, 'GET', accountPath(target, `/devices/${id}`), { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual(body.data);
    expect(result.body.revision).toBe(body.revision);
    expect(result.headers.get('etag')).toBe(`"${body.revision}"`);
    expect(result.body.data.sip.password).toBe('secret1');
  });

  it('POST replaces the document: fields left out are gone, the revision moves on', async () => {
    const { id, body } = await createDevice({ name: uniqueName('Replace '), device_type: 'sip_device', presence_id: '2001', language: 'fr-fr' });
    const replaced = await call(target, 'POST', accountPath(target, `/devices/${id}`), {
      token,
      data: { name: 'Replaced Name', device_type: 'sip_device' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data.name).toBe('Replaced Name');
    expect(replaced.body.data.presence_id).toBeUndefined();
    expect(replaced.body.data.language).toBeUndefined();
    expect(replaced.body.data.id).toBe(id);
    expect(replaced.body.revision).toMatch(/^2-/);
    expect(replaced.body.revision).not.toBe(body.revision);
  });

  it('PATCH deep-merges and null deletes a key', async () => {
    const { id } = await createDevice({ name: uniqueName('Patch '), presence_id: '2002', caller_id: { internal: { name: 'A', number: '100' } } });
    const patched = await call(target, 'PATCH', accountPath(target, `/devices/${id}`), {
      token,
      data: { presence_id: null, caller_id: { internal: { name: 'B' } }, timezone: 'Europe/Paris' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data.presence_id).toBeUndefined();
    expect(patched.body.data.caller_id.internal).toEqual({ name: 'B', number: '100' });
    expect(patched.body.data.timezone).toBe('Europe/Paris');
    expect(patched.body.data.enabled).toBe(true);
  });

  it('last write wins: a stale _rev in the body is ignored', async () => {
    const { id } = await createDevice({ name: uniqueName('Race ') });
    await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { timezone: 'Asia/Tokyo' } });
    const stale = await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { _rev: '1-stale', language: 'de-de' } });
    expect(stale.status).toBe(200);
    expect(stale.body.revision).toMatch(/^3-/);
  });

  it('DELETE is a soft delete: 200 with the document, then 404 and gone from the listing', async () => {
    const name = uniqueName('Delete Me ');
    const { id } = await createDevice({ name });
    const deleted = await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id, name });
    const fetched = await call(target, 'GET', accountPath(target, `/devices/${id}`), { token });
    expect(fetched.status).toBe(404);
    expect(fetched.body.message).toBe('bad_identifier');
    const listed = await call(target, 'GET', accountPath(target, '/devices?paginate=false'), { token });
    expect(listed.body.data.map((item: { id: string }) => item.id)).not.toContain(id);
    const again = await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
    expect(again.status).toBe(404);
  });

  it('a deleted device frees its SIP username and MAC address', async () => {
    const username = uniqueName('reuse');
    const mac = `02:00:5e:${Math.floor(Math.random() * 90 + 10)}:${Math.floor(Math.random() * 90 + 10)}:${Math.floor(Math.random() * 90 + 10)}`;
    const { id } = await createDevice({ name: uniqueName('First '), mac_address: mac, sip: { username, password: 'secret1' } });
    await call(target, 'DELETE', accountPath(target, `/devices/${id}`), { token });
    await createDevice({ name: uniqueName('Second '), mac_address: mac, sip: { username, password: 'secret1' } });
  });

  it('the id of a user is not a device', async () => {
    const users = await call(target, 'GET', accountPath(target, '/users?page_size=1'), { token });
    const result = await call(target, 'GET', accountPath(target, `/devices/${users.body.data[0].id}`), { token });
    expect(result.status).toBe(404);
  });
});

describe('device actions', () => {
  it('POST /devices/{id}/sync answers "sync request sent"', async () => {
    const { id } = await createDevice({ name: uniqueName('Sync '), sip: { username: uniqueName('sync'), password: 'secret1' } });
    const result = await call(target, 'POST', accountPath(target, `/devices/${id}/sync`), { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toBe('sync request sent');
  });

  it('NOTIFY is a PUT on the device with {"data":{"action":"notify","data":{"event":...}}} answering 201', async () => {
    const { id } = await createDevice({ name: uniqueName('Notify '), sip: { username: uniqueName('notify'), password: 'secret1' } });
    const result = await call(target, 'PUT', accountPath(target, `/devices/${id}`), {
      token,
      data: { action: 'notify', data: { event: 'check-sync' } },
    });
    expect(result.status).toBe(201);
    expect(result.body.data).toBe('NOTIFY sent');
  });

  it('NOTIFY errors: missing action, unknown action, missing event, the documented top-level form', async () => {
    const { id } = await createDevice({ name: uniqueName('Notify Errors ') });
    const path = accountPath(target, `/devices/${id}`);
    const missing = await call(target, 'PUT', path, { token, data: { data: { event: 'check-sync' } } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ message: 'action required', data: {} });
    const unknown = await call(target, 'PUT', path, { token, data: { action: 'reboot', data: { event: 'check-sync' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('invalid action');
    const noEvent = await call(target, 'PUT', path, { token, data: { action: 'notify', data: {} } });
    expect(noEvent.status).toBe(400);
    expect(noEvent.body.message).toBe('validation error');
    expect(noEvent.body.data['data.event'].required).toBeDefined();
    const topLevel = await call(target, 'PUT', path, { token, raw: JSON.stringify({ action: 'notify', data: { event: 'check-sync' } }) });
    expect(topLevel.status).toBe(400);
    expect(topLevel.body.data.data.required).toBeDefined();
  });

  it('NOTIFY reads the action from the query string too', async () => {
    const { id } = await createDevice({ name: uniqueName('Notify Query ') });
    const result = await call(target, 'PUT', accountPath(target, `/devices/${id}?action=notify`), { token, data: { data: { event: 'check-sync' } } });
    expect(result.status).toBe(201);
  });

  it('POST /devices/{id}/presence resets or sets a valid state', async () => {
    const { id } = await createDevice({ name: uniqueName('Presence '), sip: { username: uniqueName('presence'), password: 'secret1' } });
    const path = accountPath(target, `/devices/${id}/presence`);
    expect((await call(target, 'POST', path, { token, data: { action: 'reset' } })).body.data).toBe('command sent');
    expect((await call(target, 'POST', path, { token, data: { action: 'set', state: 'confirmed' } })).body.data).toBe('command sent');
    const badState = await call(target, 'POST', path, { token, data: { action: 'set', state: 'busy' } });
    expect(badState.status).toBe(400);
    expect(badState.body.data.state.invalid).toBeDefined();
    const badAction = await call(target, 'POST', path, { token, data: { action: 'dance' } });
    expect(badAction.body.data.action.invalid).toBeDefined();
  });

  // cid-name/cid-number are URL-decoded once more after the query string (cb_quickcall get_cid_number/2): a '+' travels as %252B
  it('GET quickcall answers the originate request with the caller-id overrides', async () => {
    const { id } = await createDevice({ name: uniqueName('Quickcall '), sip: { username: uniqueName('qc'), password: 'secret1' } });
    const result = await call(target, 'GET', accountPath(target, `/devices/${id}/quickcall/(415) 555-0100?cid-name=Front%20Desk&cid-number=%252B14155550199&timeout=20&auto_answer=false`), { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toMatchObject({
      application_name: 'transfer',
      application_data: { route: '4155550100' },
      outbound_callee_id_name: 'Front Desk',
      outbound_callee_id_number: '+14155550199',
      outbound_caller_id_name: 'Device QuickCall',
      timeout: 20,
    });
    expect(result.body.data.endpoints).toHaveLength(1);
    expect(result.body.data.endpoints[0].custom_channel_vars.auto_answer).toBe(false);
    expect(result.body.data.endpoints[0].outbound_call_id).toMatch(/-quickcall$/);
  });

  it('quickcall timeouts of 3 s or less fall back to 30', async () => {
    const { id } = await createDevice({ name: uniqueName('Quickcall Timeout '), sip: { username: uniqueName('qt'), password: 'secret1' } });
    const result = await call(target, 'GET', accountPath(target, `/devices/${id}/quickcall/1000?timeout=3`), { token });
    expect(result.body.data.timeout).toBe(30);
  });

  it('quickcall on a disabled device is 500 unspecified_fault', async () => {
    const { id } = await createDevice({ name: uniqueName('Disabled '), enabled: false, sip: { username: uniqueName('off'), password: 'secret1' } });
    const result = await call(target, 'GET', accountPath(target, `/devices/${id}/quickcall/1000`), { token });
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ message: 'unspecified_fault', data: { message: 'unspecified fault' } });
  });
});

describeSimulatorOnly('side effects recorded by the simulator', () => {
  it('sync, NOTIFY, presence and quickcall each record exactly one notification', async () => {
    const sim = simOf(target);
    const { id } = await createDevice({ name: uniqueName('Effects '), sip: { username: uniqueName('fx'), password: 'secret1' } });
    sim.control.resetNotifications();
    await call(target, 'POST', accountPath(target, `/devices/${id}/sync`), { token });
    await call(target, 'PUT', accountPath(target, `/devices/${id}`), { token, data: { action: 'notify', data: { event: 'check-sync' } } });
    await call(target, 'POST', accountPath(target, `/devices/${id}/presence`), { token, data: { action: 'reset' } });
    await call(target, 'GET', accountPath(target, `/devices/${id}/quickcall/2000`), { token });
    expect(sim.control.notifications.map((n) => [n.kind, n.deviceId])).toEqual([
      ['sync', id],
      ['notify', id],
      ['presence', id],
      ['quickcall', id],
    ]);
    expect(sim.control.notifications[1]?.detail.event).toBe('check-sync');
  });

  it('"sync": true on POST/PATCH is stripped and recorded when the document changed', async () => {
    const sim = simOf(target);
    const { id } = await createDevice({ name: uniqueName('Sync Flag '), device_type: 'sip_device' });
    sim.control.resetNotifications();
    const patched = await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { sync: true, timezone: 'Europe/Berlin' } });
    expect(patched.body.data.sync).toBeUndefined();
    await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { sync: false, language: 'en-gb' } });
    expect(sim.control.notifications.filter((n) => n.kind === 'sync')).toHaveLength(1);
    const fetched = await call(target, 'GET', accountPath(target, `/devices/${id}`), { token });
    expect(fetched.body.data.sync).toBeUndefined();
  });

  it('the seed docs\' MyPolycom is listed with its MAC', async () => {
    const all = await call(target, 'GET', accountPath(target, '/devices?paginate=false&filter_name=MyPolycom'), { token });
    expect(all.body.data).toEqual([expect.objectContaining({ name: 'MyPolycom', mac_address: '00:04:f2:ab:7e:fd', device_type: 'sip_device', enabled: false })]);
  });

  it('GET /users/{id}/devices lists owned and hotdesked devices with `hotdesked`', async () => {
    const devices = await call(target, 'GET', accountPath(target, '/devices?paginate=false&has_key=hotdesk.users'), { token });
    const hotdeskedId = devices.body.data[0].id as string;
    const full = await call(target, 'GET', accountPath(target, `/devices/${hotdeskedId}`), { token });
    const [guest] = Object.keys(full.body.data.hotdesk.users);
    const owner = full.body.data.owner_id as string;
    const guestList = await call(target, 'GET', accountPath(target, `/users/${guest}/devices`), { token });
    expect(guestList.body.data).toContainEqual(expect.objectContaining({ id: hotdeskedId, hotdesked: true, owner_id: owner }));
    const ownerList = await call(target, 'GET', accountPath(target, `/users/${owner}/devices`), { token });
    expect(ownerList.body.data).toContainEqual(expect.objectContaining({ id: hotdeskedId, hotdesked: false }));
    for (const item of ownerList.body.data) expect(item.owner_id === owner || item.hotdesked).toBe(true);
  });

  it('If-Match with a stale revision answers a bare 412', async () => {
    const { id, body } = await createDevice({ name: uniqueName('If Match ') });
    await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { timezone: 'UTC' } });
    const stale = await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { language: 'fr-fr' }, headers: { 'if-match': `"${body.revision}"` } });
    expect(stale.status).toBe(412);
    const fresh = await call(target, 'GET', accountPath(target, `/devices/${id}`), { token });
    const ok = await call(target, 'PATCH', accountPath(target, `/devices/${id}`), { token, data: { language: 'fr-fr' }, headers: { 'if-match': `"${fresh.body.revision}"` } });
    expect(ok.status).toBe(200);
  });

  it('POST quickcall waits for the originate: 500 "quickcall initiation failed" when the phone is not registered', async () => {
    const { id } = await createDevice({ name: uniqueName('Blocking '), sip: { username: uniqueName('blk'), password: 'secret1' } });
    const path = accountPath(target, `/devices/${id}/quickcall/3000`);
    const failed = await call(target, 'POST', path, { token, data: {} });
    expect(failed.status).toBe(500);
    expect(failed.body.message).toBe('quickcall initiation failed');
    simOf(target).control.register(target.accountId, id);
    const answered = await call(target, 'POST', path, { token, data: {} });
    expect(answered.status).toBe(200);
    expect(answered.body.data.call_id).toMatch(/-quickcall$/);
  });
});
