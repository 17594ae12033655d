// OpenTelemetry traces as an operator's tracing backend would show them (spans caught by an in-memory exporter): an
// operation's span holds the Kazoo calls its resolvers made, whether graphql-js or graphql-jit ran them, over HTTP and
// WebSocket; a client's traceparent is the parent, and Kazoo receives each call's own traceparent.
import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTracing } from '../../src/tracing.js';
import type { Tracing } from '../../src/tracing.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { connect, record, waitFor } from '../subscriptions/helpers.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let harness: Harness;
const clients: Client[] = [];

beforeAll(async () => {
  tracing = startTracing({ logger: createLogger('silent'), exporter });
  harness = await startHarness({ gateway: { tracing: true } });
});
beforeEach(() => {
  exporter.reset();
  harness.simulator.control.resetRequests();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await harness.close();
  await tracing?.shutdown();
});

const PAGE_READ = (name: string): string => `query ${name} { devices { nodes { name registration { registered } owner { fullName } } } }`;

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;
const childrenOf = (parent: ReadableSpan): ReadableSpan[] =>
  spans().filter((span) => span.parentSpanContext?.spanId === idOf(parent) && span.spanContext().traceId === parent.spanContext().traceId);
function operationSpan(name: string): ReadableSpan {
  const found = spans().filter((span) => span.attributes['graphql.operation.name'] === name);
  expect(found, `spans of ${name}`).toHaveLength(1);
  return found[0] as ReadableSpan;
}
const templates = (calls: readonly ReadableSpan[]): unknown[] => calls.map((span) => span.attributes['url.template']).sort();
const PAGE_READ_CALLS = ['/v2/accounts/{id}/devices', '/v2/accounts/{id}/registrations', '/v2/accounts/{id}/users'];

function aTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

describe('a page read over HTTP', () => {
  it('is one operation span holding its three Kazoo calls, run by graphql-js and then compiled by graphql-jit', async () => {
    // graphql-jit compiles a document on its second run: the first run is graphql-js's, the next ones compiled.
    for (const run of [1, 2, 3]) {
      exporter.reset();
      const result = await harness.graphql(PAGE_READ('TracedPage'));
      expect(result.errors).toBeUndefined();
      const operation = operationSpan('TracedPage');
      expect(operation, `run ${run}`).toMatchObject({
        name: 'query TracedPage',
        kind: SpanKind.SERVER,
        parentSpanContext: undefined,
        status: { code: SpanStatusCode.UNSET },
        attributes: {
          'graphql.operation.type': 'query',
          'gateway.transport': 'http',
          'gateway.operation.cost': 3,
          'gateway.operation.outcome': 'success',
        },
      });
      const calls = childrenOf(operation);
      expect(templates(calls), `run ${run}`).toEqual(PAGE_READ_CALLS);
      for (const call of calls) {
        expect(call).toMatchObject({
          kind: SpanKind.CLIENT,
          name: `GET ${String(call.attributes['url.template'])}`,
          attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'kazoo.attempts': 1, 'server.address': '127.0.0.1' },
        });
      }
      // Nothing else in the trace: every span is the operation or one of its calls.
      expect(spans().filter((span) => span.spanContext().traceId === operation.spanContext().traceId)).toHaveLength(4);
    }
  });

  it("continues the client's traceparent and sends each call's own to Kazoo", async () => {
    const client = aTraceparent();
    const result = await harness.graphql(PAGE_READ('ContinuedPage'), undefined, { headers: { traceparent: client.header } });
    expect(result.errors).toBeUndefined();
    const operation = operationSpan('ContinuedPage');
    expect(operation.spanContext().traceId).toBe(client.traceId);
    expect(operation.parentSpanContext).toMatchObject({ traceId: client.traceId, spanId: client.parentId, isRemote: true });
    const calls = childrenOf(operation);
    expect(templates(calls)).toEqual(PAGE_READ_CALLS);
    const sent = harness.simulator.control.requests.map((request) => request.traceparent).sort();
    expect(sent).toEqual(calls.map((call) => `00-${client.traceId}-${idOf(call)}-01`).sort());
  });

  it('marks a refused operation as an error, with its code', async () => {
    const result = await harness.graphql('query TooCostly { users(first: 1000) { nodes { devices { device { raw } } } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    const operation = operationSpan('TooCostly');
    expect(operation.status).toEqual({ code: SpanStatusCode.ERROR, message: 'QUERY_TOO_COSTLY' });
    expect(operation.attributes).toMatchObject({ 'gateway.operation.outcome': 'QUERY_TOO_COSTLY', 'error.type': 'QUERY_TOO_COSTLY' });
    expect(childrenOf(operation)).toEqual([]);
    expect(harness.simulator.control.requests).toHaveLength(0);
  });

  it('marks a failed Kazoo call and its retries', async () => {
    harness.simulator.control.setFault({ kind: 'status', status: 503 }, { times: 1, match: { pathIncludes: '/devices' } });
    const result = await harness.graphql('query Retried { devices { nodes { name } } }');
    expect(result.errors).toBeUndefined();
    const [call] = childrenOf(operationSpan('Retried'));
    expect(call?.attributes).toMatchObject({ 'http.response.status_code': 200, 'kazoo.attempts': 2, 'http.request.resend_count': 1 });

    harness.simulator.control.setFault({ kind: 'status', status: 404 }, { times: 1, match: { pathIncludes: '/devices' } });
    const refusal = await harness.graphql('query Refused { devices { nodes { name } } }');
    expect(refusal.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const [refused] = childrenOf(operationSpan('Refused'));
    expect(refused?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'NOT_FOUND' });
    expect(refused?.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': 'NOT_FOUND', 'kazoo.attempts': 1 });
    expect(operationSpan('Refused').status).toEqual({ code: SpanStatusCode.ERROR, message: 'NOT_FOUND' });
  });

  it('links a read that joined an identical one under way to the call really sent', async () => {
    // The first request's device listing is held at Kazoo until the second request has joined it.
    harness.simulator.control.setFault({ kind: 'hang' }, { times: 1, match: { pathIncludes: '/devices' } });
    const first = harness.graphql('query Joined { devices { nodes { name } } }');
    await waitFor(() => harness.simulator.control.requests.length === 1, 'the first listing to reach Kazoo');
    const second = harness.graphql('query Joined { devices { nodes { name } } }');
    await waitFor(async () => (await coalescedReads()) > 0, 'the second listing to join the first');
    harness.simulator.control.setFault(null);
    expect((await first).errors).toBeUndefined();
    expect((await second).errors).toBeUndefined();

    const calls = spans().filter((span) => span.attributes['url.template'] === '/v2/accounts/{id}/devices');
    const sent = calls.find((span) => span.attributes['kazoo.coalesced'] === undefined);
    const joined = calls.find((span) => span.attributes['kazoo.coalesced'] === true);
    expect(sent?.links).toEqual([]);
    expect(joined?.links.map((link) => link.context.spanId)).toEqual([sent && idOf(sent)]);
    // Kazoo saw one call: the one sent, with its own traceparent.
    expect(harness.simulator.control.requests.map((request) => request.traceparent)).toEqual([
      `00-${sent?.spanContext().traceId}-${sent && idOf(sent)}-01`,
    ]);
  });
});

describe('over WebSocket', () => {
  it("gives a query its span, under the connection_init payload's traceparent, with its Kazoo calls", async () => {
    const client = aTraceparent();
    const socket = connect(harness.gateway.url, { authToken: harness.token, headers: { traceparent: client.header } }, { keepOpen: true });
    clients.push(socket);
    for await (const result of socket.iterate({ query: PAGE_READ('SocketPage') })) expect(result.errors).toBeUndefined();
    await waitFor(() => spans().some((span) => span.attributes['graphql.operation.name'] === 'SocketPage'), 'the operation span');
    const operation = operationSpan('SocketPage');
    expect(operation.attributes).toMatchObject({ 'gateway.transport': 'websocket', 'gateway.operation.cost': 3 });
    expect(operation.parentSpanContext).toMatchObject({ traceId: client.traceId, spanId: client.parentId, isRemote: true });
    expect(templates(childrenOf(operation))).toEqual(PAGE_READ_CALLS);
  });

  it('gives each subscription event a span under the subscription, holding the Kazoo calls made for it', async () => {
    const [deviceId] = harness.simulator.control.registeredDeviceIds(harness.accountId);
    const socket = connect(harness.gateway.url, { authToken: harness.token });
    clients.push(socket);
    const subscription = record(
      socket,
      { accountId: harness.accountId, deviceIds: [deviceId] },
      'subscription Watched($accountId: ID!, $deviceIds: [ID!]) { registrationChanged(accountId: $accountId, deviceIds: $deviceIds, initial: true) { deviceId device { raw } } }',
    );
    await waitFor(() => subscription.events.length === 1, 'the initial state');
    subscription.stop();
    await waitFor(() => spans().some((span) => span.attributes['graphql.operation.name'] === 'Watched'), 'the subscription to end');

    const operation = operationSpan('Watched');
    expect(operation).toMatchObject({ name: 'subscription Watched', attributes: { 'graphql.operation.type': 'subscription' } });
    const events = childrenOf(operation).filter((span) => span.name === 'event Watched');
    expect(events).toHaveLength(1);
    expect(templates(childrenOf(events[0] as ReadableSpan))).toEqual(['/v2/accounts/{id}/devices/{id}']);
    // The account's registration polls serve every subscriber: they are no part of this subscription's trace.
    const inTrace = spans().filter((span) => span.spanContext().traceId === operation.spanContext().traceId);
    expect(harness.simulator.control.requests.some((request) => request.path.endsWith('/registrations'))).toBe(true);
    expect(templates(inTrace)).not.toContain('/v2/accounts/{id}/registrations');
  });
});

/** Reads that joined an identical one in flight, from the gateway's metrics. */
async function coalescedReads(): Promise<number> {
  const metric = harness.gateway.metrics.registry.getSingleMetric('kazoo_gateway_upstream_coalesced_total');
  return ((await metric?.get())?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}
