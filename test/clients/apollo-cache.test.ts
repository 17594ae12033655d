// Apollo Client 4's normalized cache with the client kit's settings, against a real gateway (the frontend trial's
// apollo-collision.ts and cache probes, on API v2): two accounts and shared template / hotdesk ids in one cache, a
// mutation's partial selection of embedded objects, registrations updating cached rows in place, pages merged per
// list, one viewer, and fragments on Node; and Apollo warns about none of it ("Cache data may be lost when replacing
// the sip field of a Device object" is what it says without the kit).
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import type { Client as WsClient } from 'graphql-ws';
import { firstValueFrom } from 'rxjs';
import { filter, map } from 'rxjs/operators';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { apolloCacheOptions } from '../../src/client/index.js';
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
const wsClients: WsClient[] = [];

beforeAll(async () => {
  harness = await startHarness({ gateway: { subscriptions: { pollMs: 200 } } });
  shared = await arrangeSharedIds(harness);
});
/** Apollo warns through console.warn. */
const spyOnWarnings = () => vi.spyOn(console, 'warn');
let apolloWarnings: ReturnType<typeof spyOnWarnings>;
beforeEach(() => {
  apolloWarnings = spyOnWarnings();
});
afterEach(async () => {
  await Promise.all(wsClients.splice(0).map((client) => client.dispose()));
  expect(apolloWarnings.mock.calls).toEqual([]);
  apolloWarnings.mockRestore();
});
afterAll(() => harness.close());

/** An Apollo client as an application would make it: the kit's cache settings, the demo token on every request. */
function apollo(): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache(apolloCacheOptions(relayStylePagination)),
    link: new HttpLink({ uri: `${harness.gateway.url}/graphql`, headers: { 'x-auth-token': harness.token } }),
  });
}

/** The same client with graphql-ws for subscriptions (the token in connection_init). */
function apolloWithSubscriptions(): ApolloClient {
  const ws = createClient({
    url: `${harness.gateway.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authToken: harness.token },
  });
  wsClients.push(ws);
  return new ApolloClient({ cache: new InMemoryCache(apolloCacheOptions(relayStylePagination)), link: new GraphQLWsLink(ws) });
}

const acme = (): { context: { headers: Record<string, string> } } => ({ context: { headers: { 'x-auth-token': shared.acmeToken } } });

describe('Apollo Client with the client kit', () => {
  it('keeps two phones of one provisioner template apart, each with its own model and keys (F1)', async () => {
    const client = apollo();
    const query = gql(PROVISIONING);
    const variables = { a: shared.phones[0], b: shared.phones[1] };
    const { data } = await client.query<ProvisioningData>({ query, variables });
    const fromCache = client.readQuery<ProvisioningData>({ query, variables });
    for (const read of [data, fromCache]) {
      expect(read?.a.provision).toMatchObject({ templateId: TEMPLATE_ID, ...PHONE_PROVISIONS[0] });
      expect(read?.b.provision).toMatchObject({ templateId: TEMPLATE_ID, ...PHONE_PROVISIONS[1] });
    }
  });

  it('keeps two accounts’ users with one hotdesk id apart in one cache (F1)', async () => {
    const client = apollo();
    const query = gql(USER_HOTDESK);
    await client.query<UserHotdeskData>({ query, variables: { id: shared.demoUser } });
    const { data: acmeUser } = await client.query<UserHotdeskData>({ query, variables: { id: shared.acmeUser }, ...acme() });
    expect(acmeUser?.user.hotdesk).toEqual({ __typename: 'UserHotdesk', hotdeskId: '1001', enabled: true, requirePin: true });
    const demoUser = client.readQuery<UserHotdeskData>({ query, variables: { id: shared.demoUser } });
    expect(demoUser?.user.hotdesk).toEqual({ __typename: 'UserHotdesk', hotdeskId: '1001', enabled: true, requirePin: false });
  });

  it('keeps a device detail readable from the cache after a mutation selected less of its embedded objects (F11)', async () => {
    const client = apollo();
    const detail = gql(DEVICE_DETAIL);
    const variables = { id: shared.phones[0] };
    const { data: before } = await client.query<DeviceDetailData>({ query: detail, variables });
    await client.mutate({ mutation: gql(RENAME_DEVICE), variables: { id: shared.phones[0], name: 'Renamed by Apollo' } });
    const after = client.readQuery<DeviceDetailData>({ query: detail, variables });
    expect(after).toEqual({ ...before, device: { ...before?.device, name: 'Renamed by Apollo' } });
  });

  it('updates a cached device row from the same registration read through another query (F8)', async () => {
    const client = apollo();
    const table = gql(DEVICE_TABLE);
    const { data } = await client.query<DeviceTableData>({ query: table });
    const device = registerOne(harness, tableRows(data), 'Apollo via registrations');
    await client.query({ query: gql(REGISTRATIONS) });
    const row = tableRows(client.readQuery<DeviceTableData>({ query: table })).find((each) => each.id === device.id);
    expect(row?.registration).toMatchObject({ registered: true, userAgent: 'Apollo via registrations' });
  });

  it('updates a cached device row from a registrationChanged event that does not select the device (F8)', async () => {
    const client = apolloWithSubscriptions();
    const table = gql(DEVICE_TABLE);
    const { data } = await client.query<DeviceTableData>({ query: table });
    const device = registerOne(harness, tableRows(data), 'Apollo via event');
    const events = client.subscribe<{ registrationChanged: { deviceId: string; registration: { registered: boolean } } }>({
      query: gql`
        subscription Live($deviceIds: [ID!]) {
          registrationChanged(deviceIds: $deviceIds, initial: true) { deviceId registration { id registered userAgent } }
        }
      `,
      variables: { deviceIds: [device.kazooId] },
    });
    await firstValueFrom(events.pipe(filter((event) => event.data?.registrationChanged.registration.registered === true)));
    const row = tableRows(client.readQuery<DeviceTableData>({ query: table })).find((each) => each.id === device.id);
    expect(row?.registration).toMatchObject({ registered: true, userAgent: 'Apollo via event' });
  });

  it('merges the pages of one list and keeps lists of other filters and orders apart', async () => {
    const client = apollo();
    const query = gql`
      query Page($after: String, $filter: DeviceFilter) {
        viewer { account { id devices(first: 25, after: $after, filter: $filter) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }
      }
    `;
    interface Page {
      viewer: { account: { devices: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
    }
    const total = await harness.graphql<{ viewer: { account: { registrationSummary: { total: number } } } }>(
      '{ viewer { account { registrationSummary { total } } } }',
    );
    // As a "load more" button does: fetchMore on the query the list shows.
    const list = client.watchQuery<Page>({ query, variables: { after: null } });
    const firstPage = list.pipe(
      map((result) => (result.dataState === 'complete' ? result.data : undefined)),
      filter((page): page is Page => page !== undefined),
    );
    let pageInfo = (await firstValueFrom(firstPage)).viewer.account.devices.pageInfo;
    while (pageInfo?.hasNextPage === true) {
      pageInfo = (await list.fetchMore({ variables: { after: pageInfo.endCursor } })).data?.viewer.account.devices.pageInfo;
    }
    const { data: disabled } = await client.query<Page>({ query, variables: { filter: { enabled: false } } });
    const all = client.readQuery<Page>({ query, variables: { after: null } });
    expect(all?.viewer.account.devices.edges).toHaveLength(total.data?.viewer.account.registrationSummary.total ?? -1);
    expect(disabled?.viewer.account.devices.edges.length).toBeLessThan(all?.viewer.account.devices.edges.length ?? 0);

    const byName = gql`
      query ByName($direction: OrderDirection!) { devices(first: 3, orderBy: { field: NAME, direction: $direction }) { nodes { id name } } }
    `;
    interface ByName {
      devices: { nodes: { id: string; name: string }[] };
    }
    const { data: ascending } = await client.query<ByName>({ query: byName, variables: { direction: 'ASC' } });
    const { data: descending } = await client.query<ByName>({ query: byName, variables: { direction: 'DESC' } });
    expect(client.readQuery<ByName>({ query: byName, variables: { direction: 'ASC' } })).toEqual(ascending);
    expect(descending?.devices.nodes[0]?.id).not.toBe(ascending?.devices.nodes[0]?.id);
  });

  it('keeps one viewer, whatever each query selects of it', async () => {
    const client = apollo();
    const names = gql`query ViewerNames { viewer { accountId accountName } }`;
    const { data } = await client.query({ query: names });
    await client.query({ query: gql`query ViewerAccount { viewer { account { id name } } }` });
    expect(client.readQuery({ query: names })).toEqual(data);
  });

  it('matches fragments on Node, so a refetch through node(id:) updates the cached device and reads back', async () => {
    const client = apollo();
    const detail = gql(DEVICE_DETAIL);
    const variables = { id: shared.phones[1] };
    await client.query({ query: detail, variables });
    await harness.graphql('mutation($id: ID!) { updateDevice(id: $id, input: { name: "Renamed elsewhere" }) { userErrors { message } } }', variables);
    const refetch = gql`
      query Refetch($id: ID!) { node(id: $id) { ...NodeIdentity ... on Device { name } } }
      fragment NodeIdentity on Node { id }
    `;
    const { data } = await client.query<{ node: { id: string; name: string } }>({ query: refetch, variables });
    expect(data?.node).toEqual({ __typename: 'Device', id: shared.phones[1], name: 'Renamed elsewhere' });
    expect(client.readQuery({ query: refetch, variables })).toEqual(data);
    expect(client.readQuery<DeviceDetailData>({ query: detail, variables })?.device.name).toBe('Renamed elsewhere');
  });
});
