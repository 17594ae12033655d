// `search` on devices (name, SIP username, MAC address without separators) and on users (names, username, email):
// the gateway filters Kazoo's listing rows itself, case aside, across Kazoo pages like any filtered listing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, kazooLogin, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

let harness: Harness;

interface Lister {
  account: string;
  token: string;
}
let demo: Lister;
let large: Lister;

interface DeviceRow {
  id: string;
  name: string;
  username?: string;
  mac_address?: string;
}

interface UserRow {
  id: string;
  first_name: string;
  last_name: string;
  username?: string;
  email?: string;
}

beforeAll(async () => {
  harness = await startHarness();
  demo = { account: harness.accountId, token: harness.token };
  const account = harness.simulator.control.createAccount({ name: 'searched-co', devices: 2_500, users: 60, registeredRatio: 0.3 });
  large = { account: account.accountId, token: await kazooLogin(harness.simulator.url, account.apiKey) };
});
afterAll(() => harness.close());

async function listing<T>(lister: Lister, path: string): Promise<T[]> {
  const response = await fetch(`${harness.simulator.url}/v2/accounts/${lister.account}/${path}?paginate=false`, {
    headers: { 'x-auth-token': lister.token },
  });
  return ((await response.json()) as { data: T[] }).data;
}

interface SearchPage {
  nodes: { kazooId: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Follows endCursor to the end: the Kazoo ids found, and the page sizes of the listing calls each page made. */
async function search(
  lister: Lister,
  field: 'devices' | 'users',
  text: string,
  first = 1000,
): Promise<{ ids: string[]; pageSizes: string[][] }> {
  const filterType = field === 'devices' ? 'DeviceFilter' : 'UserFilter';
  const ids: string[] = [];
  const pageSizes: string[][] = [];
  let after: string | null = null;
  for (;;) {
    harness.simulator.control.resetRequests();
    const result: GraphQLResult<Record<string, SearchPage>> = await harness.graphql<Record<string, SearchPage>>(
      `query($a: ID!, $first: Int, $after: String, $f: ${filterType}) {
        ${field}(accountId: $a, first: $first, after: $after, filter: $f) { nodes { kazooId } pageInfo { hasNextPage endCursor } } }`,
      { a: lister.account, first, after, f: { search: text } },
      { token: lister.token },
    );
    expect(result.errors).toBeUndefined();
    const page: SearchPage | undefined = result.data?.[field];
    ids.push(...(page?.nodes.map((node) => node.kazooId) ?? []));
    pageSizes.push(
      harness.simulator.control.requests
        .filter((request) => request.path === `/v2/accounts/${lister.account}/${field}`)
        .map((request) => request.query.page_size ?? ''),
    );
    if (page?.pageInfo.hasNextPage !== true) return { ids, pageSizes };
    after = page.pageInfo.endCursor;
  }
}

const holds = (value: string | undefined, text: string): boolean => (value ?? '').toLowerCase().includes(text.toLowerCase());
const withoutSeparators = (mac: string | undefined): string => (mac ?? '').replace(/[:.\-\s]/g, '').toLowerCase();

describe('device search', () => {
  it('finds names holding the text, case aside, across Kazoo pages', async () => {
    const rows = await listing<DeviceRow>(large, 'devices');
    const found = await search(large, 'devices', 'ROOM 1', 7);
    const expected = rows.filter((row) => holds(row.name, 'room 1')).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(20);
    expect(found.ids).toEqual(expected);
    // Kazoo is asked for full pages: the gateway cannot know how many rows of a page will match.
    expect(new Set(found.pageSizes.flat())).toEqual(new Set(['1000']));
  });

  it('finds a SIP username from part of it', async () => {
    const rows = await listing<DeviceRow>(large, 'devices');
    const username = rows.find((row) => typeof row.username === 'string')?.username ?? '';
    const part = username.slice(2, 9).toUpperCase();
    const { ids } = await search(large, 'devices', part);
    const matches = (row: DeviceRow) =>
      holds(row.name, part) || holds(row.username, part) || withoutSeparators(row.mac_address).includes(withoutSeparators(part));
    expect(ids).toEqual(rows.filter(matches).map((row) => row.id));
    expect(ids).toContain(rows.find((row) => row.username === username)?.id);
  });

  it('finds MAC addresses whatever separators the text or Kazoo use', async () => {
    const rows = await listing<DeviceRow>(demo, 'devices');
    // MyPolycom was stored before Kazoo cleansed MACs (`00:04:f2:ab:7e:fd`); the generated phones are cleansed.
    const myPolycom = rows.find((row) => row.name === 'MyPolycom');
    expect(myPolycom?.mac_address).toBe('00:04:f2:ab:7e:fd');
    const polycoms = rows.filter((row) => withoutSeparators(row.mac_address).includes('0004f2')).map((row) => row.id);
    expect(polycoms.length).toBeGreaterThan(1);
    for (const text of ['00:04:F2', '00-04-f2', '0004f2', ' 0004.F2 ']) {
      expect((await search(demo, 'devices', text)).ids, text).toEqual(polycoms);
    }
    expect((await search(demo, 'devices', 'ab7efd')).ids).toEqual([myPolycom?.id]);
    expect((await search(demo, 'devices', 'AB:7E:FD')).ids).toEqual([myPolycom?.id]);
  });

  it('combines with the other filters', async () => {
    const result = await harness.graphql<{ devices: { nodes: { kazooId: string; name: string; enabled: boolean }[] } }>(
      'query($a: ID!) { devices(accountId: $a, first: 100, filter: { search: "phone", enabled: false }) { nodes { kazooId name enabled } } }',
      { a: demo.account },
    );
    expect(result.errors).toBeUndefined();
    const rows = await listing<DeviceRow & { enabled?: boolean }>(demo, 'devices');
    expect(result.data?.devices.nodes.map((node) => node.kazooId)).toEqual(
      rows.filter((row) => row.enabled === false && holds(row.name, 'phone')).map((row) => row.id),
    );
    expect(result.data?.devices.nodes.length).toBeGreaterThan(0);
  });

  it('takes an empty text as no search: the plain listing, one exact Kazoo page', async () => {
    for (const text of ['', '   ']) {
      const found = await search(demo, 'devices', text, 40);
      expect(found.pageSizes.length).toBeGreaterThan(1);
      expect(found.pageSizes.every((sizes) => sizes.length === 1 && sizes[0] === '40')).toBe(true);
    }
  });

  it('refuses a text longer than any name Kazoo stores, before calling Kazoo', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql('query($a: ID!, $f: DeviceFilter) { devices(accountId: $a, filter: $f) { nodes { id } } }', {
      a: demo.account,
      f: { search: 'x'.repeat(257) },
    });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(harness.simulator.control.requests).toHaveLength(0);
  });
});

describe('user search', () => {
  it('finds users by first name, last name, the two together, username and email, case aside', async () => {
    const rows = await listing<UserRow>(large, 'users');
    const someone = rows.find((row) => row.first_name !== 'Account') as UserRow;
    const full = `${someone.first_name} ${someone.last_name}`;
    const texts = [
      someone.first_name.toUpperCase(),
      someone.last_name.slice(1).toLowerCase(),
      full.slice(2, full.length - 2),
      (someone.username ?? '').slice(0, 6),
      'EXAMPLE.COM',
    ];
    for (const text of texts) {
      const expected = rows
        .filter((row) => holds(`${row.first_name} ${row.last_name}`, text) || holds(row.username, text) || holds(row.email, text))
        .map((row) => row.id);
      expect(expected, text).toContain(someone.id);
      expect((await search(large, 'users', text, 5)).ids, text).toEqual(expected);
    }
  });
});
