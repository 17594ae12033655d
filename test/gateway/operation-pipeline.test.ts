// One operation pipeline for both transports: an operation sent over WebSocket meets the limits, the Kazoo-call rate
// limit, the cost extension, the metrics and the operation logs an HTTP request meets, from the same hooks.
import type { FormattedExecutionResult } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { connect, firstResult } from '../subscriptions/helpers.js';

/** A bucket of ten Kazoo calls given back so slowly that none comes back while the test runs. */
const BURST = 10;

let harness: Harness;
let client: Client;
const lines: string[] = [];

beforeAll(async () => {
  harness = await startHarness({
    gateway: {
      costRateLimit: { perSecond: 0.001, burst: BURST },
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
    },
  });
  client = connect(harness.gateway.url, { authToken: harness.token }, { keepOpen: true });
});
afterAll(async () => {
  await client.dispose();
  await harness.close();
});

/** The one result of a query or mutation over the WebSocket; a refusal (graphql-ws `error` message) as its errors. */
const overWebSocket = (query: string, variables: Record<string, unknown> = {}) => firstResult(client, { query, variables });

const codesOf = (result: FormattedExecutionResult): unknown[] => (result.errors ?? []).map((error) => error.extensions?.code);

describe('operations over WebSocket go through the same pipeline as HTTP', () => {
  it('carry extensions.cost, with the Kazoo-call bucket they draw from', async () => {
    const result = await overWebSocket('query Who { viewer { accountId } }');
    expect(result.data).toEqual({ viewer: { accountId: harness.accountId } });
    expect(result.extensions?.cost).toMatchObject({ requestedQueryCost: 1, maxQueryCost: 100, throttleStatus: { maximumAvailable: BURST } });
  });

  it('are counted in the metrics and logged, with their transport', async () => {
    await overWebSocket('query CountedOverWebSocket { viewer { accountId } }');
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      'kazoo_gateway_graphql_operations_total{operation="CountedOverWebSocket",type="query",outcome="success",transport="websocket"} 1',
    );
    const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.operationName === 'CountedOverWebSocket');
    expect(line).toMatchObject({ msg: 'graphql operation', transport: 'websocket', outcome: 'success', upstreamCalls: 1 });
  });

  it('are counted and logged when refused before they could run: a document that does not validate', async () => {
    const result = await overWebSocket('query NoSuchField { viewer { noSuchField } }');
    expect(codesOf(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      'kazoo_gateway_graphql_operations_total{operation="(unparsed)",type="unknown",outcome="GRAPHQL_VALIDATION_FAILED",transport="websocket"} 1',
    );
  });

  it('are refused by the operation limits with their code, and nothing runs', async () => {
    harness.simulator.control.resetRequests();
    const result = await overWebSocket('query($a: ID!) { users(accountId: $a, first: 1000) { nodes { devices { device { raw } } } } }', {
      a: harness.accountId,
    });
    expect(codesOf(result)).toEqual(['QUERY_TOO_COSTLY']);
    // The refusal made for HTTP (its status) is not sent over the socket.
    expect(result.errors?.[0]?.extensions).not.toHaveProperty('http');
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('are charged their Kazoo calls: quickcalls over one socket stop once the token has spent its bucket', async () => {
    const devices = await harness.graphql<{ devices: { nodes: { id: string }[] } }>('query($a: ID!) { devices(accountId: $a, first: 1) { nodes { id } } }', {
      a: harness.accountId,
    });
    const device = devices.data?.devices.nodes[0]?.id;
    harness.simulator.control.resetRequests();
    const codes: unknown[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const result = await overWebSocket(
        'mutation($a: ID!, $id: ID!) { quickcallDevice(accountId: $a, id: $id, number: "1001") { userErrors { code } } }',
        { a: harness.accountId, id: device },
      );
      expect(result.data ?? { quickcallDevice: { userErrors: [] } }).toEqual({ quickcallDevice: { userErrors: [] } });
      codes.push(codesOf(result)[0] ?? 'PLACED');
    }
    expect(codes).toContain('RATE_LIMITED');
    // Once refused, every later one is refused too (nothing is given back meanwhile), and never reaches Kazoo.
    const firstRefused = codes.indexOf('RATE_LIMITED');
    expect(codes.slice(firstRefused).every((code) => code === 'RATE_LIMITED')).toBe(true);
    const quickcalls = harness.simulator.control.requests.filter((request) => request.path.includes('/quickcall/'));
    expect(quickcalls).toHaveLength(codes.filter((code) => code === 'PLACED').length);
  });

  it('cost nothing when they ask nothing of Kazoo: `{ __typename }` passes with the bucket spent', async () => {
    const result = await overWebSocket('{ __typename }');
    expect(result.errors).toBeUndefined();
    const cost = result.extensions?.cost as { requestedQueryCost: number; throttleStatus: { currentlyAvailable: number } };
    expect(cost.requestedQueryCost).toBe(0);
    // Less than the two calls a quickcall costs: the bucket the quickcalls above spent.
    expect(cost.throttleStatus.currentlyAvailable).toBeLessThan(2);
  });
});
