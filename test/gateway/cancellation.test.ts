// A client that goes away cancels what the gateway was doing for it: an HTTP client that disconnects while the
// gateway reads a listing of several pages stops that listing (Kazoo is asked for no further page, the page in flight
// is abandoned), and nothing of it is logged as an error. Kazoo's pages are held by the simulator's `hang` fault and
// let go one at a time, so the test sees the listing at a page of its choosing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelledCalls, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { captureLogs, waitFor } from '../subscriptions/helpers.js';

let harness: Harness;
const logs = captureLogs('debug');

beforeAll(async () => {
  harness = await startHarness({ gateway: { logger: logs.logger } });
});
afterAll(() => harness.close());

describe('an HTTP client that disconnects', () => {
  it('stops its multi-page listing: no further page is asked for, the page in flight is abandoned', async () => {
    const { control } = harness.simulator;
    // 2,500 devices: three listing pages of 1,000.
    const account = control.createAccount({ name: 'dropped-co', devices: 2_500, users: 2, registeredRatio: 0 });
    const token = control.issueToken(account.accountId);
    const listingPages = () => control.requests.filter((request) => request.path === `/v2/accounts/${account.accountId}/devices`);
    const holdListingPages = () => control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    control.resetRequests();
    holdListingPages();

    const client = new AbortController();
    const answer = fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': token },
      body: JSON.stringify({ query: '{ account { registrationSummary { total } } }' }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => listingPages().length === 1, 'the first listing page');
    // Lets the first page through and holds the second.
    control.setFault(null);
    holdListingPages();
    await waitFor(() => listingPages().length === 2, 'the second listing page');

    client.abort();
    expect(await answer).toMatchObject({ name: 'AbortError' });
    await waitFor(async () => (await cancelledCalls(harness.gateway)) === 1, 'the gateway to abandon the page in flight');
    control.setFault(null);
    expect(listingPages().map((request) => request.query.start_key !== undefined)).toEqual([false, true]);
    expect(logs.lines().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});
