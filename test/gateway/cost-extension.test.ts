// `extensions.cost` on every answer, as Shopify's API carries it: the Kazoo calls the cost model estimated for the
// operation (the number it was admitted with), the budget, and the token's cost rate-limit standing, in Kazoo calls,
// when there is one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatedCalls as estimate } from '../helpers/cost.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

const MAX_COST = 400;
const BURST = 30;
/** Slow enough that no Kazoo call is given back while the test runs: each one shows in the standing. */
const CALLS_PER_SECOND = 0.001;

let plain: Harness;
let limited: Harness;

beforeAll(async () => {
  plain = await startHarness({ gateway: { operationLimits: { maxCost: MAX_COST } } });
  limited = await startHarness({ gateway: { costRateLimit: { perSecond: CALLS_PER_SECOND, burst: BURST } } });
});
afterAll(async () => {
  await plain.close();
  await limited.close();
});

interface Cost {
  requestedQueryCost: number;
  maxQueryCost: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

function costOf(result: GraphQLResult<unknown>): Cost | undefined {
  return (result as { extensions?: { cost?: Cost } }).extensions?.cost;
}

describe('extensions.cost', () => {
  it.each([
    ['who the token is', '{ viewer { accountId accountName } }'],
    ['a page of devices from the listing', 'query($a: ID!) { devices(accountId: $a, first: 200) { nodes { name registration { registered } owner { fullName } } } }'],
    ['a page of devices that needs each document', 'query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { sip { username } } } }'],
    ['a filtered listing', 'query($a: ID!) { devices(accountId: $a, first: 10, filter: { registered: true }) { nodes { name } } }'],
    ['users with their devices', 'query($a: ID!) { users(accountId: $a, first: 5) { nodes { devices { device { name } } } } }'],
  ])('on %s is the estimate it was admitted with, and the budget', async (_case, query) => {
    const variables = { a: plain.accountId, n: 30 };
    const result = await plain.graphql(query, variables);
    expect(result.errors).toBeUndefined();
    expect(costOf(result)).toEqual({ requestedQueryCost: estimate(query, variables), maxQueryCost: MAX_COST });
  });

  it('grows as a page asks for fields that need whole documents', async () => {
    const page = (fields: string) => `query($a: ID!) { devices(accountId: $a, first: 100) { nodes { ${fields} } } }`;
    const cheap = costOf(await plain.graphql(page('name'), { a: plain.accountId }));
    const costly = costOf(await plain.graphql(page('name sip { username }'), { a: plain.accountId }));
    expect(cheap?.requestedQueryCost).toBe(1);
    expect(costly?.requestedQueryCost).toBe(101);
  });

  it('is on an answer whose fields partly failed, since the operation ran', async () => {
    const result = await plain.graphql('query($a: ID!) { viewer { accountId } user(accountId: $a, id: "not a kazoo id") { kazooId } }', {
      a: plain.accountId,
    });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.data).toEqual({ viewer: { accountId: plain.accountId }, user: null });
    expect(costOf(result)).toEqual({ requestedQueryCost: 2, maxQueryCost: MAX_COST });
  });

  it('is not on a refused operation, whose error says what it would have cost', async () => {
    const result = await plain.graphql('query($a: ID!) { users(accountId: $a, first: 1000) { nodes { devices { device { raw } } } } }', {
      a: plain.accountId,
    });
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COSTLY']);
    expect(costOf(result)).toBeUndefined();
    expect(result.errors?.[0]?.extensions).toMatchObject({ cost: 11_002, maxCost: MAX_COST });
  });

  it('has no throttle status when Kazoo calls are not rate limited', async () => {
    expect(costOf(await plain.graphql('{ viewer { accountId } }'))).not.toHaveProperty('throttleStatus');
  });

  it("reports the token's bucket of Kazoo calls, which each operation draws its cost from", async () => {
    // The first request of a token Kazoo has not accepted yet is charged to the client address: the token's own
    // bucket starts with the next.
    await limited.graphql('{ viewer { accountId } }');
    const standings = [];
    for (let request = 0; request < 3; request++) {
      standings.push(costOf(await limited.graphql('{ viewer { accountId } }'))?.throttleStatus);
    }
    expect(standings).toEqual(
      [BURST - 1, BURST - 2, BURST - 3].map((currentlyAvailable) => ({ maximumAvailable: BURST, currentlyAvailable, restoreRate: CALLS_PER_SECOND })),
    );
    // A page that needs five documents costs six calls; `{ __typename }` none.
    const page = await limited.graphql('query($a: ID!) { devices(accountId: $a, first: 5) { nodes { sip { username } } } }', { a: limited.accountId });
    expect(costOf(page)?.throttleStatus?.currentlyAvailable).toBe(BURST - 3 - 6);
    const free = await limited.graphql('{ __typename }');
    expect(costOf(free)).toMatchObject({ requestedQueryCost: 0, throttleStatus: { currentlyAvailable: BURST - 9 } });
  });
});
