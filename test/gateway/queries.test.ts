// Queries against the simulator over real HTTP: what a frontend reads, and that it matches what Kazoo holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

interface DeviceNode {
  id: string;
  name: string;
  deviceType: string | null;
  enabled: boolean;
  ownerId: string | null;
  macAddress: string | null;
  registration: { registered: boolean; userAgent: string | null; contactIp: string | null };
  owner: { id: string; firstName: string | null; fullName: string | null } | null;
}

describe('viewer', () => {
  it('tells who the token belongs to', async () => {
    const result = await harness.graphql<{ viewer: { accountId: string; accountName: string; authMethod: string | null } }>(
      '{ viewer { accountId accountName authMethod } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer.accountId).toBe(harness.accountId);
    expect(result.data?.viewer.accountName).toBe('demo');
  });

  it('names the owner of a user-auth token', async () => {
    const login = await harness.graphql<{ loginWithCredentials: { accessToken: { token: string; ownerId: string } } }>(
      'mutation($u: String!, $p: String!, $a: String!) { loginWithCredentials(username: $u, password: $p, accountName: $a) { accessToken { token ownerId } } }',
      { u: harness.simulator.demo.username, p: harness.simulator.demo.password, a: harness.simulator.demo.accountName },
      { token: null },
    );
    const token = login.data?.loginWithCredentials.accessToken.token ?? '';
    const result = await harness.graphql<{ viewer: { ownerId: string; owner: { username: string } } }>(
      '{ viewer { ownerId owner { username } } }',
      {},
      { token },
    );
    expect(result.data?.viewer.ownerId).toBe(harness.simulator.demo.userId);
    expect(result.data?.viewer.owner.username).toBe(harness.simulator.demo.username);
  });
});

describe('devices', () => {
  it('lists the account devices with registration and owner, agreeing with Kazoo', async () => {
    const result = await harness.graphql<{ devices: { nodes: DeviceNode[] } }>(
      `query($a: ID!) { devices(accountId: $a, first: 1000) { nodes {
          id: kazooId name deviceType enabled ownerId macAddress
          registration { registered userAgent contactIp }
          owner { id: kazooId firstName fullName } } } }`,
      { a: harness.accountId },
    );
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.devices.nodes ?? [];
    const listing = await crossbar<{ id: string; name: string; owner_id?: string }[]>(
      harness,
      'GET',
      `/accounts/${harness.accountId}/devices?paginate=false`,
    );
    expect(nodes.map((node) => node.id)).toEqual(listing.body.data.map((row) => row.id));
    expect(nodes.map((node) => node.name)).toEqual(listing.body.data.map((row) => row.name));

    const registered = new Set(harness.simulator.control.registeredDeviceIds(harness.accountId));
    for (const node of nodes) {
      expect(node.registration.registered).toBe(registered.has(node.id));
      if (node.registration.registered && node.deviceType !== 'CELLPHONE') {
        expect(node.registration.userAgent).toEqual(expect.any(String));
      } else if (!node.registration.registered) {
        expect(node.registration.userAgent).toBeNull();
      }
      if (node.ownerId !== null) expect(node.owner?.id).toBe(node.ownerId);
    }
    expect(nodes.some((node) => node.owner?.fullName)).toBe(true);
    // One form whatever Kazoo holds: MyPolycom was stored with colons (before Kazoo cleansed MACs), the others bare.
    expect(nodes.find((node) => node.name === 'MyPolycom')?.macAddress).toBe('0004f2ab7efd');
    const macs = nodes.flatMap((node) => (node.macAddress === null ? [] : [node.macAddress]));
    expect(macs.length).toBeGreaterThan(10);
    for (const mac of macs) expect(mac).toMatch(/^[0-9a-f]{12}$/);
  });

  it('reads one device with its nested Kazoo settings in camelCase and the raw document', async () => {
    const listing = await crossbar<{ id: string; name: string }[]>(harness, 'GET', `/accounts/${harness.accountId}/devices?paginate=false`);
    const polycom = listing.body.data.find((row) => row.name === 'MyPolycom');
    expect(polycom).toBeDefined();
    interface KazooDoc {
      sip?: { username?: string; method?: string; expire_seconds?: number };
      mwi_unsolicited_updates?: boolean;
    }
    interface GraphQLDevice {
      raw: unknown;
      sip: { username: string | null; method: string | null; expireSeconds: number | null };
      mwiUnsolicitedUpdates: boolean | null;
    }
    const doc = (await crossbar<KazooDoc>(harness, 'GET', `/accounts/${harness.accountId}/devices/${polycom?.id}`)).body.data;
    const result = await harness.graphql<{ device: GraphQLDevice }>(
      `query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) {
          id name sip { username password method inviteFormat expireSeconds }
          musicOnHold { mediaId } ringtones { internal external } mwiUnsolicitedUpdates
          media { audio { codecs } encryption { enforceSecurity methods } }
          callRestriction { classifier action } provision { endpointBrand comboKeys { index type value } }
          raw } }`,
      { a: harness.accountId, id: polycom?.id },
    );
    expect(result.errors).toBeUndefined();
    const device = result.data?.device;
    expect(device?.raw).toEqual(doc);
    expect(device?.sip.username).toBe(doc.sip?.username ?? null);
    expect(device?.sip.method).toBe(doc.sip?.method === 'ip' ? 'IP' : 'PASSWORD');
    expect(device?.sip.expireSeconds).toBe(doc.sip?.expire_seconds ?? null);
    expect(device?.mwiUnsolicitedUpdates).toBe(doc.mwi_unsolicited_updates ?? null);
  });

  it('answers null for a device Kazoo does not have', async () => {
    const result = await harness.graphql('query($a: ID!) { device(accountId: $a, id: "0123456789abcdef0123456789abcdef") { id: kazooId } }', {
      a: harness.accountId,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ device: null });
  });

  it('filters by owner, type, enabled and registration state', async () => {
    const all = await harness.graphql<{ devices: { nodes: DeviceNode[] } }>(
      'query($a: ID!) { devices(accountId: $a, first: 1000) { nodes { id: kazooId deviceType enabled ownerId registration { registered } } } }',
      { a: harness.accountId },
    );
    const nodes = all.data?.devices.nodes ?? [];
    const ownerId = nodes.find((node) => node.ownerId !== null)?.ownerId;
    const cases: [Record<string, unknown>, (node: DeviceNode) => boolean][] = [
      [{ ownerId }, (node) => node.ownerId === ownerId],
      [{ deviceType: 'SOFTPHONE' }, (node) => node.deviceType === 'SOFTPHONE'],
      [{ enabled: true }, (node) => node.enabled],
      [{ registered: true }, (node) => node.registration.registered],
      [{ registered: false }, (node) => !node.registration.registered],
      [{ registered: true, deviceType: 'SIP_DEVICE' }, (node) => node.registration.registered && node.deviceType === 'SIP_DEVICE'],
    ];
    for (const [filter, expected] of cases) {
      const result = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(
        'query($a: ID!, $f: DeviceFilter) { devices(accountId: $a, first: 1000, filter: $f) { nodes { id: kazooId } } }',
        { a: harness.accountId, f: filter },
      );
      expect(result.errors, JSON.stringify(filter)).toBeUndefined();
      const wanted = nodes.filter(expected).map((node) => node.id);
      expect(wanted.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(result.data?.devices.nodes.map((node) => node.id), JSON.stringify(filter)).toEqual(wanted);
    }
  });
});

describe('users', () => {
  it('lists users and reads one with its devices, hotdesked ones included', async () => {
    const result = await harness.graphql<{
      users: { nodes: { id: string; username: string | null; devices: { hotdesked: boolean; device: { id: string; ownerId: string | null } }[] }[] };
    }>(
      'query($a: ID!) { users(accountId: $a, first: 50) { nodes { id: kazooId username devices { hotdesked device { id: kazooId ownerId } } } } }',
      { a: harness.accountId },
    );
    expect(result.errors).toBeUndefined();
    const users = result.data?.users.nodes ?? [];
    expect(users.length).toBeGreaterThanOrEqual(20);
    const hotdesker = users.find((user) => user.devices.some((link) => link.hotdesked));
    expect(hotdesker).toBeDefined();
    for (const link of hotdesker?.devices ?? []) {
      expect(link.hotdesked).toBe(link.device.ownerId !== hotdesker?.id);
    }
  });

  it('reads a user document without ever returning a password', async () => {
    const result = await harness.graphql<{ user: { id: string; firstName: string; raw: Record<string, unknown> } }>(
      'query($a: ID!, $id: ID!) { user(accountId: $a, id: $id) { id: kazooId firstName lastName privLevel enabled raw } }',
      { a: harness.accountId, id: harness.simulator.demo.userId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.user.id).toBe(harness.simulator.demo.userId);
    expect(JSON.stringify(result.data)).not.toContain(harness.simulator.demo.password);
    expect(Object.keys(result.data?.user.raw ?? {}).some((key) => key.startsWith('pvt_'))).toBe(false);
  });
});

describe('registrations', () => {
  it('lists exactly the registered devices, with contact details', async () => {
    const result = await harness.graphql<{
      registrations: {
        deviceId: string;
        registered: boolean;
        contact: string | null;
        registeredAt: string | null;
        expiresAt: string | null;
        device: { name: string } | null;
      }[];
    }>('query($a: ID!) { registrations(accountId: $a) { deviceId registered contact registeredAt expiresAt device { name } } }', {
      a: harness.accountId,
    });
    expect(result.errors).toBeUndefined();
    const rows = result.data?.registrations ?? [];
    const registered = harness.simulator.control.registeredDeviceIds(harness.accountId);
    expect(rows.map((row) => row.deviceId).sort()).toEqual([...registered].sort());
    for (const row of rows) {
      expect(row.registered).toBe(true);
      expect(row.contact).toMatch(/^<?sip:/);
      expect(new Date(row.registeredAt ?? '').getTime()).toBeGreaterThan(Date.parse('2020-01-01'));
      expect(Date.parse(row.expiresAt ?? '')).toBeGreaterThan(Date.parse(row.registeredAt ?? ''));
      expect(row.device?.name).toEqual(expect.any(String));
    }
  });

  it('says when a registration runs out, as an instant: the last REGISTER plus the period Kazoo granted', async () => {
    const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId);
    if (deviceId === undefined) throw new Error('the demo account has no registered device');
    // A phone that registered for an hour and will not refresh: Kazoo counts the seconds it has left down from 3600.
    harness.simulator.control.register(harness.accountId, deviceId, { expiresSeconds: 3600, refresh: false });
    const result = await harness.graphql<{ device: { registration: { registeredAt: string; expiresAt: string } } }>(
      'query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { registration { registeredAt expiresAt } } }',
      { a: harness.accountId, id: deviceId },
    );
    expect(result.errors).toBeUndefined();
    const { registeredAt, expiresAt } = result.data?.device.registration ?? { registeredAt: '', expiresAt: '' };
    // Kazoo counts whole seconds, on both sides of the subtraction.
    const period = Date.parse(expiresAt) - Date.parse(registeredAt);
    expect(period).toBeGreaterThanOrEqual(3600_000);
    expect(period).toBeLessThanOrEqual(3602_000);
    expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('refuses an account id that is not a Kazoo id', async () => {
    const result = await harness.graphql('{ registrations(accountId: "demo") { deviceId } }');
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});
