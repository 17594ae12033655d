// OpenTelemetry spans for GraphQL operations, a hook of the operation pipeline: admission starts an operation's span
// (a child of the trace its client sent, if any), its execution runs with that span as the active context (through
// AsyncLocalStorage, so the Kazoo calls its resolvers make, src/kazoo/call-span.ts, are its children whether
// graphql-js or graphql-jit runs them, however Apollo and DataLoader schedule them), and settling ends it with its
// cost and outcome. The gateway installs this hook only when src/tracing.ts registered an SDK.
//
// Transports hand the client's W3C trace context (`traceparent`, `tracestate`) over as the active context while the
// operation is admitted (continueTrace): HTTP from the request headers, graphql-ws from the connection_init payload.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { GatewayContext } from '../graphql/context.js';
import { operationOutcome } from './operation-outcome.js';
import type { OperationHook } from './operation-pipeline.js';

/** The instrumentation scope of operation spans. */
const GATEWAY_TRACER_NAME = 'kazoo-graphql-gateway';
/** Span names carry the operation name, cut to this length (the metrics cap names the same way). */
const MAX_NAME_LENGTH = 100;
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * The trace a client continues: the W3C trace context in `headers` (HTTP request headers, or the `headers` object
 * of a graphql-ws connection_init payload, any case), or none. Without an SDK registered this is always none.
 */
export function incomingTrace(headers: Readonly<Record<string, unknown>>): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if ((TRACE_HEADERS as readonly string[]).includes(lower) && typeof first === 'string') carrier[lower] = first;
  }
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs `run` (the handling of a request or operation) with the client's trace as the active context. */
export function continueTrace<T>(incoming: Context, run: () => T): T {
  return context.with(incoming, run);
}

export function useTracing(): OperationHook {
  const tracer = trace.getTracer(GATEWAY_TRACER_NAME);
  /** Spans of operations admitted and not yet settled, by the context their resolvers get. */
  const spans = new WeakMap<GatewayContext, Span>();

  return {
    name: 'tracing',
    admit(operation) {
      const name = operation.operation.name?.value;
      const type = operation.operation.operation;
      const span = tracer.startSpan(name === undefined ? type : `${type} ${name.slice(0, MAX_NAME_LENGTH)}`, {
        kind: SpanKind.SERVER,
        attributes: {
          'graphql.operation.type': type,
          ...(name === undefined ? {} : { 'graphql.operation.name': name }),
          'gateway.transport': operation.caller.transport,
          ...(operation.context.session.requestId === undefined ? {} : { 'gateway.request_id': operation.context.session.requestId }),
        },
      });
      spans.set(operation.context, span);
      return undefined;
    },
    execute(operation, run) {
      const span = spans.get(operation.context);
      return span === undefined ? run() : context.with(trace.setSpan(context.active(), span), run);
    },
    settled(settled) {
      // An operation refused before admission (its document did not parse or validate) gets a span of its own now.
      const span =
        spans.get(settled.context) ??
        tracer.startSpan('GraphQL Operation', {
          kind: SpanKind.SERVER,
          startTime: Date.now() - settled.durationMs,
          attributes: { 'gateway.transport': settled.caller.transport },
        });
      spans.delete(settled.context);
      const { outcome } = operationOutcome(settled.operation, settled.errorCodes);
      span.setAttribute('gateway.operation.outcome', outcome);
      if (settled.cost !== undefined) span.setAttribute('gateway.operation.cost', settled.cost);
      if (settled.batched) span.setAttribute('gateway.batched', true);
      if (settled.errorCodes.length > 0) {
        span.setAttribute('error.type', outcome);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      }
      span.end();
    },
  };
}
