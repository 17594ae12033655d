// The dashboard's generated operations against a real gateway, sent as the dashboard sends them (by trusted document
// id): one query answers the token's account with its name, counts and every device, for as many Kazoo calls as the
// v1 dashboard made (token_auth, then devices, registrations and users), and the counts agree with the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustedDocuments } from '../../server/trusted-documents.js';
import { UI_TRUSTED_DOCUMENTS } from '../../../test/helpers/fake-ui-build.js';
import { startHarness } from '../../../test/helpers/harness.js';
import type { Harness } from '../../../test/helpers/harness.js';
import { DeviceStore, hasState } from './device-store.js';
import { documentIdOf } from './gateway-client.js';
import { DashboardAccountDocument } from '../generated/graphql.js';
import type { DashboardAccountQuery } from '../generated/graphql.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ gateway: { trustedDocuments: readTrustedDocuments(UI_TRUSTED_DOCUMENTS) } });
});
afterAll(() => harness.close());

/** Kazoo calls by route, ids masked. */
const routes = (): string[] =>
  harness.simulator.control.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{32}/g, '{id}')}`).sort();

describe('the dashboard’s account query', () => {
  it('reads the token’s account, its counts and its devices in 4 Kazoo calls, as many as the v1 dashboard', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.post<DashboardAccountQuery>({ documentId: documentIdOf(DashboardAccountDocument), variables: { accountId: null } });
    expect(result.errors).toBeUndefined();
    expect(routes()).toEqual([
      'GET /v2/accounts/{id}',
      'GET /v2/accounts/{id}/devices',
      'GET /v2/accounts/{id}/registrations',
      'GET /v2/accounts/{id}/users',
    ]);

    const account = result.data?.account;
    if (account?.devices == null || account.registrationSummary === null) throw new Error('no account, devices or counts');
    expect(account.kazooId).toBe(harness.accountId);
    expect(account.devices.pageInfo.hasNextPage).toBe(false);
    const devices = account.devices.nodes;
    expect(account.registrationSummary).toEqual({
      total: devices.length,
      registered: devices.filter((device) => hasState(device, 'registered')).length,
      unregistered: devices.filter((device) => hasState(device, 'unregistered')).length,
      disabled: devices.filter((device) => hasState(device, 'disabled')).length,
    });
    const store = new DeviceStore();
    store.replaceAll(devices, null);
    expect(store.counts()).toEqual(account.registrationSummary);
  });
});
