// urql's normalized cache (graphcache) with the client kit's settings, against a real gateway: the same scenarios as
// apollo-cache.test.ts, and no warning from graphcache about any of the objects it met.
import { Client, fetchExchange, gql } from '@urql/core';
import type { AnyVariables, DocumentInput, OperationContext } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphcacheOptions } from '../../src/client/index.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import {
  DEVICE_DETAIL,
  DEVICE_TABLE,
  PHONE_PROVISIONS,
  PROVISIONING,
  REGISTRATIONS,
  RENAME_DEVICE,
  TEMPLATE_ID,
  USER_HOTDESK,
  arrangeSharedIds,
  registerOne,
  tableRows,
} from './scenarios.js';
import type { DeviceDetailData, DeviceTableData, ProvisioningData, SharedIds, UserHotdeskData } from './scenarios.js';

let harness: Harness;
let shared: SharedIds;
/** What graphcache logged at `warn` or `error` (an object without a key, a missing field it could not explain). */
let warnings: string[];

beforeAll(async () => {
  harness = await startHarness();
  shared = await arrangeSharedIds(harness);
});
beforeEach(() => {
  warnings = [];
});
afterAll(() => harness.close());

interface Urql {
  run<Data>(query: string, variables?: AnyVariables, token?: string): Promise<Data | undefined>;
  /** The cache's answer alone (`cache-only`): undefined when it cannot answer in full. */
  cached<Data>(query: string, variables?: AnyVariables): Data | undefined;
}

/** A urql client as an application would make it: graphcache with the kit's settings, POST (see the README), a token. */
function urql(): Urql {
  const client = new Client({
    url: `${harness.gateway.url}/graphql`,
    // Apollo Server's CSRF prevention refuses urql's default GETs of queries.
    preferGetMethod: false,
    fetchOptions: { headers: { 'x-auth-token': harness.token } },
    exchanges: [
      cacheExchange({
        ...graphcacheOptions(relayPagination),
        logger: (severity, message) => {
          if (severity !== 'debug') warnings.push(message);
        },
      }),
      fetchExchange,
    ],
  });
  const documents = new Map<string, DocumentInput<unknown, AnyVariables>>();
  const documentOf = <Data>(query: string): DocumentInput<Data, AnyVariables> => {
    if (!documents.has(query)) documents.set(query, gql(query));
    return documents.get(query) as DocumentInput<Data, AnyVariables>;
  };
  return {
    async run<Data>(query: string, variables: AnyVariables = {}, token?: string) {
      const context: Partial<OperationContext> =
        token === undefined ? { requestPolicy: 'network-only' } : { requestPolicy: 'network-only', fetchOptions: { headers: { 'x-auth-token': token } } };
      const document = documentOf<Data>(query);
      const isMutation = query.trimStart().startsWith('mutation');
      const result = await (isMutation ? client.mutation(document, variables, context) : client.query(document, variables, context)).toPromise();
      expect(result.error).toBeUndefined();
      return result.data;
    },
    cached<Data>(query: string, variables: AnyVariables = {}) {
      const result = client.readQuery(documentOf<Data>(query), variables, { requestPolicy: 'cache-only' });
      return result?.stale === false ? (result.data ?? undefined) : undefined;
    },
  };
}

describe('urql graphcache with the client kit', () => {
  it('keeps two phones of one provisioner template apart, each with its own model and keys (F1)', async () => {
    const client = urql();
    const variables = { a: shared.phones[0], b: shared.phones[1] };
    await client.run(PROVISIONING, variables);
    const cached = client.cached<ProvisioningData>(PROVISIONING, variables);
    expect(cached?.a.provision).toMatchObject({ templateId: TEMPLATE_ID, ...PHONE_PROVISIONS[0] });
    expect(cached?.b.provision).toMatchObject({ templateId: TEMPLATE_ID, ...PHONE_PROVISIONS[1] });
    expect(warnings).toEqual([]);
  });

  it('keeps two accounts’ users with one hotdesk id apart in one cache (F1)', async () => {
    const client = urql();
    await client.run(USER_HOTDESK, { id: shared.demoUser });
    await client.run(USER_HOTDESK, { id: shared.acmeUser }, shared.acmeToken);
    expect(client.cached<UserHotdeskData>(USER_HOTDESK, { id: shared.demoUser })?.user.hotdesk).toMatchObject({ hotdeskId: '1001', requirePin: false });
    expect(client.cached<UserHotdeskData>(USER_HOTDESK, { id: shared.acmeUser })?.user.hotdesk).toMatchObject({ hotdeskId: '1001', requirePin: true });
    expect(warnings).toEqual([]);
  });

  it('keeps a device detail whole in the cache after a mutation selected less of its embedded objects (F11)', async () => {
    const client = urql();
    const variables = { id: shared.phones[0] };
    const before = await client.run<DeviceDetailData>(DEVICE_DETAIL, variables);
    await client.run(RENAME_DEVICE, { id: shared.phones[0], name: 'Renamed by urql' });
    expect(client.cached<DeviceDetailData>(DEVICE_DETAIL, variables)).toEqual({ ...before, device: { ...before?.device, name: 'Renamed by urql' } });
    expect(warnings).toEqual([]);
  });

  it('updates a cached device row from the same registration read through another query (F8)', async () => {
    const client = urql();
    const rows = tableRows(await client.run<DeviceTableData>(DEVICE_TABLE));
    const device = registerOne(harness, rows, 'urql via registrations');
    await client.run(REGISTRATIONS);
    const row = tableRows(client.cached<DeviceTableData>(DEVICE_TABLE)).find((each) => each.id === device.id);
    expect(row?.registration).toMatchObject({ registered: true, userAgent: 'urql via registrations' });
    expect(warnings).toEqual([]);
  });

  it('reads the pages of one list as one list', async () => {
    const client = urql();
    const query = /* GraphQL */ `
      query Page($after: String) {
        viewer { account { id devices(first: 25, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }
      }
    `;
    interface Page {
      viewer: { account: { devices: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
    }
    const total = await harness.graphql<{ viewer: { account: { registrationSummary: { total: number } } } }>(
      '{ viewer { account { registrationSummary { total } } } }',
    );
    // Each answer is already the pages so far, read from the cache as one list.
    let page = await client.run<Page>(query, { after: null });
    expect(page?.viewer.account.devices.edges).toHaveLength(25);
    while (page?.viewer.account.devices.pageInfo.hasNextPage === true) {
      page = await client.run<Page>(query, { after: page.viewer.account.devices.pageInfo.endCursor });
    }
    expect(client.cached<Page>(query, { after: null })?.viewer.account.devices.edges).toHaveLength(
      total.data?.viewer.account.registrationSummary.total ?? -1,
    );
    expect(warnings).toEqual([]);
  });
});
