// Tracing as an operator turns it on, with the standard OpenTelemetry variables: nothing at all without an OTLP
// endpoint, and with one, spans POSTed over OTLP/HTTP to a real receiver (a node:http server started here).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ConfigError } from '../../src/config.js';
import { startTracing } from '../../src/tracing.js';
import { startHarness } from '../helpers/harness.js';

/** What an OTLP/HTTP JSON export request holds, as far as these tests read it. */
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
  }[];
}

const received: { path: string | undefined; contentType: string | undefined; body: ExportRequest }[] = [];
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url,
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterEach(() => vi.unstubAllEnvs());
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const PAGE_READ = 'query ExportedPage { devices { nodes { name registration { registered } owner { fullName } } } }';
const logger = createLogger('silent');

describe('tracing configured by the environment', () => {
  it('is off without an OTLP endpoint: no SDK, and a client traceparent goes no further', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '');
    expect(startTracing({ logger })).toBeUndefined();
    const harness = await startHarness();
    try {
      const result = await harness.graphql(PAGE_READ, undefined, {
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      });
      expect(result.errors).toBeUndefined();
      expect(harness.simulator.control.requests.length).toBe(3);
      expect(harness.simulator.control.requests.map((request) => request.traceparent)).toEqual([undefined, undefined, undefined]);
    } finally {
      await harness.close();
    }
  });

  it('refuses an exporter or protocol it cannot honour, naming the variable', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiverUrl);
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    expect(() => startTracing({ logger })).toThrow(ConfigError);
    expect(() => startTracing({ logger })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc/);
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', '');
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'zipkin');
    expect(() => startTracing({ logger })).toThrow(/OTEL_TRACES_EXPORTER/);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    expect(startTracing({ logger })).toBeUndefined();
  });

  it('exports the spans of an operation and its Kazoo calls to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiverUrl);
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=test');
    const tracing = startTracing({ logger });
    expect(tracing?.endpoint).toBe(`${receiverUrl}/v1/traces`);
    const harness = await startHarness({ gateway: { tracing: true } });
    try {
      const result = await harness.graphql(PAGE_READ);
      expect(result.errors).toBeUndefined();
    } finally {
      await harness.close();
      // Exports what the batch still holds, as at the end of a graceful shutdown.
      await tracing?.shutdown();
    }

    expect(received.length).toBeGreaterThan(0);
    expect(received.every((request) => request.path === '/v1/traces' && request.contentType === 'application/json')).toBe(true);
    const resourceSpans = received.flatMap((request) => request.body.resourceSpans);
    const attributes = Object.fromEntries(
      (resourceSpans[0]?.resource.attributes ?? []).map((attribute) => [attribute.key, attribute.value.stringValue]),
    );
    expect(attributes).toMatchObject({ 'service.name': 'kazoo-graphql-gateway', 'deployment.environment.name': 'test' });
    const exported = resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const operation = exported.find((span) => span.name === 'query ExportedPage');
    expect(operation).toBeDefined();
    const calls = exported.filter((span) => span.traceId === operation?.traceId && span.parentSpanId === operation.spanId);
    expect(calls.map((span) => span.name).sort()).toEqual([
      'GET /v2/accounts/{id}/devices',
      'GET /v2/accounts/{id}/registrations',
      'GET /v2/accounts/{id}/users',
    ]);
  });
});
