// Tokens, accounts and ids: nothing reaches another account, another token's data, or another Crossbar path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, kazooLogin, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

describe('authentication', () => {
  it('answers UNAUTHENTICATED without calling Kazoo when there is no token', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql('query($a: ID!) { devices(accountId: $a) { nodes { id } } }', { a: harness.accountId }, { token: null });
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('turns Kazoo 401 into UNAUTHENTICATED for a forged token', async () => {
    const result = await harness.graphql('{ viewer { accountId } }', {}, { token: 'not-a-kazoo-token' });
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('accepts the token as Authorization: Bearer, and as X-Auth-Token with or without Bearer, like WebSockets do', async () => {
    const ways: Record<string, string>[] = [{ authorization: `Bearer ${harness.token}` }, { 'x-auth-token': `Bearer ${harness.token}` }];
    for (const headers of ways) {
      const result = await harness.graphql('{ viewer { accountId } }', {}, { token: null, headers });
      expect(result.data).toEqual({ viewer: { accountId: harness.accountId } });
    }
    // Authorization carries a scheme: a bare token there is not taken for one (over HTTP and WebSocket alike).
    const bare = await harness.graphql('{ viewer { accountId } }', {}, { token: null, headers: { authorization: harness.token } });
    expect(errorCodes(bare)).toEqual(['UNAUTHENTICATED']);
  });

  it('turns a token of another account into FORBIDDEN', async () => {
    const other = harness.simulator.control.createAccount({ name: 'other-co', devices: 3, users: 2 });
    const result = await harness.graphql('query($a: ID!) { devices(accountId: $a) { nodes { id } } }', { a: other.accountId });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
  });

  it('never serves one token what was fetched with another, even in concurrent requests', async () => {
    const other = harness.simulator.control.createAccount({ name: 'isolated-co', devices: 5, users: 2 });
    const otherToken = await kazooLogin(harness.simulator.url, other.apiKey);
    const query = 'query($a: ID!) { devices(accountId: $a, first: 1000) { nodes { id name owner { fullName } } } }';
    const [mine, theirs, mineOnTheirs, theirsOnMine] = await Promise.all([
      harness.graphql(query, { a: harness.accountId }),
      harness.graphql(query, { a: other.accountId }, { token: otherToken }),
      harness.graphql(query, { a: other.accountId }),
      harness.graphql(query, { a: harness.accountId }, { token: otherToken }),
    ]);
    expect(mine.errors).toBeUndefined();
    expect(theirs.errors).toBeUndefined();
    expect(errorCodes(mineOnTheirs)).toEqual(['FORBIDDEN']);
    expect(errorCodes(theirsOnMine)).toEqual(['FORBIDDEN']);
    const ids = (result: typeof mine): string[] => ((result.data as { devices: { nodes: { id: string }[] } }).devices.nodes).map((node) => node.id);
    expect(ids(theirs)).toHaveLength(5);
    expect(ids(mine).some((id) => ids(theirs).includes(id))).toBe(false);
  });
});

describe('ids are checked before any upstream call', () => {
  const attempts = [
    '../users',
    '..%2Fusers',
    'abc',
    '0123456789abcdef0123456789abcdeg',
    '0123456789ABCDEF0123456789ABCDEF',
    '0123456789abcdef0123456789abcdef/../../users',
    '0123456789abcdef0123456789abcdef?paginate=false',
    '0123456789abcdef0123456789abcdef#x',
    '',
  ];

  it.each(attempts)('refuses device id %j (BAD_USER_INPUT, or a mutation\'s userError) and sends nothing to Kazoo', async (id) => {
    harness.simulator.control.resetRequests();
    const queries = await Promise.all([
      harness.graphql('query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { id } }', { a: harness.accountId, id }),
      harness.graphql('query($a: ID!, $id: ID!) { device(accountId: $id, id: $a) { id } }', { a: harness.accountId, id }),
      harness.graphql('query($id: ID!) { users(accountId: $id) { nodes { id } } }', { id }),
    ]);
    for (const result of queries) expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    const mutations = await Promise.all([
      harness.graphql('mutation($a: ID!, $id: ID!) { deleteDevice(accountId: $a, id: $id) { userErrors { field code } } }', { a: harness.accountId, id }),
      harness.graphql('mutation($a: ID!, $id: ID!) { syncDevice(accountId: $a, id: $id) { userErrors { field code } } }', { a: harness.accountId, id }),
    ]);
    for (const result of mutations) {
      expect(Object.values(result.data ?? {})).toEqual([{ userErrors: [{ field: ['id'], code: 'INVALID_FORMAT' }] }]);
    }
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it.each(['../../users', '1/../2', '..', '123?x=1', '1 2', '%2F', ''])(
    'refuses dialled number %j before anything is sent',
    async (number) => {
      const devices = await harness.graphql<{ devices: { nodes: { id: string }[] } }>(
        'query($a: ID!) { devices(accountId: $a, first: 1) { nodes { id } } }',
        { a: harness.accountId },
      );
      harness.simulator.control.resetRequests();
      const result = await harness.graphql('mutation($a: ID!, $id: ID!, $n: String!) { quickcallDevice(accountId: $a, id: $id, number: $n) { userErrors { field code } } }', {
        a: harness.accountId,
        id: devices.data?.devices.nodes[0]?.id,
        n: number,
      });
      expect(result.data).toEqual({ quickcallDevice: { userErrors: [{ field: ['number'], code: 'INVALID_FORMAT' }] } });
      expect(harness.simulator.control.requests).toHaveLength(0);
    },
  );

  it('refuses a forged cursor', async () => {
    const result = await harness.graphql('query($a: ID!) { devices(accountId: $a, after: "not-a-cursor") { nodes { id } } }', { a: harness.accountId });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});
