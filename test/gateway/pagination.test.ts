// Relay pagination over Kazoo's opaque start keys, to the end of the list, with and without filters, the page info
// of every page, and the bound on what one filtered page may read on a large account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTING_PAGES } from '../../src/graphql/pagination.js';
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
  edges: { cursor: string; node: { kazooId: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Which account to list, with whose token (default: paged-co's). */
interface Lister {
  account: string;
  token: string;
}

async function walk(field: 'devices' | 'users', first: number, filter?: Record<string, unknown>): Promise<string[][]> {
  return (await walkCounting(field, first, filter)).map((page) => page.ids);
}

/** Follows endCursor to the end: the ids of each page, and the query of each Kazoo listing call it made. */
async function walkCounting(
  field: 'devices' | 'users',
  first: number,
  filter?: Record<string, unknown>,
  lister: Lister = { account: accountId, token },
): Promise<{ ids: string[]; listings: Record<string, string>[] }[]> {
  const pages: { ids: string[]; listings: Record<string, string>[] }[] = [];
  let after: string | null = null;
  for (;;) {
    harness.simulator.control.resetRequests();
    const args = field === 'devices' ? '$a: ID!, $first: Int, $after: String, $f: DeviceFilter' : '$a: ID!, $first: Int, $after: String';
    const filterArg = field === 'devices' ? ', filter: $f' : '';
    const result = await harness.graphql<Record<string, Page>>(
      `query(${args}) { ${field}(accountId: $a, first: $first, after: $after${filterArg}) {
        edges { cursor node { kazooId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      { a: lister.account, first, after, f: filter },
      { token: lister.token },
    );
    expect(result.errors).toBeUndefined();
    const page = result.data?.[field] as Page;
    const listings = harness.simulator.control.requests.filter((request) => request.path === `/v2/accounts/${lister.account}/${field}`);
    pages.push({ ids: page.edges.map((edge) => edge.node.kazooId), listings: listings.map((request) => request.query) });
    // Forward only: rows come before every page but the first. A page starts at its first edge.
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) break;
    // A page that promises more is not empty, unless it stopped at the bound.
    if (listings.length < MAX_LISTING_PAGES) expect(page.edges.length).toBeGreaterThan(0);
    // A full page ends at its last edge; one that stopped at the bound, where the reading stopped.
    if (page.edges.length === first && listings.length < MAX_LISTING_PAGES) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
    after = page.pageInfo.endCursor;
  }
  return pages;
}

async function kazooIds(path: string, lister: Lister = { account: accountId, token }): Promise<string[]> {
  const response = await fetch(`${harness.simulator.url}/v2/accounts/${lister.account}/${path}`, { headers: { 'x-auth-token': lister.token } });
  return ((await response.json()) as { data: { id: string }[] }).data.map((row) => row.id);
}

describe('pagination', () => {
  it('walks every device in pages of 10, in Kazoo order, each exactly once', async () => {
    const pages = await walk('devices', 10);
    expect(pages.map((page) => page.length)).toEqual([...Array(12).fill(10), 3]);
    expect(pages.flat()).toEqual(await kazooIds('devices?paginate=false'));
  });

  it('costs one Kazoo listing call per page, each starting where the previous one ended', async () => {
    const pages = await walkCounting('devices', 25);
    expect(pages.map((page) => page.listings.length)).toEqual(pages.map(() => 1));
    const listings = pages.flatMap((page) => page.listings);
    expect(listings.map((query) => query.page_size)).toEqual(pages.map(() => '25'));
    const startKeys = listings.map((query) => query.start_key);
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

  it('walks a Kazoo-side filter (enabled) across pages, asking Kazoo for full pages', async () => {
    const pages = await walkCounting('devices', 9, { enabled: false });
    expect(pages.flatMap((page) => page.ids)).toEqual(await kazooIds('devices?paginate=false&filter_enabled=false'));
    const pageSizes = pages.flatMap((page) => page.listings.map((query) => query.page_size));
    expect(new Set(pageSizes)).toEqual(new Set(['1000']));
  });

  it('refuses first outside 1..1000', async () => {
    for (const first of [0, -1, 1001]) {
      const result = await harness.graphql('query($a: ID!, $first: Int) { devices(accountId: $a, first: $first) { nodes { id } } }', { a: accountId, first }, { token });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('does not promise a next page that would be empty: a full filtered page reads on for one more match', async () => {
    const account = harness.simulator.control.createAccount({ name: 'mid-co', devices: 1_500, users: 20, registeredRatio: 0 });
    const mid = { account: account.accountId, token: await kazooLogin(harness.simulator.url, account.apiKey) };
    // The one disabled device is the first of Kazoo's first page of 1000, and Kazoo has a second page.
    const [firstDevice] = await kazooIds('devices?page_size=1', mid);
    const disabled = await fetch(`${harness.simulator.url}/v2/accounts/${mid.account}/devices/${firstDevice}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-auth-token': mid.token },
      body: JSON.stringify({ data: { enabled: false } }),
    });
    expect(disabled.status).toBe(200);
    const pages = await walkCounting('devices', 1, { enabled: false }, mid);
    // One page that says it is the last (having read the second Kazoo page to know), rather than one that says more
    // follow and then an empty one.
    expect(pages.map((page) => ({ ids: page.ids, calls: page.listings.length }))).toEqual([{ ids: [firstDevice], calls: 2 }]);
  });
});

describe('a filtered listing of a large account', () => {
  let large: Lister;

  beforeAll(async () => {
    const account = harness.simulator.control.createAccount({ name: 'large-co', devices: 12_000, users: 20, registeredRatio: 0.01 });
    large = { account: account.accountId, token: await kazooLogin(harness.simulator.url, account.apiKey) };
    for (const name of ['Fax 1', 'Fax 2', 'Fax 3']) {
      const response = await fetch(`${harness.simulator.url}/v2/accounts/${large.account}/devices`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-auth-token': large.token },
        body: JSON.stringify({ data: { name, device_type: 'fax' } }),
      });
      expect(response.status).toBe(201);
    }
  });

  it(`reads at most ${MAX_LISTING_PAGES} Kazoo pages for one page, then continues where it stopped`, async () => {
    // 12,003 devices in pages of 1000 are 13 Kazoo pages: the bound splits them 10 + 3, and no match is lost or repeated.
    const pages = await walkCounting('devices', 5, { deviceType: 'FAX' }, large);
    expect(pages.map((page) => page.listings.length)).toEqual([MAX_LISTING_PAGES, 3]);
    expect(pages.flatMap((page) => page.ids)).toEqual(await kazooIds('devices?paginate=false&filter_device_type=fax', large));
    expect(new Set(pages.flatMap((page) => page.listings.map((query) => query.page_size)))).toEqual(new Set(['1000']));
  });

  it('moves on at the bound even when nothing matched', async () => {
    const pages = await walkCounting('devices', 1, { deviceType: 'TEAMMATE' }, large);
    expect(pages.map((page) => ({ ids: page.ids, calls: page.listings.length }))).toEqual([
      { ids: [], calls: MAX_LISTING_PAGES },
      { ids: [], calls: 3 },
    ]);
  });
});
