// Abuse limits: selections, depth, aliases, the cost budget in Crossbar calls, document size and batches. A refused
// operation is answered with HTTP 400 (over WebSocket, an error for that operation) and its own code before anything
// reaches Kazoo; the cost model is checked against the calls the gateway really makes.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatedCalls } from '../helpers/cost.js';
import { errorCodes, kazooLogin, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
let accountId: string;
let token: string;

beforeAll(async () => {
  harness = await startHarness({ gateway: { allowBatchedRequests: true, maxBatchSize: 3 } });
  const account = harness.simulator.control.createAccount({ name: 'cost-co', devices: 230, users: 60, registeredRatio: 0.5 });
  accountId = account.accountId;
  token = await kazooLogin(harness.simulator.url, account.apiKey);
});
afterAll(() => harness.close());

const DASHBOARD = `query Dashboard($a: ID!) { devices(accountId: $a, first: 200) {
  edges { node { id name registration { registered } owner { firstName lastName } } } } }`;

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${harness.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('refused before anything runs', () => {
  it('the dashboard query passes the default budget', async () => {
    const result = await harness.graphql(DASHBOARD, { a: accountId }, { token });
    expect(result.errors).toBeUndefined();
  });

  it('a query that would fan out into thousands of calls is QUERY_TOO_COSTLY, and Kazoo is not called', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(
      'query($a: ID!) { users(accountId: $a, first: 1000) { nodes { devices { device { raw } } } } }',
      { a: accountId },
      { token },
    );
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COSTLY']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ cost: 11_002, maxCost: 100 });
    expect(result.data).toBeUndefined();
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('the budget counts `first` given in variables', async () => {
    const query = 'query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { sip { username } } } }';
    const small = await harness.graphql(query, { a: accountId, n: 50 }, { token });
    expect(small.errors).toBeUndefined();
    const large = await harness.graphql(query, { a: accountId, n: 1000 }, { token });
    expect(errorCodes(large)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('a query nested deeper than allowed is QUERY_TOO_DEEP', async () => {
    harness.simulator.control.resetRequests();
    const deep = `query($a: ID!) { devices(accountId: $a, first: 1) { nodes { owner { devices { device { owner { devices {
      device { owner { devices { device { owner { id } } } } } } } } } } } } }`;
    const result = await harness.graphql(deep, { a: accountId }, { token });
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_DEEP']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ depth: 13, maxDepth: 12 });
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('more aliases than allowed is TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 31 }, (_, index) => `a${index}: __typename`).join(' ');
    const result = await harness.graphql(`{ ${aliases} }`, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['TOO_MANY_ALIASES']);
  });

  it('a document of more tokens than allowed is refused while parsing', async () => {
    const fields = Array.from({ length: 5_001 }, () => '__typename').join(' ');
    const result = await harness.graphql(`{ ${fields} }`, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('an operationName that names no operation is a request error: nothing runs, no limit is skipped', async () => {
    harness.simulator.control.resetRequests();
    // Refused at cost 3006 when named correctly; with a wrong name graphql-js would run the only operation unchecked.
    const costly = `query Big($a: ID!) { a: devices(accountId: $a, first: 1000) { nodes { sip { username } } }
      b: devices(accountId: $a, first: 1000) { nodes { sip { username } } } }`;
    for (const body of [
      { query: costly, variables: { a: accountId }, operationName: 'Nope' },
      { query: `mutation Sync($a: ID!, $d: ID!) { syncDevice(accountId: $a, id: $d) { userErrors { code } } }`, variables: { a: accountId, d: accountId }, operationName: 'Nope' },
    ]) {
      const { status, body: answer } = await post(body);
      expect(status).toBe(400);
      expect(answer).toMatchObject({ errors: [{ message: 'The document has no operation named "Nope"', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
    }
    // Over GET too, where a mutation must never run.
    const search = new URLSearchParams({ query: 'mutation Sync { syncDevice(accountId: "0", id: "0") { userErrors { code } } }', operationName: 'Nope' });
    const response = await fetch(`${harness.gateway.url}/graphql?${search}`, { headers: { 'x-auth-token': token, 'apollo-require-preflight': '1' } });
    expect(response.status).toBe(400);
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('a variable default counts as the value it gives: three pages of 1000 devices are QUERY_TOO_COSTLY', async () => {
    harness.simulator.control.resetRequests();
    const list = 'devices(accountId: $a, first: $f) { nodes { sip { username } } }';
    const result = await harness.graphql(`query Def($a: ID!, $f: Int = 1000) { a: ${list} b: ${list} c: ${list} }`, { a: accountId }, { token });
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COSTLY']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ cost: 3 * 1_002 });
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('aliases under introspection count: a wide anonymous __schema is TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 495 }, (_, index) => `t${index}: types { fields { name description } }`).join(' ');
    const result = await harness.graphql(`{ __schema { ${aliases} } }`, {}, { token: null });
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['TOO_MANY_ALIASES']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ aliases: 495, maxAliases: 30 });
  });

  it('the widest introspection the limits let through answers a bounded size (the review got 17 MB for 22 KB)', async () => {
    // As many aliases as allowed, each asking for every field and argument of every type with its description.
    const wide = Array.from({ length: 30 }, (_, index) => `t${index}: types { fields { name description args { name description } } }`);
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __schema { ${wide.join(' ')} } }` }),
    });
    expect(response.status).toBe(200);
    // About 1.4 MB today: 30 copies of the schema's fields. It grows with the schema, not with what a client sends.
    expect((await response.text()).length).toBeLessThan(3_000_000);
  });

  it('introspection, however deep its type references go, is not refused by the limits', async () => {
    // The full introspection query GraphiQL and codegen send, default values included.
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true });
    const result = await harness.graphql(query, {}, { token });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  });
});

describe('the cost model against the calls really made', () => {

  it.each([
    ['the dashboard', DASHBOARD, true],
    ['documents and owners', 'query($a: ID!) { devices(accountId: $a, first: 20) { nodes { sip { username } owner { email } } } }', true],
    ['users and their devices', 'query($a: ID!) { users(accountId: $a, first: 5) { nodes { fullName devices { device { name } } } } }', true],
    ['registrations with device names', 'query($a: ID!) { registrations(accountId: $a) { userAgent device { name } } }', true],
    ['registered devices only', 'query($a: ID!) { devices(accountId: $a, first: 5, filter: { registered: true }) { nodes { id } } }', false],
    ['enabled devices', 'query($a: ID!) { devices(accountId: $a, first: 50, filter: { enabled: true }) { nodes { id } } }', false],
    ['devices of an owner', 'query($a: ID!) { devices(accountId: $a, first: 1, filter: { ownerId: "00000000000000000000000000000000" }) { nodes { id } } }', false],
    ['registered softphones', 'query($a: ID!) { devices(accountId: $a, first: 3, filter: { deviceType: SOFTPHONE, registered: false }) { nodes { id } } }', false],
    ['devices of unknown types', 'query($a: ID!) { devices(accountId: $a, first: 3, filter: { deviceType: OTHER }) { nodes { id kazooDeviceType } } }', false],
    ['a device search', 'query($a: ID!) { devices(accountId: $a, first: 20, filter: { search: "desk" }) { nodes { name owner { fullName } } } }', false],
    ['a user search', 'query($a: ID!) { users(accountId: $a, first: 5, filter: { search: "an" }) { nodes { fullName email } } }', false],
    ['devices by name', 'query($a: ID!) { devices(accountId: $a, first: 20, orderBy: { field: NAME }) { nodes { name } } }', false],
    [
      'devices by owner, with owners and registrations',
      'query($a: ID!) { devices(accountId: $a, first: 50, orderBy: { field: OWNER, direction: DESC }) { nodes { name owner { fullName } registration { registered } } } }',
      false,
    ],
    [
      'searched devices by type, registered only',
      'query($a: ID!) { devices(accountId: $a, first: 5, orderBy: { field: DEVICE_TYPE }, filter: { search: "a", registered: true }) { nodes { id } } }',
      false,
    ],
    ['the viewer', '{ viewer { accountId authMethod } }', true],
  ])('%s: the estimate is not below the calls made', async (_name, query, exact) => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(query, { a: accountId }, { token });
    expect(result.errors).toBeUndefined();
    const made = harness.simulator.control.requests.length;
    const estimated = estimatedCalls(query, { a: accountId });
    if (exact) expect(estimated).toBe(made);
    else expect(estimated).toBeGreaterThanOrEqual(made);
  });

  describe('of mutations', () => {
    let deviceId: string;
    beforeAll(async () => {
      const created = await harness.graphql<{ createDevice: { device: { kazooId: string } } }>(
        'mutation($a: ID!) { createDevice(accountId: $a, input: { name: "Costed", sip: { username: "costed01", password: "secret-pass" } }) { device { kazooId } } }',
        { a: accountId },
        { token },
      );
      deviceId = created.data?.createDevice.device.kazooId ?? '';
    });

    it.each([
      ['an update answering the whole device', 'updateDevice(accountId: $a, id: $id, input: { language: "en-gb" }) { device { name sip { username } raw } }'],
      ['a new device and its edge', 'createDevice(accountId: $a, input: { name: "Costed edge" }) { deviceEdge { cursor node { name raw } } }'],
      ['a deletion', 'deleteDevice(accountId: $a, id: "00000000000000000000000000000000") { deletedDeviceId userErrors { code } }'],
      ['a sync answering the device by id', 'syncDevice(accountId: $a, id: $id) { device { id kazooId } }'],
      ['a sync answering more than ids', 'syncDevice(accountId: $a, id: $id) { device { name sip { username } } }'],
      ['a NOTIFY answering more than ids', 'notifyDevice(accountId: $a, id: $id, event: "check-sync") { device { name } }'],
      ['a presence reset answering the registration', 'resetDevicePresence(accountId: $a, id: $id) { device { kazooId registration { registered } } }'],
      ['a quickcall with its device', 'quickcallDevice(accountId: $a, id: $id, number: "1000") { call { callId device { name sip { username } } } }'],
    ])('%s: the estimate is the calls made', async (_name, field) => {
      const query = field.includes('$id') ? `mutation($a: ID!, $id: ID!) { ${field} }` : `mutation($a: ID!) { ${field} }`;
      const variables = field.includes('$id') ? { a: accountId, id: deviceId } : { a: accountId };
      harness.simulator.control.resetRequests();
      const result = await harness.graphql(query, variables, { token });
      expect(result.errors).toBeUndefined();
      expect(estimatedCalls(query, variables)).toBe(harness.simulator.control.requests.length);
    });
  });

  it('a filtered listing of 3000 devices reads 3 full pages, not 3000 pages of one row, and the estimate covers them', async () => {
    const large = harness.simulator.control.createAccount({ name: 'large-cost-co', devices: 3_000, users: 20, registeredRatio: 0.01 });
    const largeToken = await kazooLogin(harness.simulator.url, large.apiKey);
    const query = 'query($a: ID!) { devices(accountId: $a, first: 1, filter: { deviceType: TEAMMATE }) { nodes { id } } }';
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(query, { a: large.accountId }, { token: largeToken });
    expect(result.errors).toBeUndefined();
    const made = harness.simulator.control.requests.length;
    expect(made).toBe(3);
    expect(estimatedCalls(query, { a: large.accountId })).toBeGreaterThanOrEqual(made);
  });
});

describe('listing sizes, learned', () => {
  it('owners of an account of 2,500 users cost one listing page until the gateway has listed them, then the 3 read', async () => {
    const crowded = harness.simulator.control.createAccount({ name: 'crowded-co', devices: 20, users: 2_500 });
    const crowdedToken = await kazooLogin(harness.simulator.url, crowded.apiKey);
    const dashboard = async (): Promise<{ made: number; estimated: number | undefined }> => {
      harness.simulator.control.resetRequests();
      const result = await harness.graphql(DASHBOARD, { a: crowded.accountId }, { token: crowdedToken });
      expect(result.errors).toBeUndefined();
      const { extensions } = result as { extensions?: { cost?: { requestedQueryCost: number } } };
      return { made: harness.simulator.control.requests.length, estimated: extensions?.cost?.requestedQueryCost };
    };
    // The page, the registration list and the users listing: 3 pages of 1000.
    expect(await dashboard()).toEqual({ made: 5, estimated: 3 });
    expect(await dashboard()).toEqual({ made: 5, estimated: 5 });
  });
});

describe('batches', () => {
  const viewer = { query: '{ viewer { accountId } }' };

  it('runs a batch of operations within the maximum size', async () => {
    const { status, body } = await post([viewer, viewer]);
    expect(status).toBe(200);
    // Each answer reports its own operation's cost; the budget is the batch's, shared.
    const answer = { data: { viewer: { accountId } }, extensions: { cost: { requestedQueryCost: 1, maxQueryCost: 100 } } };
    expect(body).toEqual([answer, answer]);
  });

  it('refuses a batch larger than the maximum with BATCH_TOO_LARGE, before running any of it', async () => {
    harness.simulator.control.resetRequests();
    const { status, body } = await post([viewer, viewer, viewer, viewer]);
    expect(status).toBe(400);
    expect(body).toMatchObject({ errors: [{ extensions: { code: 'BATCH_TOO_LARGE' } }] });
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('the operations of a batch share one cost budget', async () => {
    const costly = {
      // 61 Kazoo calls each: one fits the default budget of 100, two do not.
      query: 'query($a: ID!) { devices(accountId: $a, first: 60) { nodes { sip { username } } } }',
      variables: { a: accountId },
    };
    const { body } = await post([costly, costly]);
    const codes = (body as { errors?: { extensions: { code: string } }[] }[]).map((result) => result.errors?.[0]?.extensions.code);
    expect(codes.sort()).toEqual(['QUERY_TOO_COSTLY', undefined]);
  });

  it('is refused by a gateway that does not accept batches (the default)', async () => {
    const plain = await startHarness();
    try {
      const response = await fetch(`${plain.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': plain.token },
        body: JSON.stringify([viewer]),
      });
      expect(response.status).toBe(400);
    } finally {
      await plain.close();
    }
  });
});
