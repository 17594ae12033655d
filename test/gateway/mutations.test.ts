// Mutations against the simulator: every write, what reaches Kazoo, that partial updates lose nothing, and the payloads
// clients read: the changed object, the created object's edge, the deleted object's id, and userErrors for what the
// client can fix (Kazoo's validation errors located in the input down to list entries, unknown objects, refused
// logins), while token and Kazoo failures stay top-level errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/graphql/global-id.js';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const USER_ERRORS = 'userErrors { field code message }';

interface UserError {
  field: string[] | null;
  code: string;
  message: string;
}

const DEVICE_FIELDS = `kazooId name enabled deviceType ownerId macAddress
  sip { username password method inviteFormat expireSeconds customSipHeaders { in { name value } out { name value } both { name value } } }
  callerId { internal { name number } external { name number } }
  callForward { enabled number keepCallerId }
  callRestriction { classifier action }
  media { audio { codecs } video { codecs } bypassMedia encryption { enforceSecurity methods } }
  provision { endpointBrand endpointModel comboKeys { index type value label } }
  hotdesk { users { userId user { kazooId } } }
  raw`;

interface DeviceResult {
  kazooId: string;
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

/** A mutation's payload, checked to hold no userErrors and no top-level errors. */
function carriedOut<T>(result: GraphQLResult<Record<string, T & { userErrors: UserError[] }>>, mutation: string): T {
  expect(result.errors).toBeUndefined();
  const answer = result.data?.[mutation];
  expect(answer?.userErrors).toEqual([]);
  return answer as T;
}

async function createDevice(input: Record<string, unknown>): Promise<DeviceResult> {
  const result = await harness.graphql<{ createDevice: { device: DeviceResult; userErrors: UserError[] } }>(
    `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { device { ${DEVICE_FIELDS} } ${USER_ERRORS} } }`,
    { a: harness.accountId, input },
  );
  return carriedOut(result, 'createDevice').device;
}

describe('device writes', () => {
  it('creates a device with typed settings and Kazoo defaults, writing Kazoo values', async () => {
    const device = await createDevice({
      name: 'Reception desk',
      deviceType: 'SIP_DEVICE',
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
    expect(device.kazooId).toMatch(/^[0-9a-f]{32}$/);
    expect(device.enabled).toBe(true);
    expect(device.sip).toMatchObject({ username: 'reception01', method: 'PASSWORD', inviteFormat: 'ONE_NPAN', expireSeconds: 300 });
    expect(device.sip.customSipHeaders).toEqual({ in: [{ name: 'X-Site', value: 'HQ' }], out: null, both: [{ name: 'X-Tenant', value: 'demo' }] });
    expect(device.media?.audio?.codecs).toEqual(['PCMU', 'CELT_AT_32000H']);
    expect(device.media?.bypassMedia).toBe('AUTO');
    expect(device.callRestriction).toEqual([{ classifier: 'international', action: 'DENY' }]);
    expect(device.provision?.comboKeys).toEqual([{ index: 1, type: 'LINE', value: '1', label: 'Main' }]);

    const stored = (await crossbar<Record<string, unknown>>(harness, 'GET', `/accounts/${harness.accountId}/devices/${device.kazooId}`)).body.data;
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
    const device = await createDevice({
      name: 'Shapes',
      dialPlan: { system: ['us'], rules: [{ regex: '^(\\d{7})$', prefix: '+1415' }] },
      formatters: [{ field: 'from', rules: [{ direction: 'INBOUND', regex: '^\\+1(\\d{10})$' }] }],
      metaflows: { bindingDigit: '#', listenOn: 'SELF' },
    });
    expect(device.raw).toMatchObject({
      dial_plan: { system: ['us'], '^(\\d{7})$': { prefix: '+1415' } },
      formatters: { from: [{ direction: 'inbound', regex: '^\\+1(\\d{10})$' }] },
      metaflows: { binding_digit: '#', listen_on: 'self' },
    });
    const read = await harness.graphql<{
      device: {
        dialPlan: { system: string[]; rules: { regex: string; prefix: string }[] };
        formatters: { field: string; rules: { direction: string; regex: string }[] }[];
        metaflows: { bindingDigit: string; listenOn: string };
      };
    }>(
      `query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) {
          dialPlan { system rules { regex prefix } } formatters { field rules { direction regex } } metaflows { bindingDigit listenOn } } }`,
      { a: harness.accountId, id: device.kazooId },
    );
    expect(read.data?.device.dialPlan).toEqual({ system: ['us'], rules: [{ regex: '^(\\d{7})$', prefix: '+1415' }] });
    expect(read.data?.device.formatters).toEqual([{ field: 'from', rules: [{ direction: 'INBOUND', regex: '^\\+1(\\d{10})$' }] }]);
    expect(read.data?.device.metaflows).toEqual({ bindingDigit: '#', listenOn: 'SELF' });
  });

  it('updateDevice changes only what it names, keeps fields the schema does not model, and answers the device', async () => {
    const device = await createDevice({
      name: 'Partial',
      sip: { username: 'partial01', password: 'secret-pass' },
      callerId: { internal: { name: 'Front', number: '100' } },
      extra: { custom_app_setting: { nested: [1, 2, 3] }, language: 'fr-fr' },
    });
    const result = await harness.graphql<{ updateDevice: { device: DeviceResult; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { device { ${DEVICE_FIELDS} } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: device.kazooId, input: { name: 'Partial renamed', sip: { password: 'new-secret' } } },
    );
    const updated = carriedOut(result, 'updateDevice').device;
    expect(updated.kazooId).toBe(device.kazooId);
    expect(updated.raw).toMatchObject({
      name: 'Partial renamed',
      sip: { username: 'partial01', password: 'new-secret' },
      caller_id: { internal: { name: 'Front', number: '100' } },
      custom_app_setting: { nested: [1, 2, 3] },
      language: 'fr-fr',
    });
    const patches = harness.simulator.control.requests.filter((request) => request.method === 'PATCH');
    expect(patches.at(-1)?.path).toBe(`/v2/accounts/${harness.accountId}/devices/${device.kazooId}`);
  });

  it('updateDevice removes a field set to null, and extra can remove unmodelled ones', async () => {
    const device = await createDevice({ name: 'Nulls', language: 'de-de', extra: { custom_flag: true } });
    const result = await harness.graphql<{ updateDevice: { device: { raw: Record<string, unknown> }; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { device { raw } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: device.kazooId, input: { language: null, extra: { custom_flag: null } } },
    );
    const raw = carriedOut(result, 'updateDevice').device.raw;
    expect(raw).not.toHaveProperty('language');
    expect(raw).not.toHaveProperty('custom_flag');
    expect(raw).toMatchObject({ name: 'Nulls' });
  });

  it('replaceDevice writes the whole document, and sync asks Kazoo for a check-sync', async () => {
    const device = await createDevice({ name: 'Replace me', language: 'en-us', extra: { custom_thing: 1 } });
    const before = harness.simulator.control.notifications.length;
    const result = await harness.graphql<{ replaceDevice: { device: { name: string; raw: Record<string, unknown> }; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { replaceDevice(accountId: $a, id: $id, input: $input, sync: true) { device { name raw } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: device.kazooId, input: { name: 'Replaced' } },
    );
    const replaced = carriedOut(result, 'replaceDevice').device;
    expect(replaced.name).toBe('Replaced');
    expect(replaced.raw).not.toHaveProperty('language');
    expect(replaced.raw).not.toHaveProperty('custom_thing');
    expect(replaced.raw).not.toHaveProperty('sync');
    const sent = harness.simulator.control.notifications.slice(before);
    expect(sent.map((notification) => [notification.deviceId, notification.kind])).toEqual([[device.kazooId, 'sync']]);
  });

  it("hotdesks users into a device, with Kazoo's empty settings when none are given", async () => {
    const device = await createDevice({ name: 'Shared desk', hotdesk: { users: [{ userId: harness.simulator.demo.userId }] } });
    expect(device.raw).toMatchObject({ hotdesk: { users: { [harness.simulator.demo.userId]: {} } } });
    const read = await harness.graphql<{ device: { hotdesk: { users: { userId: string; user: { kazooId: string } | null }[] } } }>(
      'query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { hotdesk { users { userId user { kazooId } } } } }',
      { a: harness.accountId, id: device.kazooId },
    );
    expect(read.data?.device.hotdesk.users).toEqual([{ userId: harness.simulator.demo.userId, user: { kazooId: harness.simulator.demo.userId } }]);
  });

  it("deleteDevice answers the deleted device's id, and the device is gone", async () => {
    const device = await createDevice({ name: 'Doomed' });
    const result = await harness.graphql<{ deleteDevice: { deletedDeviceId: string; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!) { deleteDevice(accountId: $a, id: $id) { deletedDeviceId ${USER_ERRORS} } }`,
      { a: harness.accountId, id: device.kazooId },
    );
    expect(carriedOut(result, 'deleteDevice').deletedDeviceId).toBe(globalId('Device', harness.accountId, device.kazooId));
    const after = await harness.graphql('query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { kazooId } }', {
      a: harness.accountId,
      id: device.kazooId,
    });
    expect(after.data).toEqual({ device: null });
  });
});

describe("a created object's edge", () => {
  const cases = [
    {
      kind: 'device',
      create: (name: string) =>
        harness.graphql<{ createDevice: { deviceEdge: { cursor: string; node: { kazooId: string; name: string } } } }>(
          `mutation($a: ID!, $n: String!) { createDevice(accountId: $a, input: { name: $n }) { deviceEdge { cursor node { kazooId name } } } }`,
          { a: harness.accountId, n: name },
        ).then((result) => result.data?.createDevice.deviceEdge),
      list: (after: string | null) =>
        harness.graphql<{ devices: { nodes: { kazooId: string }[] } }>(
          'query($a: ID!, $after: String) { devices(accountId: $a, first: 1000, after: $after) { nodes { kazooId } } }',
          { a: harness.accountId, after },
        ).then((result) => result.data?.devices.nodes.map((node) => node.kazooId) ?? []),
    },
    {
      kind: 'user',
      create: (name: string) =>
        harness.graphql<{ createUser: { userEdge: { cursor: string; node: { kazooId: string; name: string } } } }>(
          `mutation($a: ID!, $n: String!) { createUser(accountId: $a, input: { firstName: $n, lastName: "Edge" }) { userEdge { cursor node { kazooId name: firstName } } } }`,
          { a: harness.accountId, n: name },
        ).then((result) => result.data?.createUser.userEdge),
      list: (after: string | null) =>
        harness.graphql<{ users: { nodes: { kazooId: string }[] } }>(
          'query($a: ID!, $after: String) { users(accountId: $a, first: 1000, after: $after) { nodes { kazooId } } }',
          { a: harness.accountId, after },
        ).then((result) => result.data?.users.nodes.map((node) => node.kazooId) ?? []),
    },
  ];

  it.each(cases)('of a new $kind continues the listing right after it', async ({ create, list }) => {
    // Three new objects: the one with the lowest id has at least the two others after it in the listing.
    const edges = [await create('Edge A'), await create('Edge B'), await create('Edge C')];
    const first = edges.sort((a, b) => ((a?.node.kazooId ?? '') < (b?.node.kazooId ?? '') ? -1 : 1))[0];
    expect(first?.node.name).toMatch(/^Edge [ABC]$/);
    const listing = await list(null);
    const position = listing.indexOf(first?.node.kazooId ?? '');
    expect(position).toBeGreaterThanOrEqual(0);
    const following = await list(first?.cursor ?? null);
    expect(following.length).toBeGreaterThanOrEqual(2);
    expect(following).toEqual(listing.slice(position + 1));
  });
});

describe('device actions', () => {
  const ACTIONS = `syncDevice(accountId: $a, id: $id) { device { kazooId } ${USER_ERRORS} }
    notifyDevice(accountId: $a, id: $id, event: "check-sync;reboot=true") { device { kazooId } ${USER_ERRORS} }
    resetDevicePresence(accountId: $a, id: $id) { device { kazooId } ${USER_ERRORS} }`;

  it('syncDevice, notifyDevice and resetDevicePresence reach Kazoo once each and answer the device, read no more', async () => {
    const device = await createDevice({ name: 'Actions', sip: { username: 'actions01', password: 'secret-pass' } });
    const before = harness.simulator.control.notifications.length;
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(`mutation($a: ID!, $id: ID!) { ${ACTIONS} }`, { a: harness.accountId, id: device.kazooId });
    expect(result.errors).toBeUndefined();
    const answered = { device: { kazooId: device.kazooId }, userErrors: [] };
    expect(result.data).toEqual({ syncDevice: answered, notifyDevice: answered, resetDevicePresence: answered });
    const sent = harness.simulator.control.notifications.slice(before);
    expect(sent.map((notification) => notification.kind)).toEqual(['sync', 'notify', 'presence']);
    expect(JSON.stringify(sent[1]?.detail)).toContain('check-sync;reboot=true');
    const path = `/v2/accounts/${harness.accountId}/devices/${device.kazooId}`;
    expect(harness.simulator.control.requests.map((request) => [request.method, request.path, request.status])).toEqual([
      ['POST', `${path}/sync`, 200],
      ['PUT', path, 201],
      ['POST', `${path}/presence`, 200],
    ]);
  });

  it("reads the device only when the client asks for more than its ids", async () => {
    const device = await createDevice({ name: 'Rebooted', sip: { username: 'rebooted01', password: 'secret-pass' } });
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ syncDevice: { device: { name: string; sip: { username: string } } } }>(
      'mutation($a: ID!, $id: ID!) { syncDevice(accountId: $a, id: $id) { device { name sip { username } } } }',
      { a: harness.accountId, id: device.kazooId },
    );
    expect(result.data?.syncDevice.device).toEqual({ name: 'Rebooted', sip: { username: 'rebooted01' } });
    expect(harness.simulator.control.requests.map((request) => request.method)).toEqual(['POST', 'GET']);
  });

  it('on a device Kazoo does not have answer a NOT_FOUND userError on `id`', async () => {
    const result = await harness.graphql(`mutation($a: ID!, $id: ID!) { ${ACTIONS} }`, { a: harness.accountId, id: '0123456789abcdef0123456789abcdef' });
    expect(result.errors).toBeUndefined();
    const notFound = {
      device: null,
      userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: '`id` names no device Kazoo has in this account' }],
    };
    expect(result.data).toEqual({ syncDevice: notFound, notifyDevice: notFound, resetDevicePresence: notFound });
  });
});

describe('quickcallDevice', () => {
  it("places one call with the caller id given, after reading the device with the caller's token", async () => {
    const device = await createDevice({ name: 'Caller', sip: { username: 'caller01', password: 'secret-pass' } });
    const before = harness.simulator.control.notifications.length;
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{
      quickcallDevice: { call: { accepted: boolean; callId: string | null; number: string; device: { kazooId: string; name: string } }; userErrors: UserError[] };
    }>(
      `mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "+14158867900",
          callerIdName: "Support & Sales", callerIdNumber: "+14155550100", autoAnswer: false) {
        call { accepted callId number device { kazooId name } } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: device.kazooId },
    );
    const call = carriedOut(result, 'quickcallDevice').call;
    expect(call).toMatchObject({ accepted: true, number: '+14158867900', device: { kazooId: device.kazooId, name: 'Caller' } });
    expect(call.callId).toMatch(/-quickcall$/);
    const calls = harness.simulator.control.notifications.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.kind).toBe('quickcall');
    expect(JSON.stringify(calls[0]?.detail)).toContain('Support & Sales');
    expect(JSON.stringify(calls[0]?.detail)).toContain('+14155550100');
    expect(harness.simulator.control.requests.map((request) => [request.method, request.path])).toEqual([
      ['GET', `/v2/accounts/${harness.accountId}/devices/${device.kazooId}`],
      ['GET', `/v2/accounts/${harness.accountId}/devices/${device.kazooId}/quickcall/%2B14158867900`],
    ]);
    expect(harness.simulator.control.requests.at(-1)?.query).toMatchObject({ auto_answer: 'false' });
  });

  describe('authorization', () => {
    let deviceId: string;
    beforeAll(async () => {
      deviceId = (await createDevice({ name: 'Target', sip: { username: 'target01', password: 'secret-pass' } })).kazooId;
    });

    /** Kazoo's anonymous GET quickcall would ring the phone: the simulator's notifications are what it rang. */
    async function attempt(id: string, token: string | null | undefined) {
      harness.simulator.control.resetRequests();
      const before = harness.simulator.control.notifications.length;
      const result = await harness.graphql<{ quickcallDevice: { call: unknown; userErrors: UserError[] } }>(
        `mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "011442079460000", callerIdName: "Bank") {
          call { accepted callId } userErrors { field code } } }`,
        { a: harness.accountId, id },
        { token },
      );
      return {
        codes: errorCodes(result),
        payload: result.data?.quickcallDevice ?? null,
        calls: harness.simulator.control.notifications.slice(before),
        quickcalls: harness.simulator.control.requests.filter((request) => request.path.includes('/quickcall/')),
      };
    }

    it.each([
      ['a forged token', 'UNAUTHENTICATED', () => 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
      ['no token', 'UNAUTHENTICATED', () => null],
      ["another tenant's token", 'FORBIDDEN', () => harness.simulator.control.issueToken(harness.simulator.control.secondary.accountId)],
    ])('with %s is the top-level error %s, and places no call', async (_case, code, token) => {
      expect(await attempt(deviceId, token())).toEqual({ codes: [code], payload: null, calls: [], quickcalls: [] });
    });

    it('on a device Kazoo does not have is a NOT_FOUND userError, and places no call', async () => {
      expect(await attempt('0123456789abcdef0123456789abcdef', undefined)).toEqual({
        codes: [],
        payload: { call: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] },
        calls: [],
        quickcalls: [],
      });
    });

    it("with the account's own token places the call", async () => {
      const { codes, calls, payload } = await attempt(deviceId, undefined);
      expect(codes).toEqual([]);
      expect(payload?.userErrors).toEqual([]);
      expect(calls).toHaveLength(1);
    });
  });

  it('on a disabled phone says Kazoo has nothing to call, and never trips the circuit breaker', async () => {
    const device = await createDevice({ name: 'Switched off', enabled: false, sip: { username: 'off01', password: 'secret-pass' } });
    // More attempts than the breaker's default threshold (10 failures).
    for (let attempt = 0; attempt < 12; attempt++) {
      const result = await harness.graphql(
        'mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "1000") { call { accepted } } }',
        { a: harness.accountId, id: device.kazooId },
      );
      expect(errorCodes(result)).toEqual(['UPSTREAM_REJECTED']);
      expect(result.errors?.[0]?.message).toMatch(/nothing to call for this device: it is disabled/);
      expect(result.errors?.[0]?.extensions?.upstreamStatus).toBe(500);
    }
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    expect((await harness.graphql('{ viewer { accountId } }')).errors).toBeUndefined();
  });
});

describe("Kazoo's validation errors are userErrors", () => {
  async function refusedCreate(input: Record<string, unknown>): Promise<{ device: unknown; userErrors: UserError[] }> {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ createDevice: { device: unknown; userErrors: UserError[] } }>(
      `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { device { kazooId } ${USER_ERRORS} } }`,
      { a: harness.accountId, input },
    );
    expect(result.errors).toBeUndefined();
    // Kazoo was asked, and refused.
    expect(harness.simulator.control.requests.map((request) => [request.method, request.status])).toEqual([['PUT', 400]]);
    return result.data?.createDevice ?? { device: undefined, userErrors: [] };
  }

  it('field by field, with the input path as a list, a code from the rule, and no device', async () => {
    await createDevice({ name: 'Taken', sip: { username: 'taken01', password: 'secret-pass' } });
    const refused = await refusedCreate({ sip: { username: 'TAKEN01', password: 'abc' } });
    expect(refused.device).toBeNull();
    expect(refused.userErrors).toEqual(
      expect.arrayContaining([
        { field: ['input', 'name'], code: 'REQUIRED', message: '`input.name` is required' },
        { field: ['input', 'sip', 'username'], code: 'NOT_UNIQUE', message: '`input.sip.username` is already in use' },
        { field: ['input', 'sip', 'password'], code: 'TOO_SHORT', message: '`input.sip.password` must be at least 5 characters long' },
      ]),
    );
    expect(refused.userErrors).toHaveLength(3);
  });

  it("name the entry of a keyed list by its position in the client's list, not by Kazoo's key", async () => {
    // Kazoo names the bad key `provision.combo_keys.3`: it is the second key the client sent.
    const refused = await refusedCreate({
      name: 'Keys',
      provision: {
        comboKeys: [
          { index: 1, type: 'LINE', value: '1' },
          { index: 3, type: 'PARKING', value: '99' },
        ],
      },
    });
    expect(refused.userErrors).toEqual([
      {
        field: ['input', 'provision', 'comboKeys', '1'],
        code: 'INVALID',
        message: "`input.provision.comboKeys.1` is invalid (Kazoo's rule not_one_schema_valid)",
      },
    ]);
  });

  it('name an unmodelled key given in extra by its path in extra', async () => {
    const refused = await refusedCreate({ name: 'Mobile', deviceType: 'MOBILE', extra: { mobile: { mdn: '' } } });
    expect(refused.userErrors).toEqual([{ field: ['input', 'extra', 'mobile', 'mdn'], code: 'REQUIRED', message: '`input.extra.mobile.mdn` is required' }]);
  });
});

describe('what stays a top-level error', () => {
  const UPDATE = `mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { name: "Hijacked" }) { device { kazooId } ${USER_ERRORS} } }`;

  it('a token Kazoo refuses, or one of another tenant, is a top-level error, and the payload is null', async () => {
    const device = await createDevice({ name: 'Guarded' });
    for (const [token, code] of [
      [harness.simulator.control.issueToken(harness.simulator.control.secondary.accountId), 'FORBIDDEN'],
      [null, 'UNAUTHENTICATED'],
    ] as const) {
      const result = await harness.graphql(UPDATE, { a: harness.accountId, id: device.kazooId }, { token });
      expect(errorCodes(result)).toEqual([code]);
      expect(result.errors?.[0]?.path).toEqual(['updateDevice']);
      expect(result.data).toEqual({ updateDevice: null });
    }
    const stored = (await crossbar<{ name: string }>(harness, 'GET', `/accounts/${harness.accountId}/devices/${device.kazooId}`)).body.data;
    expect(stored.name).toBe('Guarded');
  });

  it("fails only its own mutation: the document's other mutations run and answer", async () => {
    const device = await createDevice({ name: 'Neighbour' });
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ theirs: unknown; mine: { device: { name: string } } }>(
      `mutation($theirs: ID!, $a: ID!, $id: ID!) {
        theirs: createDevice(accountId: $theirs, input: { name: "Intruder" }) { device { kazooId } }
        mine: updateDevice(accountId: $a, id: $id, input: { name: "Neighbour renamed" }) { device { name } ${USER_ERRORS} } }`,
      { theirs: harness.simulator.control.secondary.accountId, a: harness.accountId, id: device.kazooId },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(result.errors?.[0]?.path).toEqual(['theirs']);
    expect(result.data).toEqual({ theirs: null, mine: { device: { name: 'Neighbour renamed' }, userErrors: [] } });
  });
});

describe('user writes', () => {
  it('creates, partially updates, replaces and deletes a user without ever returning the password', async () => {
    const created = await harness.graphql<{ createUser: { user: { kazooId: string; username: string; fullName: string; privLevel: string }; userErrors: UserError[] } }>(
      `mutation($a: ID!, $input: UserInput!) { createUser(accountId: $a, input: $input) { user { kazooId username fullName privLevel } ${USER_ERRORS} } }`,
      {
        a: harness.accountId,
        input: { firstName: 'Ada', lastName: 'Lovelace', username: 'Ada.Lovelace', password: 'analytical-1843', privLevel: 'ADMIN', extra: { custom_note: 'kept' } },
      },
    );
    const user = carriedOut(created, 'createUser').user;
    expect(user).toMatchObject({ username: 'ada.lovelace', fullName: 'Ada Lovelace', privLevel: 'ADMIN' });

    const login = await harness.graphql<{ loginWithCredentials: { accessToken: { ownerId: string }; userErrors: UserError[] } }>(
      `mutation { loginWithCredentials(username: "ada.lovelace", password: "analytical-1843", accountName: "demo") { accessToken { ownerId } ${USER_ERRORS} } }`,
      {},
      { token: null },
    );
    expect(carriedOut(login, 'loginWithCredentials').accessToken.ownerId).toBe(user.kazooId);

    const updated = await harness.graphql<{ updateUser: { user: { firstName: string; lastName: string; raw: Record<string, unknown> }; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!) { updateUser(accountId: $a, id: $id, input: { firstName: "Augusta" }) { user { firstName lastName raw } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: user.kazooId },
    );
    expect(carriedOut(updated, 'updateUser').user).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace', raw: { custom_note: 'kept' } });
    expect(JSON.stringify(updated.data)).not.toContain('analytical-1843');

    const replaced = await harness.graphql<{ replaceUser: { user: { raw: Record<string, unknown> }; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!) { replaceUser(accountId: $a, id: $id, input: { firstName: "Ada", lastName: "King" }) { user { raw } ${USER_ERRORS} } }`,
      { a: harness.accountId, id: user.kazooId },
    );
    const raw = carriedOut(replaced, 'replaceUser').user.raw;
    expect(raw).toMatchObject({ first_name: 'Ada', last_name: 'King' });
    expect(raw).not.toHaveProperty('custom_note');

    const deleted = await harness.graphql<{ deleteUser: { deletedUserId: string; userErrors: UserError[] } }>(
      `mutation($a: ID!, $id: ID!) { deleteUser(accountId: $a, id: $id) { deletedUserId ${USER_ERRORS} } }`,
      { a: harness.accountId, id: user.kazooId },
    );
    expect(carriedOut(deleted, 'deleteUser').deletedUserId).toBe(globalId('User', harness.accountId, user.kazooId));
    const gone = await harness.graphql('query($a: ID!, $id: ID!) { user(accountId: $a, id: $id) { kazooId } }', { a: harness.accountId, id: user.kazooId });
    expect(gone.data).toEqual({ user: null });
  });

  it('writes user profiles, including keys that are not snake_case', async () => {
    const result = await harness.graphql<{ createUser: { user: { profile: { sortString: string; title: string }; raw: Record<string, unknown> }; userErrors: UserError[] } }>(
      `mutation($a: ID!) { createUser(accountId: $a, input: { firstName: "Grace", lastName: "Hopper",
          profile: { sortString: "Hopper", title: "Rear Admiral" }, voicemail: { notify: { callback: { attempts: 3, intervalS: 60 } } } })
        { user { profile { sortString title } raw } ${USER_ERRORS} } }`,
      { a: harness.accountId },
    );
    const user = carriedOut(result, 'createUser').user;
    expect(user.profile).toEqual({ sortString: 'Hopper', title: 'Rear Admiral' });
    expect(user.raw).toMatchObject({
      profile: { 'sort-string': 'Hopper', title: 'Rear Admiral' },
      voicemail: { notify: { callback: { attempts: 3, interval_s: 60 } } },
    });
  });

  it('refuses a user without names, with a REQUIRED userError on each', async () => {
    const result = await harness.graphql<{ createUser: { user: unknown; userErrors: UserError[] } }>(
      `mutation($a: ID!) { createUser(accountId: $a, input: { email: "x@example.com" }) { user { kazooId } ${USER_ERRORS} } }`,
      { a: harness.accountId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createUser.user).toBeNull();
    expect(result.data?.createUser.userErrors.map(({ field, code }) => ({ field, code }))).toEqual(
      expect.arrayContaining([
        { field: ['input', 'firstName'], code: 'REQUIRED' },
        { field: ['input', 'lastName'], code: 'REQUIRED' },
      ]),
    );
  });
});

describe('logins', () => {
  it('with an API key answer the token and its expiry', async () => {
    const result = await harness.graphql<{
      loginWithApiKey: { accessToken: { token: string; expiresAt: string; accountId: string; accountName: string }; userErrors: UserError[] };
    }>(
      `mutation($k: String!) { loginWithApiKey(apiKey: $k) { accessToken { token expiresAt accountId accountName } ${USER_ERRORS} } }`,
      { k: harness.simulator.demo.apiKey },
      { token: null },
    );
    const accessToken = carriedOut(result, 'loginWithApiKey').accessToken;
    expect(accessToken.accountId).toBe(harness.accountId);
    const expiresIn = Date.parse(accessToken.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3_000_000);
    expect(expiresIn).toBeLessThanOrEqual(3_600_000);
  });

  it.each([
    ['loginWithApiKey', 'mutation { loginWithApiKey(apiKey: "too-short") { accessToken { token } userErrors { field code } } }', 'apiKey'],
    [
      'loginWithCredentials',
      'mutation { loginWithCredentials(username: "admin", password: "kazoo-demo", accountName: "") { accessToken { token } userErrors { field code } } }',
      'accountName',
    ],
  ])('%s names the GraphQL argument Kazoo refused, not its Kazoo key', async (mutation, query, argument) => {
    const result = await harness.graphql<Record<string, { accessToken: unknown; userErrors: { field: string[]; code: string }[] }>>(query, {}, { token: null });
    expect(result.errors).toBeUndefined();
    expect(result.data?.[mutation]?.accessToken).toBeNull();
    expect(result.data?.[mutation]?.userErrors).toEqual([{ field: [argument], code: expect.any(String) }]);
  });

  it('refused by Kazoo are an INVALID_CREDENTIALS userError, not a token error', async () => {
    const password = await harness.graphql<{ loginWithCredentials: { accessToken: unknown; userErrors: UserError[] } }>(
      `mutation { loginWithCredentials(username: "admin", password: "wrong", accountName: "demo") { accessToken { token } ${USER_ERRORS} } }`,
      {},
      { token: null },
    );
    expect(password.errors).toBeUndefined();
    expect(password.data?.loginWithCredentials).toEqual({
      accessToken: null,
      userErrors: [{ field: null, code: 'INVALID_CREDENTIALS', message: 'Kazoo refused the login: wrong username, password or account name' }],
    });
    const apiKey = await harness.graphql<{ loginWithApiKey: { accessToken: unknown; userErrors: UserError[] } }>(
      `mutation($k: String!) { loginWithApiKey(apiKey: $k) { accessToken { token } ${USER_ERRORS} } }`,
      { k: 'f'.repeat(64) },
      { token: null },
    );
    expect(apiKey.data?.loginWithApiKey).toEqual({
      accessToken: null,
      userErrors: [{ field: ['apiKey'], code: 'INVALID_CREDENTIALS', message: 'Kazoo refused the API key' }],
    });
  });
});
