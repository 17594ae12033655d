// OpenTelemetry for the gateway process, set up once by main.ts before anything else starts. When an OTLP endpoint is
// configured (OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), a tracer provider is registered
// with the OpenTelemetry API together with the AsyncLocalStorage context manager (a resolver's Kazoo calls find their
// operation's span however Apollo, graphql-jit and DataLoader schedule them) and the W3C trace-context propagator
// (`traceparent`/`tracestate` in from clients, out to Kazoo); spans go out in batches over OTLP/HTTP as JSON. The SDK
// reads the standard variables itself: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG),
// OTEL_BSP_*, OTEL_SPAN_*_LIMIT, OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, _TIMEOUT, _COMPRESSION and certificates.
// Without an endpoint (or with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none) nothing is registered: the API
// stays a no-op, and the gateway adds no span hook.
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigError } from './config.js';
import type { Logger } from './logger.js';

/** `service.name` unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
const DEFAULT_SERVICE_NAME = 'kazoo-graphql-gateway';

export interface Tracing {
  /** The OTLP traces URL spans are sent to; undefined when a test's exporter gets them. */
  readonly endpoint: string | undefined;
  /** Exports the spans ended so far, ends the SDK and unregisters it from the API. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Export failures and other SDK diagnostics are logged here, at warn. */
  logger: Logger;
  /** Tests: spans go here, each as it ends, instead of over OTLP; no endpoint is needed. */
  exporter?: SpanExporter;
}

/** Registers the SDK when tracing is configured; undefined when it is not (nothing registered). */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const env = process.env;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporterName = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || 'otlp';
  if (exporterName === 'none') return undefined;
  if (exporterName !== 'otlp') {
    throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp or none, got ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    if (env[name]?.trim().toLowerCase() === 'grpc') {
      throw new ConfigError(`${name}=grpc is not supported: the gateway exports over OTLP/HTTP (JSON); use the collector's HTTP port (4318)`);
    }
  }
  const endpoint = otlpTracesUrl(env);
  if (options.exporter === undefined && endpoint === undefined) return undefined;

  diag.setLogger(
    {
      error: (message) => options.logger.warn({ component: 'opentelemetry' }, message),
      warn: (message) => options.logger.warn({ component: 'opentelemetry' }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    // Variables win over the default name (the later resource's attributes take precedence in a merge).
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [
      options.exporter === undefined ? new BatchSpanProcessor(new OTLPTraceExporter()) : new SimpleSpanProcessor(options.exporter),
    ],
  });
  // Also the AsyncLocalStorage context manager and the W3C trace-context and baggage propagators.
  provider.register();
  return {
    endpoint: options.exporter === undefined ? endpoint : undefined,
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      }
    },
  };
}

/** Where the OTLP exporter sends traces, by the specification's rule; undefined when neither variable is set. */
function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}
