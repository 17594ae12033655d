// Abuse limits over WebSocket: the same depth, alias, cost and document-size limits as over HTTP, and a cap on the
// operations one connection may run; a refused operation gets its error code and the connection stays usable.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Harness } from '../helpers/harness.js';
import { connect, record, startLiveHarness, waitFor } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness({
    gateway: { operationLimits: { maxDepth: 6, maxAliases: 2, maxCost: 50 }, maxSubscriptionsPerConnection: 2 },
  });
});
afterEach(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});
afterAll(() => harness?.close());

function open(): Client {
  const client = connect(harness.gateway.url, { authToken: harness.token });
  clients.push(client);
  return client;
}

describe('operation limits over WebSocket', () => {
  it.each([
    ['QUERY_TOO_DEEP', 'subscription($a: ID!) { registrationChanged(accountId: $a) { device { owner { devices { device { owner { id } } } } } } }'],
    ['TOO_MANY_ALIASES', 'subscription($a: ID!) { registrationChanged(accountId: $a) { a: deviceId b: deviceId c: deviceId } }'],
    ['QUERY_TOO_COSTLY', 'query($a: ID!) { users(accountId: $a, first: 1000) { nodes { devices { device { raw } } } } }'],
  ])('refuses an operation breaking a limit with %s, and the connection stays open', async (code, query) => {
    const client = open();
    const refused = record(client, { a: harness.accountId }, query);
    await waitFor(() => refused.errors.length > 0, `the ${code} refusal`);
    expect(refused.errors.map((error) => error.extensions?.code)).toEqual([code]);
    expect(refused.closed).toBeUndefined();

    const accepted = record(client, { accountId: harness.accountId, initial: true });
    await waitFor(() => accepted.events.length > 0, 'an accepted subscription on the same connection');
    expect(accepted.errors).toEqual([]);
  });

  it('lets one connection run only so many operations at once', async () => {
    const client = open();
    const running = [record(client, { accountId: harness.accountId, initial: true }), record(client, { accountId: harness.accountId, initial: true })];
    await waitFor(() => running.every((recorder) => recorder.events.length > 0), 'two running subscriptions');
    const third = record(client, { accountId: harness.accountId });
    await waitFor(() => third.errors.length > 0, 'the third to be refused');
    expect(third.errors.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);

    running[0]?.stop();
    await waitFor(async () => {
      const retry = record(client, { accountId: harness.accountId, initial: true });
      await waitFor(() => retry.events.length > 0 || retry.errors.length > 0, 'an answer');
      retry.stop();
      return retry.errors.length === 0;
    }, 'room for another once one stopped');
  });
});
