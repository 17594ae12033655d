// Mutations against the simulator: every write, what reaches Kazoo, and that partial updates lose nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const DEVICE_FIELDS = `id name enabled deviceType ownerId macAddress
  sip { username password method inviteFormat expireSeconds customSipHeaders { in { name value } out { name value } both { name value } } }
  callerId { internal { name number } external { name number } }
  callForward { enabled number keepCallerId }
  callRestriction { classifier action }
  media { audio { codecs } video { codecs } bypassMedia encryption { enforceSecurity methods } }
  provision { endpointBrand endpointModel comboKeys { index type value label } }
  hotdesk { users { userId user { id } } }
  raw`;

interface DeviceResult {
  id: string;
  name: string;
  enabled: boolean;
  sip: {
    username: string | null;
    password: string | null;
    method: string | null;
    inviteFormat: string | null;
    expireSeconds: number | null;
    customSipHeaders: unknown;
  };
  media: { audio: { codecs: string[] | null } | null; bypassMedia: string | null } | null;
  callRestriction: { classifier: string; action: string }[] | null;
  provision: { comboKeys: { index: number; type: string; value: string | null; label: string | null }[] | null } | null;
  raw: Record<string, unknown>;
}

async function createDevice(input: Record<string, unknown>): Promise<DeviceResult> {
  const result = await harness.graphql<{ createDevice: DeviceResult }>(
    `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { ${DEVICE_FIELDS} } }`,
    { a: harness.accountId, input },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.createDevice as DeviceResult;
}

describe('device writes', () => {
  it('creates a device with typed settings and Kazoo defaults, writing Kazoo values', async () => {
    const device = await createDevice({
      name: 'Reception desk',
      deviceType: 'sip_device',
      sip: {
        username: 'reception01',
        password: 'secret-pass',
        inviteFormat: 'ONE_NPAN',
        customSipHeaders: { in: [{ name: 'X-Site', value: 'HQ' }], both: [{ name: 'X-Tenant', value: 'demo' }] },
      },
      media: { audio: { codecs: ['PCMU', 'CELT_AT_32000H'] }, bypassMedia: 'AUTO' },
      callRestriction: [{ classifier: 'international', action: 'DENY' }],
      provision: { endpointBrand: 'yealink', comboKeys: [{ index: 1, type: 'LINE', value: '1', label: 'Main' }] },
    });
    expect(device.id).toMatch(/^[0-9a-f]{32}$/);
    expect(device.enabled).toBe(true);
    expect(device.sip).toMatchObject({ username: 'reception01', method: 'PASSWORD', inviteFormat: 'ONE_NPAN', expireSeconds: 300 });
    expect(device.sip.customSipHeaders).toEqual({ in: [{ name: 'X-Site', value: 'HQ' }], out: null, both: [{ name: 'X-Tenant', value: 'demo' }] });
    expect(device.media?.audio?.codecs).toEqual(['PCMU', 'CELT_AT_32000H']);
    expect(device.media?.bypassMedia).toBe('AUTO');
    expect(device.callRestriction).toEqual([{ classifier: 'international', action: 'DENY' }]);
    expect(device.provision?.comboKeys).toEqual([{ index: 1, type: 'LINE', value: '1', label: 'Main' }]);

    const stored = (await crossbar<Record<string, unknown>>(harness, 'GET', `/accounts/${harness.accountId}/devices/${device.id}`)).body.data;
    expect(stored).toMatchObject({
      name: 'Reception desk',
      sip: {
        username: 'reception01',
        invite_format: '1npan',
        method: 'password',
        custom_sip_headers: { in: { 'X-Site': 'HQ' }, 'X-Tenant': 'demo' },
      },
      media: { audio: { codecs: ['PCMU', 'CELT@32000h'] }, bypass_media: 'auto' },
      call_restriction: { international: { action: 'deny' } },
      provision: { endpoint_brand: 'yealink', combo_keys: { '1': { type: 'line', value: { label: 'Main', value: '1' } } } },
    });
  });

  it('writes dial plans, formatters and metaflows in Kazoo shapes and reads them back typed', async () => {
    const result = await harness.graphql<{
      createDevice: {
        dialPlan: { system: string[]; rules: { regex: string; prefix: string }[] };
        formatters: { field: string; rules: { direction: string; regex: string }[] }[];
        metaflows: { bindingDigit: string; listenOn: string };
        raw: Record<string, unknown>;
      };
    }>(
      `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) {
          dialPlan { system rules { regex prefix } } formatters { field rules { direction regex } }
          metaflows { bindingDigit listenOn } raw } }`,
      {
        a: harness.accountId,
        input: {
          name: 'Shapes',
          dialPlan: { system: ['us'], rules: [{ regex: '^(\\d{7})$', prefix: '+1415' }] },
          formatters: [{ field: 'from', rules: [{ direction: 'INBOUND', regex: '^\\+1(\\d{10})$' }] }],
          metaflows: { bindingDigit: '#', listenOn: 'SELF' },
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const device = result.data?.createDevice;
    expect(device?.raw).toMatchObject({
      dial_plan: { system: ['us'], '^(\\d{7})$': { prefix: '+1415' } },
      formatters: { from: [{ direction: 'inbound', regex: '^\\+1(\\d{10})$' }] },
      metaflows: { binding_digit: '#', listen_on: 'self' },
    });
    expect(device?.dialPlan).toEqual({ system: ['us'], rules: [{ regex: '^(\\d{7})$', prefix: '+1415' }] });
    expect(device?.formatters).toEqual([{ field: 'from', rules: [{ direction: 'INBOUND', regex: '^\\+1(\\d{10})$' }] }]);
    expect(device?.metaflows).toEqual({ bindingDigit: '#', listenOn: 'SELF' });
  });

  it('updateDevice changes only what it names and keeps fields the schema does not model', async () => {
    const device = await createDevice({
      name: 'Partial',
      sip: { username: 'partial01', password: 'secret-pass' },
      callerId: { internal: { name: 'Front', number: '100' } },
      extra: { custom_app_setting: { nested: [1, 2, 3] }, language: 'fr-fr' },
    });
    const result = await harness.graphql<{ updateDevice: DeviceResult }>(
      `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { ${DEVICE_FIELDS} } }`,
      { a: harness.accountId, id: device.id, input: { name: 'Partial renamed', sip: { password: 'new-secret' } } },
    );
    expect(result.errors).toBeUndefined();
    const raw = result.data?.updateDevice.raw ?? {};
    expect(raw).toMatchObject({
      name: 'Partial renamed',
      sip: { username: 'partial01', password: 'new-secret' },
      caller_id: { internal: { name: 'Front', number: '100' } },
      custom_app_setting: { nested: [1, 2, 3] },
      language: 'fr-fr',
    });
    const patches = harness.simulator.control.requests.filter((request) => request.method === 'PATCH');
    expect(patches.at(-1)?.path).toBe(`/v2/accounts/${harness.accountId}/devices/${device.id}`);
  });

  it('updateDevice removes a field set to null, and extra can remove unmodelled ones', async () => {
    const device = await createDevice({ name: 'Nulls', language: 'de-de', extra: { custom_flag: true } });
    const result = await harness.graphql<{ updateDevice: DeviceResult }>(
      'mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { raw } }',
      { a: harness.accountId, id: device.id, input: { language: null, extra: { custom_flag: null } } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateDevice.raw).not.toHaveProperty('language');
    expect(result.data?.updateDevice.raw).not.toHaveProperty('custom_flag');
    expect(result.data?.updateDevice.raw).toMatchObject({ name: 'Nulls' });
  });

  it('replaceDevice writes the whole document, and sync asks Kazoo for a check-sync', async () => {
    const device = await createDevice({ name: 'Replace me', language: 'en-us', extra: { custom_thing: 1 } });
    const before = harness.simulator.control.notifications.length;
    const result = await harness.graphql<{ replaceDevice: DeviceResult }>(
      'mutation($a: ID!, $id: ID!, $input: DeviceInput!) { replaceDevice(accountId: $a, id: $id, input: $input, sync: true) { name raw } }',
      { a: harness.accountId, id: device.id, input: { name: 'Replaced' } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.replaceDevice.name).toBe('Replaced');
    expect(result.data?.replaceDevice.raw).not.toHaveProperty('language');
    expect(result.data?.replaceDevice.raw).not.toHaveProperty('custom_thing');
    expect(result.data?.replaceDevice.raw).not.toHaveProperty('sync');
    const sent = harness.simulator.control.notifications.slice(before);
    expect(sent.map((notification) => [notification.deviceId, notification.kind])).toEqual([[device.id, 'sync']]);
  });

  it("hotdesks users into a device, with Kazoo's empty settings when none are given", async () => {
    const device = await createDevice({ name: 'Shared desk', hotdesk: { users: [{ userId: harness.simulator.demo.userId }] } });
    expect(device.raw).toMatchObject({ hotdesk: { users: { [harness.simulator.demo.userId]: {} } } });
    const read = await harness.graphql<{ device: { hotdesk: { users: { userId: string; user: { id: string } | null }[] } } }>(
      'query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { hotdesk { users { userId user { id } } } } }',
      { a: harness.accountId, id: device.id },
    );
    expect(read.data?.device.hotdesk.users).toEqual([{ userId: harness.simulator.demo.userId, user: { id: harness.simulator.demo.userId } }]);
  });

  it('deleteDevice returns the deleted device, which is then gone', async () => {
    const device = await createDevice({ name: 'Doomed' });
    const result = await harness.graphql<{ deleteDevice: { id: string; name: string } }>(
      'mutation($a: ID!, $id: ID!) { deleteDevice(accountId: $a, id: $id) { id name } }',
      { a: harness.accountId, id: device.id },
    );
    expect(result.data?.deleteDevice).toEqual({ id: device.id, name: 'Doomed' });
    const after = await harness.graphql('query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { id } }', {
      a: harness.accountId,
      id: device.id,
    });
    expect(after.data).toEqual({ device: null });
  });

  it('syncDevice, notifyDevice and resetDevicePresence reach Kazoo once each, the way Kazoo expects', async () => {
    const device = await createDevice({ name: 'Actions', sip: { username: 'actions01', password: 'secret-pass' } });
    const before = harness.simulator.control.notifications.length;
    const result = await harness.graphql<{ syncDevice: boolean; notifyDevice: boolean; resetDevicePresence: boolean }>(
      `mutation($a: ID!, $id: ID!) {
        syncDevice(accountId: $a, id: $id)
        notifyDevice(accountId: $a, id: $id, event: "check-sync;reboot=true")
        resetDevicePresence(accountId: $a, id: $id) }`,
      { a: harness.accountId, id: device.id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ syncDevice: true, notifyDevice: true, resetDevicePresence: true });
    const sent = harness.simulator.control.notifications.slice(before);
    expect(sent.map((notification) => notification.kind)).toEqual(['sync', 'notify', 'presence']);
    expect(JSON.stringify(sent[1]?.detail)).toContain('check-sync;reboot=true');
    const notifyRequest = harness.simulator.control.requests.find((request) => request.method === 'PUT' && request.path.endsWith(device.id));
    expect(notifyRequest?.status).toBe(201);
  });

  it('quickcall places one call with the caller id given, after reading the device with the caller\'s token', async () => {
    const device = await createDevice({ name: 'Caller', sip: { username: 'caller01', password: 'secret-pass' } });
    const before = harness.simulator.control.notifications.length;
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ quickcall: { accepted: boolean; callId: string | null; number: string; device: { id: string; name: string } } }>(
      `mutation($a: ID!, $id: ID!) { quickcall(accountId: $a, deviceId: $id, number: "+14158867900",
          callerIdName: "Support & Sales", callerIdNumber: "+14155550100", autoAnswer: false) {
        accepted callId number device { id name } } }`,
      { a: harness.accountId, id: device.id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.quickcall).toMatchObject({ accepted: true, number: '+14158867900', device: { id: device.id, name: 'Caller' } });
    expect(result.data?.quickcall.callId).toMatch(/-quickcall$/);
    const calls = harness.simulator.control.notifications.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.kind).toBe('quickcall');
    expect(JSON.stringify(calls[0]?.detail)).toContain('Support & Sales');
    expect(JSON.stringify(calls[0]?.detail)).toContain('+14155550100');
    expect(harness.simulator.control.requests.map((request) => [request.method, request.path])).toEqual([
      ['GET', `/v2/accounts/${harness.accountId}/devices/${device.id}`],
      ['GET', `/v2/accounts/${harness.accountId}/devices/${device.id}/quickcall/%2B14158867900`],
    ]);
    expect(harness.simulator.control.requests.at(-1)?.query).toMatchObject({ auto_answer: 'false' });
  });

  describe('quickcall authorization', () => {
    let deviceId: string;
    beforeAll(async () => {
      deviceId = (await createDevice({ name: 'Target', sip: { username: 'target01', password: 'secret-pass' } })).id;
    });

    /** Kazoo's anonymous GET quickcall would ring the phone: the simulator's notifications are what it rang. */
    async function attempt(id: string, token: string | null | undefined): Promise<{ codes: unknown[]; calls: unknown[]; quickcalls: unknown[] }> {
      harness.simulator.control.resetRequests();
      const before = harness.simulator.control.notifications.length;
      const result = await harness.graphql(
        'mutation($a: ID!, $id: ID!) { quickcall(accountId: $a, deviceId: $id, number: "011442079460000", callerIdName: "Bank") { accepted callId } }',
        { a: harness.accountId, id },
        { token },
      );
      return {
        codes: errorCodes(result),
        calls: harness.simulator.control.notifications.slice(before),
        quickcalls: harness.simulator.control.requests.filter((request) => request.path.includes('/quickcall/')),
      };
    }

    it.each([
      ['a forged token', 'UNAUTHENTICATED', () => 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
      ['no token', 'UNAUTHENTICATED', () => null],
      ["another tenant's token", 'FORBIDDEN', () => harness.simulator.control.issueToken(harness.simulator.control.secondary.accountId)],
    ])('with %s answers %s and places no call', async (_case, code, token) => {
      expect(await attempt(deviceId, token())).toEqual({ codes: [code], calls: [], quickcalls: [] });
    });

    it('on a device Kazoo does not have answers NOT_FOUND and places no call', async () => {
      expect(await attempt('0123456789abcdef0123456789abcdef', undefined)).toEqual({ codes: ['NOT_FOUND'], calls: [], quickcalls: [] });
    });

    it("with the account's own token places the call", async () => {
      const { codes, calls } = await attempt(deviceId, undefined);
      expect(codes).toEqual([]);
      expect(calls).toHaveLength(1);
    });
  });

  it('quickcall on a disabled phone says Kazoo has nothing to call, and never trips the circuit breaker', async () => {
    const device = await createDevice({ name: 'Switched off', enabled: false, sip: { username: 'off01', password: 'secret-pass' } });
    // More attempts than the breaker's default threshold (10 failures).
    for (let attempt = 0; attempt < 12; attempt++) {
      const result = await harness.graphql(
        'mutation($a: ID!, $id: ID!) { quickcall(accountId: $a, deviceId: $id, number: "1000") { accepted } }',
        { a: harness.accountId, id: device.id },
      );
      expect(errorCodes(result)).toEqual(['UPSTREAM_REJECTED']);
      expect(result.errors?.[0]?.message).toMatch(/nothing to call for this device: it is disabled/);
      expect(result.errors?.[0]?.extensions?.upstreamStatus).toBe(500);
    }
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    expect((await harness.graphql('{ viewer { accountId } }')).errors).toBeUndefined();
  });

  it('reports Kazoo validation errors field by field, with the GraphQL input path', async () => {
    await createDevice({ name: 'Taken', sip: { username: 'taken01', password: 'secret-pass' } });
    const result = await harness.graphql(
      'mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { id } }',
      { a: harness.accountId, input: { sip: { username: 'TAKEN01', password: 'abc' } } },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    const fieldErrors = result.errors?.[0]?.extensions?.fieldErrors as { field: string; kazooField: string; rule: string }[];
    expect(fieldErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'input.name', kazooField: 'name', rule: 'required' }),
        expect.objectContaining({ field: 'input.sip.username', kazooField: 'sip.username', rule: 'unique' }),
        expect.objectContaining({ field: 'input.sip.password', kazooField: 'sip.password', rule: 'minLength' }),
      ]),
    );
  });
});

describe('user writes', () => {
  it('creates, partially updates, replaces and deletes a user without ever returning the password', async () => {
    const created = await harness.graphql<{ createUser: { id: string; username: string; fullName: string; privLevel: string } }>(
      `mutation($a: ID!, $input: UserInput!) { createUser(accountId: $a, input: $input) { id username fullName privLevel } }`,
      {
        a: harness.accountId,
        input: { firstName: 'Ada', lastName: 'Lovelace', username: 'Ada.Lovelace', password: 'analytical-1843', privLevel: 'ADMIN', extra: { custom_note: 'kept' } },
      },
    );
    expect(created.errors).toBeUndefined();
    const user = created.data?.createUser;
    expect(user).toMatchObject({ username: 'ada.lovelace', fullName: 'Ada Lovelace', privLevel: 'ADMIN' });

    const login = await harness.graphql<{ loginWithCredentials: { ownerId: string } }>(
      'mutation { loginWithCredentials(username: "ada.lovelace", password: "analytical-1843", accountName: "demo") { ownerId } }',
      {},
      { token: null },
    );
    expect(login.data?.loginWithCredentials.ownerId).toBe(user?.id);

    const updated = await harness.graphql<{ updateUser: { firstName: string; lastName: string; raw: Record<string, unknown> } }>(
      'mutation($a: ID!, $id: ID!) { updateUser(accountId: $a, id: $id, input: { firstName: "Augusta" }) { firstName lastName raw } }',
      { a: harness.accountId, id: user?.id },
    );
    expect(updated.data?.updateUser).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace' });
    expect(updated.data?.updateUser.raw).toMatchObject({ custom_note: 'kept' });
    expect(JSON.stringify(updated.data)).not.toContain('analytical-1843');

    const replaced = await harness.graphql<{ replaceUser: { raw: Record<string, unknown> } }>(
      'mutation($a: ID!, $id: ID!) { replaceUser(accountId: $a, id: $id, input: { firstName: "Ada", lastName: "King" }) { raw } }',
      { a: harness.accountId, id: user?.id },
    );
    expect(replaced.data?.replaceUser.raw).toMatchObject({ first_name: 'Ada', last_name: 'King' });
    expect(replaced.data?.replaceUser.raw).not.toHaveProperty('custom_note');

    const deleted = await harness.graphql<{ deleteUser: { id: string } }>(
      'mutation($a: ID!, $id: ID!) { deleteUser(accountId: $a, id: $id) { id } }',
      { a: harness.accountId, id: user?.id },
    );
    expect(deleted.data?.deleteUser.id).toBe(user?.id);
    const gone = await harness.graphql('query($a: ID!, $id: ID!) { user(accountId: $a, id: $id) { id } }', { a: harness.accountId, id: user?.id });
    expect(gone.data).toEqual({ user: null });
  });

  it('writes user profiles, including keys that are not snake_case', async () => {
    const result = await harness.graphql<{ createUser: { profile: { sortString: string; title: string }; raw: Record<string, unknown> } }>(
      `mutation($a: ID!) { createUser(accountId: $a, input: { firstName: "Grace", lastName: "Hopper",
          profile: { sortString: "Hopper", title: "Rear Admiral" }, voicemail: { notify: { callback: { attempts: 3, intervalS: 60 } } } })
        { profile { sortString title } raw } }`,
      { a: harness.accountId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createUser.profile).toEqual({ sortString: 'Hopper', title: 'Rear Admiral' });
    expect(result.data?.createUser.raw).toMatchObject({
      profile: { 'sort-string': 'Hopper', title: 'Rear Admiral' },
      voicemail: { notify: { callback: { attempts: 3, interval_s: 60 } } },
    });
  });

  it('refuses a user without names, naming the fields', async () => {
    const result = await harness.graphql('mutation($a: ID!) { createUser(accountId: $a, input: { email: "x@example.com" }) { id } }', {
      a: harness.accountId,
    });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    const fields = (result.errors?.[0]?.extensions?.fieldErrors as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['input.firstName', 'input.lastName']));
  });

  it('logs in with an API key and reports the token expiry', async () => {
    const result = await harness.graphql<{ loginWithApiKey: { token: string; expiresAt: string; accountId: string; accountName: string } }>(
      'mutation($k: String!) { loginWithApiKey(apiKey: $k) { token expiresAt accountId accountName } }',
      { k: harness.simulator.demo.apiKey },
      { token: null },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.loginWithApiKey.accountId).toBe(harness.accountId);
    const expiresIn = Date.parse(result.data?.loginWithApiKey.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(3_000_000);
    expect(expiresIn).toBeLessThanOrEqual(3_600_000);
  });

  it.each([
    ['loginWithApiKey', 'mutation { loginWithApiKey(apiKey: "too-short") { token } }', 'apiKey', 'api_key'],
    ['loginWithCredentials', 'mutation { loginWithCredentials(username: "admin", password: "kazoo-demo", accountName: "") { token } }', 'accountName', 'account_name'],
  ])('%s names the GraphQL argument Kazoo refused, not its Kazoo key', async (_mutation, query, argument, kazooField) => {
    const result = await harness.graphql(query, {}, { token: null });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.fieldErrors).toEqual([expect.objectContaining({ field: argument, kazooField })]);
  });

  it('refuses bad credentials as INVALID_CREDENTIALS, not as a token problem', async () => {
    const result = await harness.graphql(
      'mutation { loginWithCredentials(username: "admin", password: "wrong", accountName: "demo") { token } }',
      {},
      { token: null },
    );
    expect(errorCodes(result)).toEqual(['INVALID_CREDENTIALS']);
    expect(result.errors?.[0]?.message).toBe('Kazoo refused the login: wrong username, password or account name');
  });
});
