// listAll against a Kazoo whose listing pages the test writes: it reads every page, and stops with a clear error
// when Kazoo repeats a next_start_key or the listing passes MAX_LISTING_PAGES, and with CANCELLED, reading no further
// page, once its caller has gone.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KazooClient } from './client.js';
import { FULL_LISTING_PAGE_SIZE, listAll, MAX_LISTING_PAGES } from './listing.js';
import { accountPath } from './paths.js';

const ACCOUNT_ID = 'a'.repeat(32);
const DEVICES = accountPath(ACCOUNT_ID, 'devices');

/** What a page answers: its rows and next_start_key, by the start_key it was asked for ('' for the first page). */
type Page = (startKey: string) => { rows: string[]; next?: string };

const servers: Server[] = [];
const clients: KazooClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A Kazoo that lists pages as `page` says, counting the pages asked for; `onPage` runs as each one arrives. */
async function kazooListing(page: Page, onPage?: (pagesAsked: number) => void) {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://kazoo');
    const startKey = url.searchParams.get('start_key') ?? '';
    asked.push(startKey);
    onPage?.(asked.length);
    const { rows, next } = page(startKey);
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({ data: rows.map((id) => ({ id })), ...(next === undefined ? {} : { next_start_key: next }), status: 'success' }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new KazooClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5_000 });
  clients.push(client);
  return { client, asked };
}

/** Page n (from 0) holds row `row-n` and points at page n + 1, up to `pages` pages. */
const numberedPages =
  (pages: number): Page =>
  (startKey) => {
    const n = startKey === '' ? 0 : Number(startKey.slice('page-'.length));
    return { rows: [`row-${n}`], ...(n + 1 < pages ? { next: `page-${n + 1}` } : {}) };
  };

describe('listAll', () => {
  it('reads every page, passing each next_start_key back', async () => {
    const { client, asked } = await kazooListing(numberedPages(3));
    const rows = await listAll<{ id: string }>({ client, token: 'token' }, DEVICES);
    expect(rows.map((row) => row.id)).toEqual(['row-0', 'row-1', 'row-2']);
    expect(asked).toEqual(['', 'page-1', 'page-2']);
  });

  it('stops with UPSTREAM_INVALID when Kazoo hands back a start key it already gave', async () => {
    const { client, asked } = await kazooListing((startKey) =>
      startKey === '' ? { rows: ['a'], next: 'k1' } : startKey === 'k1' ? { rows: ['b'], next: 'k2' } : { rows: ['c'], next: 'k1' },
    );
    await expect(listAll({ client, token: 'token' }, DEVICES)).rejects.toMatchObject({
      code: 'UPSTREAM_INVALID',
      message: expect.stringMatching(/listing of devices went back to a page it had already sent \(a repeated next_start_key\)/),
    });
    expect(asked).toEqual(['', 'k1', 'k2']);
  });

  it(`stops with LISTING_TOO_LARGE after ${MAX_LISTING_PAGES} pages, reading no more`, async () => {
    const { client, asked } = await kazooListing(numberedPages(MAX_LISTING_PAGES + 50));
    await expect(listAll({ client, token: 'token' }, DEVICES)).rejects.toMatchObject({
      code: 'LISTING_TOO_LARGE',
      message: `The account has more than ${(MAX_LISTING_PAGES * FULL_LISTING_PAGE_SIZE).toLocaleString('en-US')} devices, more than the gateway reads in one listing (${MAX_LISTING_PAGES} pages of ${FULL_LISTING_PAGE_SIZE})`,
    });
    expect(asked).toHaveLength(MAX_LISTING_PAGES);
  });

  it('reads a listing of exactly the bound whole', async () => {
    const { client } = await kazooListing(numberedPages(MAX_LISTING_PAGES));
    await expect(listAll({ client, token: 'token' }, DEVICES)).resolves.toHaveLength(MAX_LISTING_PAGES);
  });

  it('stops with CANCELLED once its caller has gone, asking for no further page', async () => {
    const caller = new AbortController();
    // The caller leaves while Kazoo answers the second page.
    const { client, asked } = await kazooListing(numberedPages(10), (pagesAsked) => {
      if (pagesAsked === 2) caller.abort();
    });
    await expect(listAll({ client, token: 'token', signal: caller.signal }, DEVICES)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(asked).toHaveLength(2);
  });
});
