// API v2 identity and partial failure, as a client's normalized cache and a dashboard meet them: every `id` is one
// object's global identity (refetchable with `node`), lists hang on an Account that defaults to the token's own, and
// one failed Kazoo call blanks only the fields that needed it, with one error naming the field.
import { isObjectType } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => {
  harness.simulator.control.setFault(null);
});
afterAll(() => harness.close());

interface Listed {
  id: string;
  kazooId: string;
  name: string;
}

async function firstDevices(count: number): Promise<Listed[]> {
  const result = await harness.graphql<{ devices: { nodes: Listed[] } }>(`{ devices(first: ${count}) { nodes { id kazooId name } } }`);
  expect(result.errors).toBeUndefined();
  return result.data?.devices.nodes ?? [];
}

describe('object identity', () => {
  it('only objects with an identity of their own have an `id` field, and every one is a Node', () => {
    const schema = buildGatewaySchema();
    const withId = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__') && 'id' in type.getFields())
      .map((type) => type.name)
      .sort();
    expect(withId).toEqual(['Account', 'Device', 'Registration', 'User']);
    for (const name of withId) {
      const type = schema.getType(name);
      expect(isObjectType(type) && type.getInterfaces().map((node) => node.name)).toEqual(['Node']);
    }
  });

  it('a device id is opaque and refetches the device with node(id:), without an account id', async () => {
    const [device] = await firstDevices(1);
    if (device === undefined) throw new Error('no device');
    expect(device.id).not.toContain(device.kazooId);
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ node: { __typename: string; kazooId: string; name: string } }>(
      'query($id: ID!) { node(id: $id) { __typename ... on Device { kazooId name } } }',
      { id: device.id },
    );
    expect(result.data?.node).toEqual({ __typename: 'Device', kazooId: device.kazooId, name: device.name });
    // One GET of the device, nothing else.
    expect(harness.simulator.control.requests.map((request) => request.path)).toEqual([
      `/v2/accounts/${harness.accountId}/devices/${device.kazooId}`,
    ]);
  });

  it('nodes(ids:) reads each object once, in the order asked, each failing or missing on its own', async () => {
    const devices = await firstDevices(3);
    const user = await harness.graphql<{ users: { nodes: { id: string; kazooId: string }[] } }>('{ users(first: 1) { nodes { id kazooId } } }');
    const userNode = user.data?.users.nodes[0];
    if (userNode === undefined) throw new Error('no user');
    const ids = [devices[2]?.id, userNode.id, 'not-an-id', devices[0]?.id];
    const result = await harness.graphql<{ nodes: ({ kazooId: string } | null)[] }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Device { kazooId } ... on User { kazooId } } }',
      { ids },
    );
    expect(result.data?.nodes).toEqual([{ kazooId: devices[2]?.kazooId }, { kazooId: userNode.kazooId }, null, { kazooId: devices[0]?.kazooId }]);
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['nodes', 2], 'BAD_USER_INPUT']]);
  });

  it('device(id:) takes the global id or the Kazoo id, and refuses an id of another type or account', async () => {
    const [device] = await firstDevices(1);
    if (device === undefined) throw new Error('no device');
    const query = 'query($id: ID!, $a: ID) { device(id: $id, accountId: $a) { id name } }';
    const byGlobal = await harness.graphql<{ device: { id: string } }>(query, { id: device.id });
    const byKazoo = await harness.graphql<{ device: { id: string } }>(query, { id: device.kazooId });
    expect(byGlobal.data?.device.id).toBe(device.id);
    expect(byKazoo.data?.device.id).toBe(device.id);
    const other = harness.simulator.control.createAccount({ name: 'elsewhere-co', devices: 1, users: 1 });
    harness.simulator.control.resetRequests();
    expect(errorCodes(await harness.graphql(query, { id: device.id, a: other.accountId }))).toEqual(['BAD_USER_INPUT']);
    const user = await harness.graphql<{ users: { nodes: { id: string }[] } }>('{ users(first: 1) { nodes { id } } }');
    expect(errorCodes(await harness.graphql(query, { id: user.data?.users.nodes[0]?.id }))).toEqual(['BAD_USER_INPUT']);
    expect(harness.simulator.control.requests.filter((request) => request.path.includes('/devices'))).toEqual([]);
  });

  it('every root list defaults to the token’s account, told by its token without asking Kazoo', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ devices: { nodes: unknown[] }; users: { nodes: unknown[] }; registrations: unknown[] }>(
      '{ devices(first: 2) { nodes { kazooId } } users(first: 2) { nodes { kazooId } } registrations { deviceId } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.devices.nodes).toHaveLength(2);
    expect(result.data?.users.nodes).toHaveLength(2);
    const paths = harness.simulator.control.requests.map((request) => request.path);
    expect(paths).not.toContain('/v2/token_auth');
    expect(paths.every((path) => path.startsWith(`/v2/accounts/${harness.accountId}/`))).toBe(true);
  });

  it('an Account hangs the lists and a registration summary counting what the listing and the registrar say', async () => {
    const result = await harness.graphql<{
      viewer: { account: { id: string; kazooId: string; name: string; devices: { nodes: unknown[] }; registrationSummary: Record<string, number> } };
    }>('{ viewer { account { id kazooId name devices(first: 1000) { nodes { kazooId } } registrationSummary { total registered unregistered disabled } } } }');
    expect(result.errors).toBeUndefined();
    const account = result.data?.viewer.account;
    expect(account?.kazooId).toBe(harness.accountId);
    expect(account?.name).toBe('demo');
    const listing = await harness.graphql<{ devices: { nodes: { kazooId: string; enabled: boolean }[] } }>(
      '{ devices(first: 1000) { nodes { kazooId enabled } } }',
    );
    const devices = listing.data?.devices.nodes ?? [];
    const registered = new Set(harness.simulator.control.registeredDeviceIds(harness.accountId));
    const enabled = devices.filter((device) => device.enabled);
    const registeredCount = enabled.filter((device) => registered.has(device.kazooId)).length;
    // Each device in exactly one state, disabled ones whatever their registration.
    expect(account?.registrationSummary).toEqual({
      total: devices.length,
      registered: registeredCount,
      unregistered: enabled.length - registeredCount,
      disabled: devices.length - enabled.length,
    });
    const byId = await harness.graphql<{ account: { name: string }; node: { name: string } }>(
      'query($id: ID!) { account(id: $id) { name } node(id: $id) { ... on Account { name } } }',
      { id: account?.id },
    );
    expect(byId.data).toEqual({ account: { name: 'demo' }, node: { name: 'demo' } });
  });

  it('a registration is one object per device: the device’s and the registration list’s have the same id', async () => {
    const result = await harness.graphql<{
      devices: { nodes: { kazooId: string; registration: { id: string; registered: boolean } }[] };
      registrations: { id: string; deviceId: string }[];
    }>('{ devices(first: 1000) { nodes { kazooId registration { id registered } } } registrations { id deviceId } }');
    const byDevice = new Map(result.data?.devices.nodes.map((node) => [node.kazooId, node.registration.id]));
    expect(result.data?.registrations.length).toBeGreaterThan(0);
    for (const registration of result.data?.registrations ?? []) expect(byDevice.get(registration.deviceId)).toBe(registration.id);
    // Every device has one, registered or not, with its own id.
    expect(new Set(byDevice.values()).size).toBe(byDevice.size);
  });

  it('renamed the template and hotdesk ids that were not identities', async () => {
    const result = await harness.graphql('{ devices(first: 1) { nodes { provision { templateId } } } users(first: 1) { nodes { hotdesk { hotdeskId } } } }');
    expect(result.errors).toBeUndefined();
    const old = await harness.graphql('{ devices(first: 1) { nodes { provision { id } } } }');
    expect(errorCodes(old)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('one failed Kazoo call blanks only the fields that need it', () => {
  it('with /registrations failing, the page and its siblings answer, with one error naming the field', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/registrations' } });
    const result = await harness.graphql<{ devices: { nodes: { name: string; registration: unknown }[] }; viewer: { accountName: string } }>(
      '{ devices(first: 5) { nodes { name registration { registered } owner { fullName } } } viewer { accountName } }',
    );
    expect(result.data?.viewer.accountName).toBe('demo');
    expect(result.data?.devices.nodes).toHaveLength(5);
    for (const node of result.data?.devices.nodes ?? []) {
      expect(node.name).toEqual(expect.any(String));
      expect(node.registration).toBeNull();
    }
    expect(result.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.occurrences])).toEqual([
      [['devices', 'nodes', 0, 'registration'], 'UPSTREAM_UNAVAILABLE', 5],
    ]);
  });

  it('with the users listing failing, devices keep every field but their owner', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/users' } });
    const result = await harness.graphql<{ devices: { nodes: { name: string; ownerId: string | null; owner: unknown }[] } }>(
      '{ devices(first: 20) { nodes { name ownerId owner { fullName } } } }',
    );
    const owned = result.data?.devices.nodes.filter((node) => node.ownerId !== null) ?? [];
    expect(owned.length).toBeGreaterThan(0);
    for (const node of owned) expect(node.owner).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.path?.slice(-1)).toEqual(['owner']);
  });

  it('with a user’s devices failing, the users still answer', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/devices' } });
    const result = await harness.graphql<{ users: { nodes: { firstName: string; devices: unknown }[] } }>(
      '{ users(first: 3) { nodes { firstName devices { hotdesked } } } }',
    );
    expect(result.data?.users.nodes).toHaveLength(3);
    for (const node of result.data?.users.nodes ?? []) expect(node.devices).toBeNull();
    expect(result.errors?.map((error) => [error.path, error.extensions?.occurrences])).toEqual([[['users', 'nodes', 0, 'devices'], 3]]);
  });

  it('a root field that fails is null alone', async () => {
    const other = harness.simulator.control.createAccount({ name: 'closed-co', devices: 1, users: 1 });
    const result = await harness.graphql<{ viewer: { accountName: string }; devices: unknown }>(
      'query($a: ID!) { viewer { accountName } devices(accountId: $a) { nodes { name } } }',
      { a: other.accountId },
    );
    expect(result.data).toEqual({ viewer: { accountName: 'demo' }, devices: null });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
  });

  // One document touching every route a read may need; a 503 on one route must blank only what needs that route.
  const EVERYTHING = `{
    viewer { accountId }
    devices(first: 3) { nodes { name registration { registered } ownerId owner { fullName } sip { username } } }
    users(first: 2) { nodes { firstName devices { hotdesked } } }
  }`;
  type Everything = {
    viewer: { accountId: string } | null;
    devices: { nodes: { name: string; registration: unknown; ownerId: string | null; owner: unknown; sip: unknown }[] } | null;
    users: { nodes: { firstName: string; devices: unknown }[] } | null;
  };
  it.each([
    ['the registrations', '/registrations', ['registration']],
    ['the device documents', '/devices/', ['sip']],
    ['a user’s devices', '/devices', ['devices', 'sip', 'devices-listing']],
    ['the users listing', '/users', ['owner', 'users']],
  ])('a 503 on %s blanks only the fields that need it', async (_name, route, blanked) => {
    const devicesListingFails = blanked.includes('devices-listing');
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: route } });
    const result = await harness.graphql<Everything>(EVERYTHING);
    const data = result.data;
    expect(data?.viewer?.accountId).toBe(harness.accountId);
    if (devicesListingFails) expect(data?.devices).toBeNull();
    else {
      for (const node of data?.devices?.nodes ?? []) {
        expect(node.name).toEqual(expect.any(String));
        expect(node.registration === null).toBe(blanked.includes('registration'));
        expect(node.sip === null).toBe(blanked.includes('sip'));
        if (node.ownerId !== null) expect(node.owner === null).toBe(blanked.includes('owner'));
      }
      expect(data?.devices?.nodes).toHaveLength(3);
    }
    if (blanked.includes('users')) expect(data?.users).toBeNull();
    else {
      expect(data?.users?.nodes).toHaveLength(2);
      for (const node of data?.users?.nodes ?? []) expect(node.devices === null).toBe(blanked.includes('devices'));
    }
    expect(result.errors?.every((error) => error.extensions?.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
  });
});
