// Contract: v2 pagination (opaque keys, the page_size quirk, paginate=false) and query-string filters (§3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, describeSimulatorOnly, simOf, startTarget, type Target } from './helpers.js';

interface Page {
  ids: string[];
  items: any[]; // any: JSON under test
  pageSize: number | undefined;
  startKey: string | undefined;
  next: string | undefined;
}

let target: Target;
let token: string;

beforeAll(async () => {
  target = await startTarget({ rateLimit: false });
  token = (await call(target, 'PUT', '/v2/api_auth', { data: { api_key: target.apiKey } })).body.auth_token;
});
afterAll(async () => {
  await target.close();
});

async function page(accountId: string, collection: string, query: string, auth = token): Promise<Page> {
  const result = await call(target, 'GET', `/v2/accounts/${accountId}/${collection}?${query}`, { token: auth });
  expect(result.status, result.text).toBe(200);
  return {
    ids: result.body.data.map((item: { id: string }) => item.id),
    items: result.body.data,
    pageSize: result.body.page_size,
    startKey: result.body.start_key,
    next: result.body.next_start_key,
  };
}

async function walk(accountId: string, collection: string, query: string, auth = token): Promise<Page[]> {
  const pages: Page[] = [];
  let next: string | undefined;
  do {
    const current = await page(accountId, collection, `${query}${next ? `&start_key=${encodeURIComponent(next)}` : ''}`, auth);
    pages.push(current);
    next = current.next;
  } while (next && pages.length < 100);
  return pages;
}

describe('pagination', () => {
  it('walking pages with next_start_key yields every item of paginate=false, ascending by id', async () => {
    const all = await page(target.accountId, 'devices', 'paginate=false');
    expect(all.pageSize).toBeUndefined();
    expect(all.next).toBeUndefined();
    const pages = await walk(target.accountId, 'devices', 'page_size=7');
    expect(pages.length).toBeGreaterThan(1);
    const walked = pages.flatMap((p) => p.ids);
    expect(walked).toEqual(all.ids);
    expect([...walked].sort()).toEqual(walked);
    expect(pages[0]?.startKey).toBeUndefined();
    expect(pages[1]?.startKey).toBe(pages[0]?.next);
  });

  it('start keys are opaque (not raw ids), and a raw id is accepted as a start key too', async () => {
    const first = await page(target.accountId, 'devices', 'page_size=3');
    expect(first.next).toBeDefined();
    const all = await page(target.accountId, 'devices', 'paginate=false');
    const nextId = all.ids[3] as string;
    expect(first.next).not.toBe(nextId);
    const raw = await page(target.accountId, 'devices', `page_size=3&start_key=${nextId}`);
    expect(raw.ids[0]).toBe(nextId);
  });

  it('the default page size is 50', async () => {
    const all = await page(target.accountId, 'devices', 'paginate=false');
    const first = await page(target.accountId, 'devices', '');
    expect(first.ids.length).toBe(Math.min(50, all.ids.length));
  });
});

describe('filters', () => {
  it('filter_KEY matches the stored value at a dotted path; filter_not_KEY negates it', async () => {
    const softphones = await page(target.accountId, 'devices', 'paginate=false&filter_device_type=softphone');
    for (const item of softphones.items) expect(item.device_type).toBe('softphone');
    const others = await page(target.accountId, 'devices', 'paginate=false&filter_not_device_type=softphone');
    const all = await page(target.accountId, 'devices', 'paginate=false');
    expect(softphones.ids.length + others.ids.length).toBe(all.ids.length);
  });

  it('a JSON array value matches any of its members', async () => {
    const both = await page(target.accountId, 'devices', `paginate=false&filter_device_type=${encodeURIComponent('["softphone","sip_device"]')}`);
    const softphones = await page(target.accountId, 'devices', 'paginate=false&filter_device_type=softphone');
    const desk = await page(target.accountId, 'devices', 'paginate=false&filter_device_type=sip_device');
    expect(both.ids.length).toBe(softphones.ids.length + desk.ids.length);
  });

  it('filters see the full document although items are summaries', async () => {
    const withPassword = await page(target.accountId, 'devices', 'paginate=false&has_key=sip.password');
    const without = await page(target.accountId, 'devices', 'paginate=false&key_missing=sip.password');
    const all = await page(target.accountId, 'devices', 'paginate=false');
    expect(withPassword.ids.length + without.ids.length).toBe(all.ids.length);
    for (const item of withPassword.items) expect(item.password).toBeUndefined();
  });

  it('has_value / value_missing and the Gregorian created_from / created_to bounds', async () => {
    const withMac = await page(target.accountId, 'devices', 'paginate=false&has_value=mac_address');
    for (const item of withMac.items) expect(item.mac_address).not.toBe('');
    const noMac = await page(target.accountId, 'devices', 'paginate=false&value_missing=mac_address');
    for (const item of noMac.items) expect(item.mac_address).toBe('');
    const gregorianNow = Math.floor(Date.now() / 1000) + 62_167_219_200;
    const all = await page(target.accountId, 'devices', 'paginate=false');
    const upToNow = await page(target.accountId, 'devices', `paginate=false&created_to=${gregorianNow + 60}`);
    expect(upToNow.ids).toEqual(all.ids);
    const future = await page(target.accountId, 'devices', `paginate=false&created_from=${gregorianNow + 3600}`);
    expect(future.ids).toEqual([]);
    const notANumber = await page(target.accountId, 'devices', 'paginate=false&created_from=yesterday');
    expect(notANumber.ids).toEqual([]);
  });
});

describeSimulatorOnly('a generated account of 230 devices and 60 users', () => {
  let accountId: string;
  let bigToken: string;

  beforeAll(async () => {
    const account = simOf(target).control.createAccount({ name: 'big corp', devices: 230, users: 60 });
    accountId = account.accountId;
    bigToken = (await call(target, 'PUT', '/v2/api_auth', { data: { api_key: account.apiKey } })).body.auth_token;
  });

  it('pages of 50 report page_size 51 while a next page exists, the item count on the last one', async () => {
    const pages = await walk(accountId, 'devices', 'page_size=50', bigToken);
    expect(pages.map((p) => p.ids.length)).toEqual([50, 50, 50, 50, 30]);
    expect(pages.map((p) => p.pageSize)).toEqual([51, 51, 51, 51, 30]);
    expect(new Set(pages.flatMap((p) => p.ids)).size).toBe(230);
    expect(pages[4]?.next).toBeUndefined();
  });

  it('with a filter a page may hold fewer items than the page size although more follow', async () => {
    const pages = await walk(accountId, 'devices', 'page_size=20&filter_device_type=softphone', bigToken);
    const all = await page(accountId, 'devices', 'paginate=false&filter_device_type=softphone', bigToken);
    expect(pages.flatMap((p) => p.ids)).toEqual(all.ids);
    expect(pages.some((p) => p.ids.length < 20 && p.next !== undefined)).toBe(true);
    for (const p of pages.slice(0, -1)) expect(p.pageSize).toBe(21);
  });

  it('users paginate the same way, with their summary fields', async () => {
    const pages = await walk(accountId, 'users', 'page_size=25', bigToken);
    expect(pages.map((p) => p.ids.length)).toEqual([25, 25, 10]);
    const allowed = ['id', 'features', 'username', 'email', 'first_name', 'last_name', 'priv_level', 'feature_level', 'presence_id', 'timezone', 'call_recording', 'service', 'flags'];
    for (const item of pages[0]?.items ?? []) expect(Object.keys(item).every((key) => allowed.includes(key))).toBe(true);
  });
});
