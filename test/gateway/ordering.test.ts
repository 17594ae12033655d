// `orderBy` on devices: the gateway sorts the account's whole listing (Kazoo 4.3 cannot), pages through it with
// cursors of that order only, goes on after the last device shown when the listing changes between requests, and
// refuses to sort an account larger than its bound rather than answer a partial order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ORDER_PAGES } from '../../src/graphql/listing-order.js';
import { estimatedCalls } from '../helpers/cost.js';
import { errorCodes, kazooLogin, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

interface Lister {
  account: string;
  token: string;
}
let ordered: Lister;

interface KazooDeviceRow {
  id: string;
  name: string;
  device_type: string;
  owner_id?: string;
  username?: string;
  mac_address?: string;
}

beforeAll(async () => {
  harness = await startHarness();
  // Generated names repeat ("Alice Anders Desk 1" for two Alice Anders): ties must hold across pages.
  const account = harness.simulator.control.createAccount({ name: 'ordered-co', devices: 130, users: 40, registeredRatio: 0.5 });
  ordered = { account: account.accountId, token: await kazooLogin(harness.simulator.url, account.apiKey) };
});
afterAll(() => harness.close());

async function kazoo<T>(lister: Lister, method: string, path: string, data?: unknown): Promise<{ status: number; data: T }> {
  const response = await fetch(`${harness.simulator.url}/v2/accounts/${lister.account}/${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-auth-token': lister.token },
    ...(data === undefined ? {} : { body: JSON.stringify({ data }) }),
  });
  return { status: response.status, data: ((await response.json()) as { data: T }).data };
}

const PAGE = `query($a: ID!, $first: Int, $after: String, $order: DeviceOrder, $f: DeviceFilter) {
  devices(accountId: $a, first: $first, after: $after, orderBy: $order, filter: $f) {
    edges { cursor node { kazooId name owner { fullName } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

interface Page {
  edges: { cursor: string; node: { kazooId: string; name: string; owner: { fullName: string | null } | null } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function page(lister: Lister, variables: Record<string, unknown>): Promise<Page> {
  const result = await harness.graphql<{ devices: Page }>(PAGE, { a: lister.account, ...variables }, { token: lister.token });
  expect(result.errors).toBeUndefined();
  return result.data?.devices as Page;
}

/** Follows endCursor to the end: each page's devices, and the Kazoo calls each page made. */
async function walk(
  lister: Lister,
  first: number,
  order: Record<string, unknown> | undefined,
  filter?: Record<string, unknown>,
): Promise<{ devices: Page['edges'][number]['node'][]; calls: string[] }[]> {
  const pages: { devices: Page['edges'][number]['node'][]; calls: string[] }[] = [];
  let after: string | null = null;
  for (;;) {
    harness.simulator.control.resetRequests();
    const answer = await page(lister, { first, after, order, f: filter });
    pages.push({ devices: answer.edges.map((edge) => edge.node), calls: harness.simulator.control.requests.map((request) => request.path) });
    expect(answer.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(answer.pageInfo.startCursor).toBe(answer.edges[0]?.cursor ?? null);
    if (!answer.pageInfo.hasNextPage) return pages;
    expect(answer.edges).toHaveLength(first);
    after = answer.pageInfo.endCursor;
  }
}

/** The order the API documents, computed from Kazoo's own listings: names as people read them, ties by id. */
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
function byValues(values: (row: KazooDeviceRow) => (string | null)[], direction: 1 | -1) {
  return (a: KazooDeviceRow, b: KazooDeviceRow): number => {
    const [left, right] = [values(a), values(b)];
    for (let index = 0; index < left.length; index++) {
      const [x, y] = [left[index] ?? null, right[index] ?? null];
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const order = collator.compare(x, y);
      if (order !== 0) return direction * order;
    }
    return direction * (a.id < b.id ? -1 : 1);
  };
}

describe('ordered device listings', () => {
  it('page through every device by name, in both directions, none skipped or repeated', async () => {
    const rows = (await kazoo<KazooDeviceRow[]>(ordered, 'GET', 'devices?paginate=false')).data;
    for (const [direction, sign] of [['ASC', 1], ['DESC', -1]] as const) {
      const pages = await walk(ordered, 9, { field: 'NAME', direction });
      const expected = [...rows].sort(byValues((row) => [row.name], sign));
      expect(pages.flatMap((each) => each.devices.map((device) => device.kazooId))).toEqual(expected.map((row) => row.id));
      // Each page reads the whole listing again (130 devices: one Kazoo page).
      for (const each of pages) expect(each.calls.filter((path) => path.endsWith('/devices'))).toHaveLength(1);
    }
  });

  it("page by owner's full name, then device name; devices without an owner come last in both directions", async () => {
    const rows = (await kazoo<KazooDeviceRow[]>(ordered, 'GET', 'devices?paginate=false')).data;
    const users = (await kazoo<{ id: string; first_name: string; last_name: string }[]>(ordered, 'GET', 'users?paginate=false')).data;
    const fullName = new Map(users.map((user) => [user.id, `${user.first_name} ${user.last_name}`]));
    const ownerName = (row: KazooDeviceRow) => (row.owner_id === undefined ? null : (fullName.get(row.owner_id) ?? null));
    expect(rows.filter((row) => ownerName(row) === null).length).toBeGreaterThan(0);
    for (const [direction, sign] of [['ASC', 1], ['DESC', -1]] as const) {
      const pages = await walk(ordered, 25, { field: 'OWNER', direction });
      const devices = pages.flatMap((each) => each.devices);
      const expected = [...rows].sort(byValues((row) => [ownerName(row), row.name], sign));
      expect(devices.map((device) => device.kazooId)).toEqual(expected.map((row) => row.id));
      expect(devices.map((device) => device.owner?.fullName ?? null)).toEqual(expected.map(ownerName));
      // The devices listing and the users listing per page: the owners shown are the ones read to sort.
      for (const each of pages) {
        expect(each.calls.filter((path) => path.endsWith('/devices'))).toHaveLength(1);
        expect(each.calls.filter((path) => path.endsWith('/users'))).toHaveLength(1);
      }
    }
  });

  it('select the same devices as Kazoo order does with the same filter, sorted by type, then name', async () => {
    const filter = { search: 'desk', registered: true };
    const inKazooOrder = await walk(ordered, 1000, undefined, filter);
    const byType = await walk(ordered, 4, { field: 'DEVICE_TYPE' }, filter);
    const ids = (pages: { devices: { kazooId: string }[] }[]) => pages.flatMap((each) => each.devices.map((device) => device.kazooId));
    expect(ids(inKazooOrder).length).toBeGreaterThan(4);
    expect([...ids(byType)].sort()).toEqual([...ids(inKazooOrder)].sort());
    const rows = new Map((await kazoo<KazooDeviceRow[]>(ordered, 'GET', 'devices?paginate=false')).data.map((row) => [row.id, row]));
    const expected = ids(inKazooOrder).map((id) => rows.get(id) as KazooDeviceRow).sort(byValues((row) => [row.device_type, row.name], 1));
    expect(ids(byType)).toEqual(expected.map((row) => row.id));
  });

  it('go on after the last device shown when devices are added and removed between two pages', async () => {
    const first = await page(ordered, { first: 5, order: { field: 'NAME' } });
    const shown = first.edges.map((edge) => edge.node.kazooId);
    // A device sorting before every other, and one of the page just shown removed.
    const added = await kazoo<{ id: string }>(ordered, 'PUT', 'devices', { name: '0 Added first' });
    expect(added.status).toBe(201);
    expect((await kazoo(ordered, 'DELETE', `devices/${shown[1]}`)).status).toBe(200);
    const next = await page(ordered, { first: 5, after: first.pageInfo.endCursor, order: { field: 'NAME' } });
    const rows = (await kazoo<KazooDeviceRow[]>(ordered, 'GET', 'devices?paginate=false')).data.sort(byValues((row) => [row.name], 1));
    const lastShown = rows.findIndex((row) => row.id === shown.at(-1));
    expect(next.edges.map((edge) => edge.node.kazooId)).toEqual(rows.slice(lastShown + 1, lastShown + 6).map((row) => row.id));
  });

  it('accept a cursor only for the order it was made for, before calling Kazoo', async () => {
    const byName = await page(ordered, { first: 2, order: { field: 'NAME' } });
    const inKazooOrder = await page(ordered, { first: 2 });
    harness.simulator.control.resetRequests();
    for (const [after, order] of [
      [byName.pageInfo.endCursor, { field: 'NAME', direction: 'DESC' }],
      [byName.pageInfo.endCursor, { field: 'OWNER' }],
      [byName.pageInfo.endCursor, null],
      [inKazooOrder.pageInfo.endCursor, { field: 'NAME' }],
    ]) {
      const result = await harness.graphql(PAGE, { a: ordered.account, first: 2, after, order }, { token: ordered.token });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toBe('`after` was made for another order (`orderBy`) of this list');
    }
    expect(harness.simulator.control.requests).toHaveLength(0);
  });
});

describe(`an account of more than ${MAX_ORDER_PAGES * 1000} devices`, () => {
  let huge: Lister;
  const QUERY = `query($a: ID!) { devices(accountId: $a, first: 10, orderBy: { field: NAME }) { nodes { name } } }`;

  beforeAll(async () => {
    const account = harness.simulator.control.createAccount({ name: 'huge-co', devices: MAX_ORDER_PAGES * 1000 + 1, users: 30, registeredRatio: 0 });
    huge = { account: account.accountId, token: await kazooLogin(harness.simulator.url, account.apiKey) };
  });

  it('is not sorted in part: the field fails with LISTING_TOO_LARGE once the bound is read', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(QUERY, { a: huge.account }, { token: huge.token });
    expect(errorCodes(result)).toEqual(['LISTING_TOO_LARGE']);
    expect(result.errors?.[0]).toMatchObject({ path: ['devices'], extensions: { maxRows: MAX_ORDER_PAGES * 1000 } });
    const listings = harness.simulator.control.requests.filter((request) => request.path.endsWith('/devices'));
    expect(listings).toHaveLength(MAX_ORDER_PAGES);
    expect(estimatedCalls(QUERY, { a: huge.account })).toBeGreaterThanOrEqual(harness.simulator.control.requests.length);
  });

  it(`is sorted at exactly ${MAX_ORDER_PAGES * 1000} devices, within the estimated calls`, async () => {
    const [one] = (await kazoo<{ id: string }[]>(huge, 'GET', 'devices?page_size=1')).data;
    expect((await kazoo(huge, 'DELETE', `devices/${one?.id}`)).status).toBe(200);
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ devices: { nodes: { name: string }[] } }>(QUERY, { a: huge.account }, { token: huge.token });
    expect(result.errors).toBeUndefined();
    const names = result.data?.devices.nodes.map((node) => node.name) ?? [];
    expect(names).toEqual([...names].sort(collator.compare));
    expect(harness.simulator.control.requests.filter((request) => request.path.endsWith('/devices'))).toHaveLength(MAX_ORDER_PAGES);
    expect(estimatedCalls(QUERY, { a: huge.account })).toBeGreaterThanOrEqual(harness.simulator.control.requests.length);
  });
});
