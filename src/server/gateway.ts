// The gateway process: one node:http server carrying GraphQL over HTTP and WebSocket at /graphql, over Server-Sent
// Events at /graphql/stream, and the health routes, around Apollo Server and one shared Kazoo client. `startGateway`
// is what main.ts and the tests start. Every operation, whatever its transport, goes through one operation pipeline
// (operation-pipeline.ts) whose hooks are the use-*.ts modules wired here: spans (when tracing), operation limits,
// cost-charged rate limit, cost extension, collapsed errors, error logs, metrics, operation logs. Routes (GraphiQL,
// dashboard, health, CORS) are wired here too; close() drains in-flight requests before letting go of Kazoo.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { GraphQLError } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createContext, tokenFromHeaders } from '../graphql/context.js';
import type { GatewayContext } from '../graphql/context.js';
import { CursorCodec } from '../graphql/pagination.js';
import { buildGatewaySchema, schemaSource } from '../graphql/schema.js';
import { KazooClient } from '../kazoo/client.js';
import type { KazooClientOptions } from '../kazoo/client.js';
import { ListingSizes } from '../loaders/index.js';
import type { Logger } from '../logger.js';
import { LiveData } from '../subscriptions/live-data.js';
import type { LiveDataSettings } from '../subscriptions/live-data.js';
import { noIntrospection, TOO_DEEP_TO_PARSE } from './document-rules.js';
import type { DocumentRules } from './document-rules.js';
import { ClientGoneError, graphqlOverHttp, sendJsonError } from './graphql-over-http.js';
import { requestIdOf } from './request-id.js';
import { loadUiBuild } from './ui-build.js';
import type { DemoCredentials } from '../ui/shared/page-config.js';
import { useDashboard } from './use-dashboard.js';
import { useErrorLogging } from './use-error-logging.js';
import { useGraphiQL } from './use-graphiql.js';
import { useGraphqlWs } from './use-graphql-ws.js';
import { kazooReadiness, useHealthCheck } from './use-health-check.js';
import {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
  DEFAULT_MAX_QUERY_TOKENS,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
} from './defaults.js';
import { createConnectionCaps } from './connection-caps.js';
import { DocumentRegistry } from './document-registry.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { createOperationPipeline } from './operation-pipeline.js';
import { apolloPipelinePlugin } from './transports/apollo.js';
import { SSE_PATH, useSse } from './transports/sse.js';
import { useCollapsedErrors } from './use-collapsed-errors.js';
import { useCompiledExecution } from './use-compiled-execution.js';
import { useCostExtension } from './use-cost-extension.js';
import { useCostRateLimit } from './use-cost-rate-limit.js';
import { useCors } from './use-cors.js';
import type { CorsOptions } from './use-cors.js';
import { useMetrics } from './use-metrics.js';
import { costModelFor } from './cost-rules.js';
import { MAX_ANALYSED_SELECTIONS } from './operation-cost.js';
import type { GatewayMetrics } from './use-metrics.js';
import { DEFAULT_OPERATION_LIMITS, useOperationLimits } from './use-operation-limits.js';
import type { OperationLimits } from './use-operation-limits.js';
import { rateLimitKey, useRateLimit } from './use-rate-limit.js';
import type { RateLimitOptions } from './use-rate-limit.js';
import { useRequestLogging } from './use-request-logging.js';
import { continueTrace, incomingTrace, useTracing } from './use-tracing.js';

/** An HTTP route: one path, whatever the method (the handler answers 405 itself where it matters). */
type RouteHandler = (request: IncomingMessage, response: ServerResponse, requestId: string) => void | Promise<void>;

export interface GatewayOptions {
  kazooUrl: string;
  port: number;
  host: string;
  kazooTimeoutMs: number;
  maxBodyBytes: number;
  introspection: boolean;
  logger: Logger;
  /** Serve GraphiQL to browsers on GET /graphql (default true; config.ts turns it off in production). */
  graphiql?: boolean;
  /** Embedded-simulator mode: the demo token and account the GraphiQL and dashboard pages pre-fill. */
  demo?: DemoCredentials;
  /** The built browser UI (default: this project's dist/ui, written by `npm run build`). */
  uiDir?: string;
  /** Depth, alias and cost limits per operation (defaults: DEFAULT_OPERATION_LIMITS). */
  operationLimits?: Partial<OperationLimits>;
  /** Largest GraphQL document in lexical tokens, refused while parsing (default 5000). */
  maxQueryTokens?: number;
  /** Accept several operations in one POST (a JSON array), at most `maxBatchSize` of them (default 10). Off by default. */
  allowBatchedRequests?: boolean;
  maxBatchSize?: number;
  /** Requests per token (or address) at /graphql, over HTTP and WebSocket; no limit when absent. */
  rateLimit?: Pick<RateLimitOptions, 'requestsPerSecond' | 'burst' | 'trustedProxyHops'>;
  /** Estimated Kazoo calls per token (or address), over HTTP and WebSocket (use-cost-rate-limit.ts); none when absent. */
  costRateLimit?: { perSecond: number; burst: number };
  /** Proxies in front of the gateway trusted to report the client's address (use-rate-limit.ts clientAddress). */
  trustedProxyHops?: number;
  /** CORS for browser frontends on other origins; no CORS headers when absent (preflights are refused as CORS). */
  cors?: CorsOptions;
  /** Serve Prometheus metrics at /metrics (default true). */
  metrics?: boolean;
  /** Spans for operations (use-tracing.ts), for when src/tracing.ts has registered an OpenTelemetry SDK (default false). */
  tracing?: boolean;
  /** The circuit breaker in front of Kazoo (defaults: see src/kazoo/circuit-breaker.ts). */
  circuitBreaker?: { failureThreshold?: number; openMs?: number };
  /** The Kazoo client's clock and waits (back-offs, retry delays, the breaker's open period); default: real time. For tests. */
  kazooClock?: Pick<KazooClientOptions, 'now' | 'sleep'>;
  /** How long close() lets in-flight requests finish before cutting their connections (default 10 s). */
  drainTimeoutMs?: number;
  /** Operations one WebSocket may run at once (default 20). */
  maxSubscriptionsPerConnection?: number;
  /** WebSockets open at once per client address (default 200) and per token (default 10); 0: no cap. */
  maxConnectionsPerAddress?: number;
  maxConnectionsPerToken?: number;
  /** Live registrations over graphql-ws: poll interval, queue size, Redis, service credential (see src/subscriptions). */
  subscriptions?: LiveDataSettings;
  /** Key that signs cursors (CURSOR_SECRET); absent: a random key, so cursors die with the process and its instance. */
  cursorSecret?: string;
  /** Documents clients may name by `documentId` (TRUSTED_DOCUMENTS), beside the built UI's own, which are always trusted. */
  trustedDocuments?: TrustedDocuments;
  /** Run trusted documents only, and no automatic persisted queries (TRUSTED_DOCUMENTS_ONLY; default false). */
  trustedDocumentsOnly?: boolean;
}

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly httpServer: Server;
  readonly client: KazooClient;
  /** The gateway's Prometheus registry and recorders (subscription transports report their gauges here). */
  readonly metrics: GatewayMetrics;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const metrics = useMetrics();
  const requestLogging = useRequestLogging(logger);
  const client = new KazooClient({
    baseUrl: options.kazooUrl,
    timeoutMs: options.kazooTimeoutMs,
    ...(options.circuitBreaker === undefined ? {} : { circuitBreaker: options.circuitBreaker }),
    ...options.kazooClock,
    ...metrics.clientHooks,
    onAttempt: (attempt) => {
      metrics.clientHooks.onAttempt(attempt);
      requestLogging.upstreamAttempt(attempt);
    },
    onCircuitStateChange: (state, previous) => {
      metrics.clientHooks.onCircuitStateChange(state, previous);
      logger.warn({ state, previous }, `Kazoo circuit breaker ${state}`);
    },
  });
  metrics.observeCircuit(() => client.circuitState);
  const schema = buildGatewaySchema();
  // Refuses to start when a field that may call Kazoo has no cost rule (cost-rules.ts): never serve what cannot be costed.
  costModelFor(schema);
  const listingSizes = new ListingSizes();
  const httpServer = createServer();
  const live = new LiveData(client, logger, {
    ...options.subscriptions,
    onPoll: (outcome) => metrics.registrationPoll(outcome),
  });
  metrics.observeSubscriptions({
    subscriptions: () => live.stats().subscribers,
    watchers: () => live.stats().accounts,
    amqpLive: () => live.stats().source === 'amqp',
  });
  const operationLimits = { ...DEFAULT_OPERATION_LIMITS, ...options.operationLimits };
  const cursors = options.cursorSecret === undefined ? CursorCodec.withRandomKey() : new CursorCodec(options.cursorSecret);
  const documentRules: DocumentRules = {
    maxTokens: options.maxQueryTokens ?? DEFAULT_MAX_QUERY_TOKENS,
    // Fragments expanded, the most selections an operation may have: the operation limits bound the same.
    maxSelections: MAX_ANALYSED_SELECTIONS,
    introspection: options.introspection,
  };
  // Kazoo's word on a token, as the client last heard it: only then does it get a rate bucket or metric name of its own.
  const tokenAccepted = (token: string): boolean => client.tokenVerdict(token) === 'accepted';
  const trustedProxyHops = options.trustedProxyHops ?? options.rateLimit?.trustedProxyHops ?? 0;
  const rateLimit =
    options.rateLimit === undefined
      ? undefined
      : useRateLimit({ ...options.rateLimit, trustedProxyHops, tokenAccepted, onLimited: () => metrics.rateLimited() });
  const costLimit =
    options.costRateLimit === undefined
      ? undefined
      : useRateLimit({ requestsPerSecond: options.costRateLimit.perSecond, burst: options.costRateLimit.burst, tokenAccepted });
  const ui = loadUiBuild(options.uiDir);
  const trustedDocumentsOnly = options.trustedDocumentsOnly === true;
  const registry = new DocumentRegistry(schema, documentRules, {
    documents: new Map([...(ui?.trustedDocuments ?? []), ...(options.trustedDocuments ?? [])]),
    only: trustedDocumentsOnly,
  });
  const pipeline = createOperationPipeline([
    // First, so that operations the limits refuse are traced too.
    ...(options.tracing === true ? [useTracing()] : []),
    useOperationLimits(operationLimits, registry),
    ...(costLimit === undefined ? [] : [useCostRateLimit(costLimit, () => metrics.rateLimited())]),
    requestLogging.hook,
    useCostExtension({ maxCost: operationLimits.maxCost, ...(costLimit === undefined ? {} : { standing: costLimit.standing }) }),
    useCollapsedErrors(),
    useErrorLogging(logger),
    metrics.hook((context) => context.session.token !== undefined && tokenAccepted(context.session.token)),
  ]);
  const connectionCaps = createConnectionCaps(
    options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    options.maxConnectionsPerToken ?? DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
  );
  const graphqlWs = useGraphqlWs({
    schema,
    client,
    live,
    logger,
    maxPayloadBytes: options.maxBodyBytes,
    registry,
    pipeline,
    cursors,
    listingSizes,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    rateLimiter: rateLimit,
    connectionCaps,
    trustedProxyHops,
  });
  const sse = useSse({
    schema,
    client,
    live,
    logger,
    maxBodyBytes: options.maxBodyBytes,
    registry,
    pipeline,
    cursors,
    listingSizes,
    connectionCaps,
    trustedProxyHops,
  });

  const apollo = new ApolloServer<GatewayContext>({
    // Apollo parses (through the shared registry), validates and hands operations to the pipeline; they then run as
    // compiled queries (use-compiled-execution.ts).
    gateway: useCompiledExecution(schema, schemaSource, pipeline).gateway,
    documentStore: registry.apolloStore,
    // The same document rules as over WebSocket (document-rules.ts), in Apollo's own settings and with its rules.
    introspection: true,
    validationRules: documentRules.introspection ? [] : [noIntrospection],
    hideSchemaDetailsFromClientErrors: !documentRules.introspection,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // main.ts runs the shutdown on SIGTERM/SIGINT. Apollo's own handler would call stop() concurrently with ours,
    // and Apollo 5 never settles a stop() that overlaps another one, so close() would hang.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: options.allowBatchedRequests === true,
    // Automatic persisted queries let any client register a document: not where only trusted ones may run.
    ...(trustedDocumentsOnly ? { persistedQueries: false as const } : {}),
    parseOptions: { maxTokens: documentRules.maxTokens },
    maxRecursiveSelections: documentRules.maxSelections,
    // A document nested too deep for the parser's stack: our message, not the engine's.
    formatError: (formatted, error) =>
      formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && overflowedStack(error)
        ? { ...formatted, message: TOO_DEEP_TO_PARSE }
        : formatted,
    logger: {
      debug: (message) => logger.debug(message),
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainTimeoutMs ?? 10_000 }),
      graphqlWs.plugin,
      sse.plugin,
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's default cache-control plugin hooks every resolved field (about half the CPU of a 50-device page,
      // see BENCHMARKS.md) to compute cache hints we never set; graphql-over-http.ts sends `no-store` itself.
      ApolloServerPluginCacheControlDisabled(),
      apolloPipelinePlugin(pipeline),
    ],
  });
  await apollo.start();

  const graphql = graphqlOverHttp({
    apollo,
    maxBodyBytes: options.maxBodyBytes,
    documents: registry,
    ...(options.allowBatchedRequests === true ? { maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE } : {}),
    context: async (request, requestId, signal) => {
      const context = createContext(client, cursors, listingSizes, tokenFromHeaders(request.headers), requestId, signal);
      // Hashed only if a hook asks (the cost rate limit, the cost extension), and then once with the request guard.
      pipeline.bindCaller(context.session, {
        transport: 'http',
        get rateKey() {
          return rateLimitKey(request, tokenAccepted, trustedProxyHops);
        },
      });
      return context;
    },
  });
  const health = useHealthCheck(kazooReadiness(client));
  const graphqlApi = rateLimit === undefined ? graphql : rateLimit.guard(graphql);
  // Even with no origins allowed: a preflight gets a CORS refusal, not Apollo's CSRF error.
  const cors = useCors(options.cors ?? { origins: [] });
  const graphiql = options.graphiql === false ? undefined : useGraphiQL({ build: ui, demo: options.demo });

  const routes = new Map<string, RouteHandler>([
    ['/graphql', graphiql === undefined ? graphqlApi : graphiql.graphqlRoute(graphqlApi)],
    [SSE_PATH, rateLimit === undefined ? sse.handle : rateLimit.guard(sse.handle)],
    ['/healthz', (_request, response) => health.healthz(response)],
    ['/readyz', (_request, response) => health.readyz(response)],
    ...(options.metrics === false ? [] : [['/metrics', metrics.serve] as const]),
    ...(graphiql?.assetRoutes ?? []),
    ...useDashboard({ build: ui, demo: options.demo }),
  ]);

  const serveRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const requestId = requestIdOf(request);
    response.setHeader('x-request-id', requestId);
    requestLogging.trackHttp(request, response, requestId);
    if (cors.handle(request, response)) return;
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = routes.get(path);
    Promise.resolve()
      .then(() =>
        route === undefined
          ? sendJsonError(response, 404, 'NOT_FOUND', `No route ${path}; GraphQL is served at /graphql`)
          : route(request, response, requestId),
      )
      .catch((error: unknown) => {
        // Any client can abort at will: trackHttp already logs it at info; an error line each would flood alerting.
        if (error instanceof ClientGoneError) {
          response.destroy();
          return;
        }
        logger.error({ err: error, requestId }, 'request failed');
        if (!response.headersSent) sendJsonError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        else response.destroy();
      });
  };
  // Traced, a request is handled in the trace its client sent (W3C traceparent): the parent of its operations' spans.
  httpServer.on(
    'request',
    options.tracing === true
      ? (request: IncomingMessage, response: ServerResponse) => continueTrace(incomingTrace(request.headers), () => serveRequest(request, response))
      : serveRequest,
  );

  // WebSocket (graphql-ws) shares the port and the /graphql path with HTTP.
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/graphql') graphqlWs.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    httpServer,
    client,
    metrics,
    close() {
      closing ??= (async () => {
        // Drains HTTP and closes every WebSocket first (in-flight requests finish, up to drainTimeoutMs); then the
        // registration watchers stop and release their leases; nothing needs Kazoo after that.
        try {
          await apollo.stop();
        } finally {
          await live.close();
          await client.destroy();
        }
      })();
      return closing;
    },
  };
}

/** Whether an error (Apollo wraps the parser's in two GraphQL errors) comes from a stack overflow. */
function overflowedStack(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause instanceof GraphQLError ? cause.originalError : undefined) {
    if (cause instanceof RangeError) return true;
  }
  return false;
}
