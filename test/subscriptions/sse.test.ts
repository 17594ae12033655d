// GraphQL over Server-Sent Events at /graphql/stream, with graphql-sse's own client (distinct connections mode, over
// fetch): registrationChanged events as the simulator's registrations change, the WebSocket's token rule before any
// stream starts (401 without a Kazoo call when no token, 401 when Kazoo refuses it, 503 when Kazoo cannot be asked),
// the same operation limits, metrics, connection caps (counted with the WebSocket's) and request bucket, the stream
// ending with UNAUTHENTICATED when its token expires, and streams cut when their subscriber falls behind or the
// gateway shuts down.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-sse';
import type { Client } from 'graphql-sse';
import type { Harness } from '../helpers/harness.js';
import { activeSubscriptions, connect, record, startLiveHarness, waitFor, waitForPolls, waitUntilWatching } from './helpers.js';

const SSE_PATH = '/graphql/stream';

let harness: Harness;
let clients: Client[] = [];

beforeAll(async () => {
  harness = await startLiveHarness();
});

afterEach(async () => {
  harness.simulator.control.setFault(null);
  for (const client of clients) client.dispose();
  clients = [];
  // A client that leaves stops its subscription: nothing keeps the watcher alive for it.
  await waitFor(async () => (await activeSubscriptions(harness)) === 0, 'every subscription to end');
});

afterAll(async () => {
  await harness?.close();
});

/** graphql-sse's client as an application would make it, except that it never retries: every refusal is seen. */
function open(headers: Record<string, string> = { 'x-auth-token': harness.token }, url = harness.gateway.url): Client {
  const client = createClient({ url: `${url}${SSE_PATH}`, headers, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** A request as any SSE client sends it, for what comes back before a stream: status, content type, error codes. */
async function post(
  query: string,
  headers: Record<string, string>,
  url = harness.gateway.url,
): Promise<{ status: number; contentType: string | null; codes: unknown[] }> {
  const response = await fetch(`${url}${SSE_PATH}`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const contentType = response.headers.get('content-type');
  if (contentType?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, contentType, codes: [] };
  }
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return { status: response.status, contentType, codes: (body.errors ?? []).map((error) => error.extensions?.code) };
}

/** The one result of a query over SSE. */
async function queryOverSse(client: Client, query: string, variables: Record<string, unknown> = {}) {
  for await (const result of client.iterate<Record<string, unknown>, Record<string, unknown>>({ query, variables })) return result;
  throw new Error('the stream completed without a result');
}

const codesOf = (result: { errors?: readonly { extensions?: { code?: unknown } }[] }): unknown[] =>
  (result.errors ?? []).map((error) => error.extensions?.code);

describe('registrationChanged over Server-Sent Events', () => {
  it('sends a phone registering and a phone dropping off, as they happen', async () => {
    const { control } = harness.simulator;
    const [comingBack, leaving] = control.registeredDeviceIds(harness.accountId).sort() as [string, string];
    control.unregister(harness.accountId, comingBack);
    const subscriber = record(open(), { accountId: harness.accountId });
    await waitUntilWatching(harness, 1);

    control.register(harness.accountId, comingBack, { userAgent: 'Yealink SIP-T46S 66.86.0.15', contactIp: '192.0.2.10' });
    control.unregister(harness.accountId, leaving);

    await waitFor(() => subscriber.events.length >= 2, 'two events');
    await waitForPolls(harness, 2);
    expect(subscriber.errors).toEqual([]);
    const byDevice = new Map(subscriber.events.map((event) => [event.deviceId, event]));
    expect(subscriber.events).toHaveLength(2);
    expect(byDevice.get(leaving)).toMatchObject({ registered: false, registration: { registered: false } });
    expect(byDevice.get(comingBack)).toMatchObject({
      registered: true,
      registration: { registered: true, userAgent: 'Yealink SIP-T46S 66.86.0.15', contactIp: '192.0.2.10' },
    });
    control.register(harness.accountId, leaving);
  });

  it('ends the stream with UNAUTHENTICATED when its token expires', async () => {
    const { control } = harness.simulator;
    const [deviceId] = control.registeredDeviceIds(harness.accountId).sort();
    // Kazoo's tokens say when they expire (JWT `exp`, in whole seconds): this one within two seconds, and after at
    // least one, so its initial state comes first. The expiry timer is the subscription's own, on the real clock.
    const expiring = record(open({ 'x-auth-token': control.issueToken(harness.accountId, { ttlSeconds: 2 }) }), {
      accountId: harness.accountId,
      deviceIds: [deviceId],
      initial: true,
    });
    await waitFor(() => expiring.completed, 'the stream to end at expiry', 5_000);
    expect(expiring.events).toHaveLength(1);
    expect(expiring.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the stream token', () => {
  it('is required: no token is answered 401 before any stream, without asking Kazoo', async () => {
    harness.simulator.control.resetRequests();
    expect(await post('{ viewer { accountId } }', {})).toEqual({
      status: 401,
      contentType: 'application/json; charset=utf-8',
      codes: ['UNAUTHENTICATED'],
    });
    expect(harness.simulator.control.requests).toEqual([]);
  });

  it('is checked with Kazoo: a token Kazoo refuses is answered 401 before any stream', async () => {
    harness.simulator.control.resetRequests();
    expect(await post('{ viewer { accountId } }', { 'x-auth-token': 'not-a-kazoo-token' })).toMatchObject({
      status: 401,
      codes: ['UNAUTHENTICATED'],
    });
    expect(harness.simulator.control.requests.map((request) => [request.path, request.status])).toEqual([['/v2/token_auth', 401]]);

    // graphql-sse's client reports it as a failed response, not as a stream that never sends anything.
    const refused = record(open({ 'x-auth-token': 'not-a-kazoo-token' }), { accountId: harness.accountId });
    await waitFor(() => refused.errors.length > 0, 'the refusal');
    expect(refused.errors.map((error) => error.message)).toEqual(['NetworkError: Server responded with 401: Unauthorized']);
    expect(refused.events).toEqual([]);
  });

  it('is answered 503 when Kazoo cannot be asked about it', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/token_auth' } });
    expect(await post('{ viewer { accountId } }', { 'x-auth-token': harness.token })).toMatchObject({
      status: 503,
      codes: ['UPSTREAM_UNAVAILABLE'],
    });
  });

  it('is taken from Authorization: Bearer too, as over HTTP', async () => {
    const result = await queryOverSse(open({ authorization: `Bearer ${harness.token}` }), 'query Who { viewer { accountId } }');
    expect(result).toMatchObject({ data: { viewer: { accountId: harness.accountId } } });
  });
});

describe('operations over Server-Sent Events go through the same pipeline as HTTP', () => {
  it('are refused by the operation limits with their code in the stream, and nothing runs', async () => {
    harness.simulator.control.resetRequests();
    const result = await queryOverSse(open(), 'query($a: ID!) { users(accountId: $a, first: 1000) { nodes { devices { device { raw } } } } }', {
      a: harness.accountId,
    });
    expect(codesOf(result)).toEqual(['QUERY_TOO_COSTLY']);
    expect(result).not.toHaveProperty('data');
    // The refusal made for HTTP (its status) is not sent in the stream.
    expect(result.errors?.[0]?.extensions).not.toHaveProperty('http');
    expect(harness.simulator.control.requests.filter((request) => !request.path.endsWith('/token_auth'))).toEqual([]);
  });

  it('refuse a document that does not validate, with its code', async () => {
    const result = await queryOverSse(open(), '{ devics { nodes { id } } }');
    expect(codesOf(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answer an ad-hoc query, counted in the metrics with transport="sse"', async () => {
    const result = await queryOverSse(open(), 'query CountedOverSse { viewer { accountId } }');
    expect(result.data).toEqual({ viewer: { accountId: harness.accountId } });
    expect(result.extensions?.cost).toMatchObject({ requestedQueryCost: 1 });
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      'kazoo_gateway_graphql_operations_total{operation="CountedOverSse",type="query",outcome="success",transport="sse"} 1',
    );
  });

  it('refuse a request graphql-sse cannot read with BAD_REQUEST, and a mutation over GET', async () => {
    const missingQuery = await fetch(`${harness.gateway.url}${SSE_PATH}`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'x-auth-token': harness.token },
      body: JSON.stringify({ variables: {} }),
    });
    expect(missingQuery.status).toBe(400);
    expect(await missingQuery.json()).toEqual({ errors: [{ message: 'Missing query', extensions: { code: 'BAD_REQUEST' } }] });

    harness.simulator.control.resetRequests();
    const search = new URLSearchParams({ query: 'mutation { loginWithApiKey(apiKey: "a-key") { __typename } }' });
    const overGet = await fetch(`${harness.gateway.url}${SSE_PATH}?${search}`, {
      headers: { accept: 'text/event-stream', 'x-auth-token': harness.token },
    });
    const events = (await overGet.text()).split('\n\n').filter((message) => message.startsWith('event: '));
    expect(events).toEqual([
      'event: next\ndata: {"errors":[{"message":"Mutations are sent with POST","extensions":{"code":"BAD_REQUEST"}}]}',
      'event: complete\ndata:',
    ]);
    expect(harness.simulator.control.requests.map((request) => request.path)).toEqual(['/v2/token_auth']);
  });

  it('are only served as event streams', async () => {
    const response = await fetch(`${harness.gateway.url}${SSE_PATH}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-auth-token': harness.token },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(response.status).toBe(406);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_ACCEPTABLE' } }] });
  });
});

describe('per-client limits over Server-Sent Events', () => {
  it('count streams and WebSockets together against the token’s cap, and charge streams to the request bucket', async () => {
    const capped = await startLiveHarness({ gateway: { maxConnectionsPerToken: 1, rateLimit: { requestsPerSecond: 0.001, burst: 4 } } });
    const socket = connect(capped.gateway.url, { authToken: capped.token }, { keepOpen: true });
    try {
      const overWs = record(socket, { accountId: capped.accountId, initial: true });
      await waitFor(() => overWs.events.length > 0, 'a subscription over WebSocket');
      // The socket holds the token's one connection; its subscription took the first request of the token's bucket.
      expect(await post('{ viewer { accountId } }', { 'x-auth-token': capped.token }, capped.gateway.url)).toMatchObject({
        status: 429,
        codes: ['TOO_MANY_CONNECTIONS'],
      });
      await socket.dispose();
      await waitFor(async () => (await activeSubscriptions(capped)) === 0, 'the WebSocket subscription to end');
      expect(await post('{ viewer { accountId } }', { 'x-auth-token': capped.token }, capped.gateway.url)).toMatchObject({
        status: 200,
        contentType: 'text/event-stream; charset=utf-8',
      });
      // The bucket's fourth and last request; the next one is refused before Kazoo is asked about the token.
      expect((await post('{ viewer { accountId } }', { 'x-auth-token': capped.token }, capped.gateway.url)).status).toBe(200);
      capped.simulator.control.resetRequests();
      expect(await post('{ viewer { accountId } }', { 'x-auth-token': capped.token }, capped.gateway.url)).toMatchObject({
        status: 429,
        codes: ['RATE_LIMITED'],
      });
      expect(capped.simulator.control.requests).toEqual([]);
    } finally {
      await socket.dispose();
      await capped.close();
    }
  });
});

describe('a subscriber that falls behind', () => {
  it('has its stream cut, as its WebSocket would be closed, while other subscribers carry on', async () => {
    // Long enough that the slow subscriber's device read hangs for the whole test.
    const slowHarness = await startLiveHarness({ gateway: { kazooTimeoutMs: 30_000, subscriptions: { queueSize: 2 } } });
    const { control } = slowHarness.simulator;
    const headers = { 'x-auth-token': slowHarness.token };
    try {
      // Each event of this subscription reads its device; a hanging device read stops it from taking the next event.
      const slow = record(
        open(headers, slowHarness.gateway.url),
        { accountId: slowHarness.accountId },
        'subscription($accountId: ID!) { registrationChanged(accountId: $accountId) { deviceId registered device { name } } }',
      );
      const fast = record(open(headers, slowHarness.gateway.url), { accountId: slowHarness.accountId });
      await waitUntilWatching(slowHarness, 2);
      control.setFault({ kind: 'hang' }, { match: { method: 'GET', pathIncludes: '/devices/' } });
      const devices = control.registeredDeviceIds(slowHarness.accountId).sort().slice(0, 4);
      for (const deviceId of devices) {
        control.unregister(slowHarness.accountId, deviceId);
        await waitForPolls(slowHarness, 1);
      }
      await waitFor(() => slow.errors.length > 0, 'the slow subscriber to be dropped');
      // Cut, not completed: graphql-sse's client takes it as a network error, and would resubscribe.
      expect(slow.errors.map((error) => error.message)).toEqual(['NetworkError: Connection closed while having active streams']);
      expect(slow.completed).toBe(false);
      expect(slow.events).toEqual([]);
      await waitFor(() => fast.events.length === devices.length, 'every change on the other subscriber');
      expect(fast.errors).toEqual([]);
    } finally {
      control.setFault(null);
      await slowHarness.close();
    }
  });
});

describe('shutting down', () => {
  it('cuts open streams at once, so their clients reconnect elsewhere', async () => {
    const closing = await startLiveHarness({ gateway: { drainTimeoutMs: 60_000 } });
    const subscriber = record(open({ 'x-auth-token': closing.token }, closing.gateway.url), { accountId: closing.accountId, initial: true });
    try {
      await waitFor(() => subscriber.events.length > 0, 'the initial state');
      const started = Date.now();
      await closing.gateway.close();
      // Well within the drain timeout, which would otherwise be waited out for the open stream.
      expect(Date.now() - started).toBeLessThan(5_000);
      await waitFor(() => subscriber.errors.length > 0, 'the client to see the stream cut');
      // A network error (graphql-sse clients retry those), not a completed subscription.
      expect(subscriber.completed).toBe(false);
      expect(subscriber.errors.map((error) => error.message)).toEqual(['NetworkError: Connection closed while having active streams']);
    } finally {
      await closing.simulator.close();
    }
  });
});
