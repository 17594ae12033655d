// Prometheus metrics at /metrics (prom-client), one registry per gateway: GraphQL operations by name, type and
// outcome; upstream Crossbar calls by route template (ids replaced by placeholders), status and latency; reads
// coalesced and calls refused by the circuit breaker; the breaker's state; requests refused by the gateway's rate
// limit; live subscriptions, registration watchers and their polls; and Node's process metrics.
// Label values come from bounded sets only: operation names are capped, routes are templates, codes are checked.
// A new operation name takes one of the capped places only when its request carries a token Kazoo has accepted:
// anyone can send a thousand made-up names, which would otherwise push the real ones into `(other)`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayContext } from '../graphql/context.js';
import type { CircuitState } from '../kazoo/circuit-breaker.js';
import type { KazooClientOptions, UpstreamAttempt } from '../kazoo/client.js';
import { routeTemplate } from '../kazoo/route-template.js';
import { operationOutcome } from './operation-outcome.js';
import type { OperationHook } from './operation-pipeline.js';

/** Distinct operation names tracked; later names are counted as `(other)` so a client cannot explode the series. */
const MAX_OPERATION_NAMES = 200;
const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'half-open', 'open'];

/** What a subscription transport reports, read at each scrape. */
interface SubscriptionGauges {
  /** Subscriptions being served now. */
  subscriptions(): number;
  /** Registration watchers running now (one per watched account on this instance). */
  watchers(): number;
  /** Whether Kazoo's AMQP events are being received now (false when not configured or disconnected). */
  amqpLive(): boolean;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Hooks for the Kazoo client. */
  readonly clientHooks: Required<
    Pick<KazooClientOptions, 'onAttempt' | 'onCoalesced' | 'onCircuitRejected' | 'onCircuitStateChange'>
  >;
  /** The breaker whose state is exported. */
  observeCircuit(state: () => CircuitState): void;
  observeSubscriptions(gauges: SubscriptionGauges): void;
  /** One poll of Kazoo's registrations by a watcher. */
  registrationPoll(outcome: 'ok' | 'error'): void;
  rateLimited(): void;
  /**
   * Counts operations of every transport (a hook of the operation pipeline); `mayAddName` says whether an
   * operation's caller may give a new operation name a place of its own.
   */
  hook(mayAddName: (context: GatewayContext) => boolean): OperationHook;
  /** The /metrics route. */
  serve(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

export function useMetrics(options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const operations = new Counter({
    name: 'kazoo_gateway_graphql_operations_total',
    help: 'GraphQL operations by operation name, type, outcome (success, or the code of the first error) and transport (http, websocket, sse).',
    labelNames: ['operation', 'type', 'outcome', 'transport'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: 'kazoo_gateway_graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its response (a subscription: to its end).',
    labelNames: ['operation', 'type', 'transport'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const upstreamRequests = new Counter({
    name: 'kazoo_gateway_upstream_requests_total',
    help: 'Attempts of Crossbar calls by method, route template, HTTP status (none when no answer came) and outcome.',
    labelNames: ['method', 'route', 'status', 'outcome'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'kazoo_gateway_upstream_request_duration_seconds',
    help: 'Latency of one attempt of a Crossbar call, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const coalesced = new Counter({
    name: 'kazoo_gateway_upstream_coalesced_total',
    help: 'Reads that joined an identical read (same token) already on its way instead of calling Kazoo.',
    labelNames: ['route'] as const,
    registers,
  });
  const circuitRejected = new Counter({
    name: 'kazoo_gateway_upstream_circuit_rejected_total',
    help: 'Crossbar calls failed at once because the circuit breaker was open.',
    labelNames: ['route'] as const,
    registers,
  });
  const circuitTransitions = new Counter({
    name: 'kazoo_gateway_circuit_breaker_transitions_total',
    help: 'Changes of the circuit breaker state, by the state entered.',
    labelNames: ['state'] as const,
    registers,
  });
  let circuitState: (() => CircuitState) | undefined;
  new Gauge({
    name: 'kazoo_gateway_circuit_breaker_state',
    help: 'The circuit breaker in front of Kazoo: 1 for the current state (closed, half-open, open), 0 otherwise.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const current = circuitState?.() ?? 'closed';
      for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const rateLimitedRequests = new Counter({
    name: 'kazoo_gateway_rate_limited_requests_total',
    help: "Requests refused by the gateway's per-token rate limit.",
    registers,
  });
  let subscriptionGauges: SubscriptionGauges | undefined;
  new Gauge({
    name: 'kazoo_gateway_subscriptions_active',
    help: 'GraphQL subscriptions being served by this instance.',
    registers,
    collect() {
      this.set(subscriptionGauges?.subscriptions() ?? 0);
    },
  });
  new Gauge({
    name: 'kazoo_gateway_registration_watchers_active',
    help: 'Registration watchers (Kazoo pollers, one per watched account) running on this instance.',
    registers,
    collect() {
      this.set(subscriptionGauges?.watchers() ?? 0);
    },
  });
  new Gauge({
    name: 'kazoo_gateway_amqp_events_live',
    help: "1 while Kazoo's AMQP events (KAZOO_AMQP_URL) are being received, 0 when not configured or disconnected (live data polls then).",
    registers,
    collect() {
      this.set(subscriptionGauges?.amqpLive() === true ? 1 : 0);
    },
  });
  const polls = new Counter({
    name: 'kazoo_gateway_registration_polls_total',
    help: "Polls of Kazoo's registrations by registration watchers, by outcome.",
    labelNames: ['outcome'] as const,
    registers,
  });

  const operationNames = new Set<string>();
  /** `mayAdd` is asked only for a name not tracked yet while there is room (it hashes the token). */
  const boundedName = (fullName: string, mayAdd: () => boolean): string => {
    const name = fullName.slice(0, 100);
    if (operationNames.has(name)) return name;
    if (operationNames.size >= MAX_OPERATION_NAMES || !mayAdd()) return '(other)';
    operationNames.add(name);
    return name;
  };

  return {
    registry,
    clientHooks: {
      onAttempt(attempt: UpstreamAttempt) {
        const route = routeTemplate(attempt.path);
        upstreamRequests.inc({
          method: attempt.method,
          route,
          status: attempt.status === undefined ? 'none' : String(attempt.status),
          outcome: attempt.outcome,
        });
        upstreamDuration.observe({ method: attempt.method, route }, attempt.durationMs / 1000);
      },
      onCoalesced(path) {
        coalesced.inc({ route: routeTemplate(path) });
      },
      onCircuitRejected(path) {
        circuitRejected.inc({ route: routeTemplate(path) });
      },
      onCircuitStateChange(state) {
        circuitTransitions.inc({ state });
      },
    },
    observeCircuit(state) {
      circuitState = state;
    },
    observeSubscriptions(gauges) {
      subscriptionGauges = gauges;
    },
    registrationPoll(outcome) {
      polls.inc({ outcome });
    },
    rateLimited() {
      rateLimitedRequests.inc();
    },
    hook: (mayAddName) => ({
      name: 'metrics',
      settled(settled) {
        const { name, type, outcome } = operationOutcome(settled.operation, settled.errorCodes);
        const operation = boundedName(name, () => mayAddName(settled.context));
        const { transport } = settled.caller;
        operations.inc({ operation, type, outcome, transport });
        operationDuration.observe({ operation, type, transport }, settled.durationMs / 1000);
      },
    }),
    async serve(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.statusCode = 405;
        response.setHeader('allow', 'GET, HEAD');
        response.end();
        return;
      }
      const body = await registry.metrics();
      response.statusCode = 200;
      response.setHeader('content-type', registry.contentType);
      response.setHeader('cache-control', 'no-store');
      response.end(request.method === 'HEAD' ? undefined : body);
    },
  };
}
