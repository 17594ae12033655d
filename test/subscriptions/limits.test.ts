// Abuse limits over WebSocket: the same document checks and depth, alias, cost and document-size limits as over HTTP,
// the same rate-limit buckets, and caps on the operations one connection may run and the sockets one client may hold;
// a refused operation gets its error code and the connection stays usable.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Harness } from '../helpers/harness.js';
import { connect, record, startLiveHarness, waitFor, wsUrl } from './helpers.js';
import type { GraphQLErrorData } from './helpers.js';

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

/** A raw graphql-ws socket: how the upgrade and `connection_init` were answered (ack, a close code, or an HTTP status). */
async function handshake(url: string, payload: Record<string, unknown>): Promise<{ socket: WebSocket | undefined; outcome: string }> {
  const socket = new WebSocket(wsUrl(url), 'graphql-transport-ws');
  return new Promise((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data: WebSocket.RawData) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve({ socket, outcome: 'ack' });
    });
    socket.on('close', (code) => resolve({ socket: undefined, outcome: `close ${code}` }));
    socket.on('unexpected-response', (_request, response) => resolve({ socket: undefined, outcome: `http ${response.statusCode}` }));
    socket.on('error', () => undefined);
  });
}

/** One query over a fresh graphql-ws client; its errors' codes and messages. */
async function queryOverWs(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLErrorData[]> {
  const client = connect(url, { authToken: token });
  try {
    const answer = record(client, variables, query);
    await waitFor(() => answer.completed || answer.errors.length > 0, 'an answer');
    return answer.errors;
  } finally {
    await client.dispose();
  }
}

describe('documents over WebSocket pass the same checks as over HTTP', () => {
  // 2^40 selections from a document of a few hundred bytes: expanding it would never finish.
  const bomb = `query Bomb { ...F40 } fragment F0 on Query { viewer { accountId } } ${Array.from(
    { length: 40 },
    (_, index) => `fragment F${index + 1} on Query { ...F${index} ...F${index} }`,
  ).join(' ')}`;
  const tooDeepToParse = `{ devices(accountId: ${'['.repeat(3_000)}"x"${']'.repeat(3_000)}) { nodes { id } } }`;

  // The same explosion through aliases of distinct fields, which no merging of fields undoes.
  const aliasBomb = `query Aliases($a: ID!) { device(accountId: $a, id: $a) { ...D30 } } fragment D0 on Device { id } ${Array.from(
    { length: 30 },
    (_, index) => `fragment D${index + 1} on Device { owner { a: devices { device { ...D${index} } } b: devices { device { ...D${index} } } } }`,
  ).join(' ')}`;

  it.each([
    ['spreads', bomb, 'Bomb'],
    ['aliases', aliasBomb, 'Aliases'],
  ])('a fragment bomb of %s is refused before anything expands it, on both transports', async (_kind, document, name) => {
    harness.simulator.control.resetRequests();
    const variables = { a: harness.accountId };
    const overWs = await queryOverWs(harness.gateway.url, harness.token, document, variables);
    const overHttp = await harness.graphql(document, variables);
    for (const errors of [overWs, overHttp.errors ?? []]) {
      expect(errors.map((error) => [error.message, error.extensions?.code])).toEqual([
        [`Operation "${name}" recursively requests too many selections.`, 'GRAPHQL_VALIDATION_FAILED'],
      ]);
    }
    // Only the WebSocket's token check reached Kazoo.
    expect(harness.simulator.control.requests.filter((request) => !request.path.endsWith('/token_auth'))).toEqual([]);
  });

  it('a document nested too deep to parse gets a message of ours on both transports', async () => {
    const overWs = await queryOverWs(harness.gateway.url, harness.token, tooDeepToParse);
    const overHttp = await harness.graphql(tooDeepToParse);
    for (const errors of [overWs, overHttp.errors ?? []]) {
      expect(errors.map((error) => [error.message, error.extensions?.code])).toEqual([['The document nests too deeply to be parsed', 'GRAPHQL_PARSE_FAILED']]);
    }
  });

  it('with introspection off, the schema is neither served nor hinted at, on both transports', async () => {
    const closed = await startLiveHarness({ gateway: { introspection: false } });
    try {
      for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Device") { fields { name } } }']) {
        const overWs = await queryOverWs(closed.gateway.url, closed.token, query);
        const overHttp = await closed.graphql(query);
        for (const errors of [overWs, overHttp.errors ?? []]) {
          expect(errors.map((error) => [error.message, error.extensions?.code])).toEqual([
            [expect.stringMatching(/^Introspection is turned off on this gateway/), 'GRAPHQL_VALIDATION_FAILED'],
          ]);
        }
      }
      const typos = '{ devics viewr { acountId } }';
      const messages = [
        ...(await queryOverWs(closed.gateway.url, closed.token, typos)).map((error) => error.message),
        ...((await closed.graphql(typos, {}, { token: null })).errors ?? []).map((error) => error.message),
      ];
      expect(messages.length).toBeGreaterThanOrEqual(4);
      for (const message of messages) expect(message).not.toMatch(/Did you mean/);
    } finally {
      await closed.close();
    }
  });
});

describe('per-client limits over WebSocket', () => {
  it('charges every operation to its token’s rate-limit bucket, the one HTTP requests use', async () => {
    const limited = await startLiveHarness({ gateway: { rateLimit: { requestsPerSecond: 0.5, burst: 4 } } });
    try {
      const query = '{ viewer { accountId } }';
      // The first request is charged to the address (Kazoo had not accepted the token yet); from then on the token
      // has a bucket of its own: two of its four go over HTTP, the rest over WebSocket.
      for (let index = 0; index < 3; index++) expect((await limited.graphql(query)).errors).toBeUndefined();
      const client = connect(limited.gateway.url, { authToken: limited.token }, { keepOpen: true });
      try {
        const answers: GraphQLErrorData[][] = [];
        for (let index = 0; index < 4; index++) {
          const answer = record(client, {}, query);
          await waitFor(() => answer.completed || answer.errors.length > 0, 'an answer');
          answers.push(answer.errors);
        }
        expect(answers.map((errors) => errors.map((error) => error.extensions?.code))).toEqual([[], [], ['RATE_LIMITED'], ['RATE_LIMITED']]);
      } finally {
        await client.dispose();
      }
    } finally {
      await limited.close();
    }
  });

  it('caps the sockets one token holds open (4429) and one address holds open (HTTP 429)', async () => {
    const capped = await startLiveHarness({ gateway: { maxConnectionsPerToken: 2, maxConnectionsPerAddress: 3 } });
    const open: WebSocket[] = [];
    try {
      const outcomes: string[] = [];
      for (let index = 0; index < 3; index++) {
        const { socket, outcome } = await handshake(capped.gateway.url, { authToken: capped.token });
        outcomes.push(outcome);
        if (socket !== undefined) open.push(socket);
      }
      expect(outcomes).toEqual(['ack', 'ack', 'close 4429']);
      // Another token from the same address gets the address's third socket, and then the address is full.
      const other = capped.simulator.control.issueToken(capped.accountId, { ttlSeconds: 7_000 });
      const third = await handshake(capped.gateway.url, { authToken: other });
      expect(third.outcome).toBe('ack');
      if (third.socket !== undefined) open.push(third.socket);
      expect((await handshake(capped.gateway.url, { authToken: other })).outcome).toBe('http 429');
      // Closing one frees its place.
      const first = open.shift();
      await new Promise((resolve) => {
        first?.once('close', resolve);
        first?.close();
      });
      await waitFor(async () => {
        const retry = await handshake(capped.gateway.url, { authToken: capped.token });
        if (retry.socket !== undefined) open.push(retry.socket);
        return retry.outcome === 'ack';
      }, 'a free place after a close');
    } finally {
      for (const socket of open) socket.terminate();
      await capped.close();
    }
  });
});
