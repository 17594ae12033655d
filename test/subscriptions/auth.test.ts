// Who may subscribe, and with which token the gateway polls: the connection's token is checked with Kazoo
// (4403 when missing or refused), a subscription to an account the token cannot read gets FORBIDDEN, a token that
// expires ends its own subscriptions with UNAUTHENTICATED while other subscribers carry on, and a service credential
// that cannot log in or read the account leaves polling to the subscribers' tokens.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Harness } from '../helpers/harness.js';
import type { Gateway } from '../../src/server/gateway.js';
import { connect, record, startGatewayOn, startLiveHarness, waitFor } from './helpers.js';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness();
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});

afterAll(async () => {
  await harness?.close();
});

function open(connectionParams: Record<string, unknown>): Client {
  const client = connect(harness.gateway.url, connectionParams);
  clients.push(client);
  return client;
}

function aRegisteredDevice(): string {
  const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId).sort();
  if (deviceId === undefined) throw new Error('the demo account has no registered device');
  return deviceId;
}

describe('the connection token', () => {
  it('closes a connection without a token with 4403, without asking Kazoo', async () => {
    harness.simulator.control.resetRequests();
    const subscriber = record(open({}), { accountId: harness.accountId });
    await waitFor(() => subscriber.closed !== undefined, 'the connection to close');
    expect(subscriber.closed?.code).toBe(4403);
    expect(harness.simulator.control.requests).toEqual([]);
  });

  it('closes a connection whose Authorization has no Bearer scheme with 4403, as HTTP refuses it', async () => {
    harness.simulator.control.resetRequests();
    const subscriber = record(open({ authorization: harness.token }), { accountId: harness.accountId });
    await waitFor(() => subscriber.closed !== undefined, 'the connection to close');
    expect(subscriber.closed?.code).toBe(4403);
    expect(harness.simulator.control.requests).toEqual([]);
  });

  it('closes a connection whose token Kazoo refuses with 4403', async () => {
    harness.simulator.control.resetRequests();
    const subscriber = record(open({ authToken: 'not-a-kazoo-token' }), { accountId: harness.accountId });
    await waitFor(() => subscriber.closed !== undefined, 'the connection to close');
    expect(subscriber.closed?.code).toBe(4403);
    expect(harness.simulator.control.requests.map((request) => [request.path, request.status])).toEqual([
      ['/v2/token_auth', 401],
    ]);
  });

  it.each([
    ['authToken', (token: string) => ({ authToken: token })],
    ['X-Auth-Token', (token: string) => ({ 'X-Auth-Token': token })],
    ['x-auth-token', (token: string) => ({ 'x-auth-token': token })],
    ['Authorization: Bearer', (token: string) => ({ Authorization: `Bearer ${token}` })],
    ['headers.authorization: bearer', (token: string) => ({ headers: { authorization: `bearer ${token}` } })],
    ['AUTHTOKEN with Bearer', (token: string) => ({ AUTHTOKEN: `bearer ${token}` })],
  ])('takes the token from %s', async (_name, params) => {
    const deviceId = aRegisteredDevice();
    const subscriber = record(open(params(harness.token)), { accountId: harness.accountId, deviceIds: [deviceId], initial: true });
    await waitFor(() => subscriber.events.length === 1 || subscriber.closed !== undefined, 'the initial state');
    expect(subscriber.closed).toBeUndefined();
    expect(subscriber.events[0]).toMatchObject({ deviceId, registered: true });
  });
});

describe('subscriptions', () => {
  it('get FORBIDDEN for an account the token may not read', async () => {
    const { control } = harness.simulator;
    const otherAccountToken = control.issueToken(control.secondary.accountId);
    const subscriber = record(open({ authToken: otherAccountToken }), { accountId: harness.accountId, initial: true });
    await waitFor(() => subscriber.completed || subscriber.closed !== undefined, 'the subscription to end');
    expect(subscriber.events).toEqual([]);
    expect(subscriber.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('end with UNAUTHENTICATED when their token expires, while other subscribers carry on', async () => {
    const { control } = harness.simulator;
    const deviceId = aRegisteredDevice();
    // Subscribed first, so the watcher polls with this token until it expires and must switch to the other one.
    const expiring = record(open({ authToken: control.issueToken(harness.accountId, { ttlSeconds: 2 }) }), {
      accountId: harness.accountId,
      deviceIds: [deviceId],
      initial: true,
    });
    await waitFor(() => expiring.events.length === 1, 'the initial state of the expiring subscriber');
    const lasting = record(open({ authToken: harness.token }), { accountId: harness.accountId, deviceIds: [deviceId], initial: true });
    await waitFor(() => lasting.events.length === 1, 'the initial state of the lasting subscriber');

    await waitFor(() => expiring.errors.length > 0, 'the expiring subscription to end', 8_000);
    expect(expiring.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(lasting.errors).toEqual([]);

    control.unregister(harness.accountId, deviceId);
    await waitFor(() => lasting.events.length === 2, 'the change on the lasting subscriber');
    expect(lasting.events[1]).toMatchObject({ deviceId, registered: false });
    expect(expiring.events).toHaveLength(1);
    control.register(harness.accountId, deviceId);
  });

  it('are refused with UNAUTHENTICATED on a connection whose token has expired', async () => {
    const { control } = harness.simulator;
    const client = connect(harness.gateway.url, { authToken: control.issueToken(harness.accountId, { ttlSeconds: 1 }) }, { keepOpen: true });
    clients.push(client);
    const first = record(client, { accountId: harness.accountId, deviceIds: [aRegisteredDevice()], initial: true });
    await waitFor(() => first.errors.length > 0, 'the first subscription to end at expiry', 5_000);
    const late = record(client, { accountId: harness.accountId });
    await waitFor(() => late.completed || late.errors.length > 0, 'the late subscription to be refused');
    expect(late.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the polling credential', () => {
  let gateway: Gateway | undefined;

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    clients = [];
    await gateway?.close();
    gateway = undefined;
  });

  it.each([
    ['cannot log in', () => 'not-a-valid-api-key'],
    ['belongs to another account', () => harness.simulator.control.secondary.apiKey],
  ])("falls back to subscribers' tokens when the service credential %s", async (_case, apiKey) => {
    gateway = await startGatewayOn(harness, { serviceLogin: { apiKey: apiKey() } });
    const deviceId = aRegisteredDevice();
    const subscriber = record(connectTo(gateway, { authToken: harness.token }), {
      accountId: harness.accountId,
      deviceIds: [deviceId],
      initial: true,
    });
    await waitFor(() => subscriber.events.length === 1, 'the initial state');
    harness.simulator.control.unregister(harness.accountId, deviceId);
    await waitFor(() => subscriber.events.length === 2, 'the change');
    expect(subscriber.events[1]).toMatchObject({ deviceId, registered: false });
    harness.simulator.control.register(harness.accountId, deviceId);
  });

  function connectTo(on: Gateway, connectionParams: Record<string, unknown>): Client {
    const client = connect(on.url, connectionParams);
    clients.push(client);
    return client;
  }
});
