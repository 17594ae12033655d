// Relay pagination over Kazoo's opaque start keys, to the end of the list, with and without filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, kazooLogin, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
let accountId: string;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  const account = harness.simulator.control.createAccount({ name: 'paged-co', devices: 123, users: 41, registeredRatio: 0.4 });
  accountId = account.accountId;
  token = await kazooLogin(harness.simulator.url, account.apiKey);
});
afterAll(() => harness.close());

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function walk(field: 'devices' | 'users', first: number, filter?: Record<string, unknown>): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const args = field === 'devices' ? '$a: ID!, $first: Int, $after: String, $f: DeviceFilter' : '$a: ID!, $first: Int, $after: String';
    const filterArg = field === 'devices' ? ', filter: $f' : '';
    const result = await harness.graphql<Record<string, Page>>(
      `query(${args}) { ${field}(accountId: $a, first: $first, after: $after${filterArg}) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      { a: accountId, first, after, f: filter },
      { token },
    );
    expect(result.errors).toBeUndefined();
    const page = result.data?.[field] as Page;
    pages.push(page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasNextPage) break;
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
    after = page.pageInfo.endCursor;
  }
  return pages;
}

async function kazooIds(path: string): Promise<string[]> {
  const response = await fetch(`${harness.simulator.url}/v2/accounts/${accountId}/${path}`, { headers: { 'x-auth-token': token } });
  return ((await response.json()) as { data: { id: string }[] }).data.map((row) => row.id);
}

describe('pagination', () => {
  it('walks every device in pages of 10, in Kazoo order, each exactly once', async () => {
    const pages = await walk('devices', 10);
    expect(pages.map((page) => page.length)).toEqual([...Array(12).fill(10), 3]);
    expect(pages.flat()).toEqual(await kazooIds('devices?paginate=false'));
  });

  it('costs one Kazoo listing call per page, each starting where the previous one ended', async () => {
    harness.simulator.control.resetRequests();
    const pages = await walk('devices', 25);
    const listings = harness.simulator.control.requests.filter((request) => request.path === `/v2/accounts/${accountId}/devices`);
    expect(listings).toHaveLength(pages.length);
    expect(listings.map((request) => request.query.page_size)).toEqual(pages.map(() => '25'));
    const startKeys = listings.map((request) => request.query.start_key);
    expect(new Set(startKeys).size).toBe(startKeys.length);
  });

  it('walks every user in one page when first covers them all', async () => {
    const pages = await walk('users', 41);
    expect(pages).toHaveLength(1);
    expect(pages.flat()).toEqual(await kazooIds('users?paginate=false'));
  });

  it('walks a gateway-side filter (registered) across Kazoo pages without losing or repeating a device', async () => {
    const pages = await walk('devices', 7, { registered: true });
    const registered = new Set(harness.simulator.control.registeredDeviceIds(accountId));
    const all = await kazooIds('devices?paginate=false');
    expect(pages.flat()).toEqual(all.filter((id) => registered.has(id)));
    expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
  });

  it('walks a Kazoo-side filter (enabled) across pages', async () => {
    const pages = await walk('devices', 9, { enabled: false });
    expect(pages.flat()).toEqual(await kazooIds('devices?paginate=false&filter_enabled=false'));
  });

  it('refuses first outside 1..1000', async () => {
    for (const first of [0, -1, 1001]) {
      const result = await harness.graphql('query($a: ID!, $first: Int) { devices(accountId: $a, first: $first) { nodes { id } } }', { a: accountId, first }, { token });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
