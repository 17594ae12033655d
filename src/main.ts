// Start-up: read the configuration, set up tracing when an OTLP endpoint is configured (tracing.ts), start the
// embedded Kazoo simulator when no KAZOO_URL is given (the only place the gateway touches src/simulator), start the
// gateway, and shut them down cleanly on SIGINT/SIGTERM (the last spans are exported after the gateway has drained).
import { createConnection } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as auth from './kazoo/auth.js';
import { KazooClient } from './kazoo/client.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startGateway } from './server/gateway.js';
import { onShutdownSignals } from './server/graceful-shutdown.js';
import { startTracing } from './tracing.js';

/** Demo tokens last a day so a printed token keeps working through a session; real Kazoo tokens last an hour. */
const DEMO_TOKEN_TTL_SECONDS = 86_400;
/** The local broker of a development machine: the embedded simulator and the gateway use it when it answers. */
const LOCAL_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Whether something accepts TCP connections at 127.0.0.1:5672 (within a short wait). */
function localBrokerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 5672 });
    const done = (answers: boolean): void => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.redisUrl !== undefined && config.cursorSecret === undefined) {
    logger.warn('REDIS_URL is set (several instances) but CURSOR_SECRET is not: a cursor from one instance is refused by the others and after a restart');
  }
  const closers: (() => Promise<void>)[] = [];
  // Before any server starts, so that every request finds the context manager and propagator in place.
  const tracing = startTracing({ logger });
  if (tracing !== undefined) {
    closers.push(() => tracing.shutdown());
    logger.info({ endpoint: tracing.endpoint }, 'exporting traces over OTLP/HTTP');
  }

  let kazooUrl = config.kazooUrl;
  let amqpUrl = config.kazooAmqpUrl;
  let demo: { accountId: string; token: string } | undefined;
  if (kazooUrl === undefined) {
    const { startSimulator } = await import('./simulator/index.js');
    // The simulator publishes Kazoo's AMQP events where the gateway consumes them: KAZOO_AMQP_URL, or a local broker.
    amqpUrl ??= (await localBrokerAnswers()) ? LOCAL_AMQP_URL : undefined;
    const simulator = await startSimulator({
      tokenTtlSeconds: DEMO_TOKEN_TTL_SECONDS,
      churn: { intervalMs: 5_000 },
      ...(amqpUrl === undefined ? {} : { amqpUrl }),
    });
    closers.push(() => simulator.close());
    kazooUrl = simulator.url;
    const client = new KazooClient({ baseUrl: kazooUrl, timeoutMs: config.kazooTimeoutMs });
    const login = await auth.withApiKey(client, simulator.demo.apiKey);
    await client.close();
    demo = { accountId: simulator.demo.accountId, token: login.token };
    logger.info({ kazooUrl, amqpEvents: amqpUrl !== undefined }, 'KAZOO_URL is not set: started the embedded Kazoo simulator');
  }

  const gateway = await startGateway({
    kazooUrl,
    port: config.port,
    host: config.host ?? (demo === undefined ? '0.0.0.0' : '127.0.0.1'),
    kazooTimeoutMs: config.kazooTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    introspection: config.introspection,
    graphiql: config.graphiql,
    ...(demo === undefined ? {} : { demo }),
    logger,
    operationLimits: { maxDepth: config.maxQueryDepth, maxAliases: config.maxQueryAliases, maxCost: config.maxQueryCost },
    maxQueryTokens: config.maxQueryTokens,
    allowBatchedRequests: config.batchedRequests,
    maxBatchSize: config.maxBatchSize,
    trustedProxyHops: config.trustProxyHops,
    ...(config.rateLimitPerSecond === 0 ? {} : { rateLimit: { requestsPerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst } }),
    ...(config.costLimitPerSecond === 0 ? {} : { costRateLimit: { perSecond: config.costLimitPerSecond, burst: config.costLimitBurst } }),
    cors: { origins: config.corsOrigins, allowCredentials: config.corsAllowCredentials },
    metrics: config.metricsEnabled,
    tracing: tracing !== undefined,
    circuitBreaker: { failureThreshold: config.circuitBreakerFailures, openMs: config.circuitBreakerOpenMs },
    // In-flight requests get most of the shutdown budget; the rest is for websockets, watchers and Redis.
    drainTimeoutMs: Math.max(config.shutdownTimeoutMs - 2_000, Math.floor(config.shutdownTimeoutMs / 2)),
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    maxConnectionsPerToken: config.maxConnectionsPerToken,
    cursorSecret: config.cursorSecret,
    ...(config.trustedDocuments === undefined ? {} : { trustedDocuments: config.trustedDocuments }),
    trustedDocumentsOnly: config.trustedDocumentsOnly,
    subscriptions: {
      pollMs: config.registrationPollMs,
      documentPollMs: config.documentPollMs,
      reconcileMs: config.reconcileMs,
      expiryGraceMs: config.expiryGraceMs,
      ...(amqpUrl === undefined ? {} : { amqpUrl }),
      queueSize: config.subscriptionQueueSize,
      leaseMs: config.redisLeaseMs,
      ...(config.redisUrl === undefined ? {} : { redis: { url: config.redisUrl, keyPrefix: config.redisKeyPrefix } }),
      ...(config.serviceLogin === undefined ? {} : { serviceLogin: config.serviceLogin }),
    },
  });
  closers.unshift(() => gateway.close());
  const { address } = gateway.httpServer.address() as AddressInfo;
  logger.info({ url: `${gateway.url}/graphql`, address, kazooUrl }, 'gateway listening');

  if (demo !== undefined) {
    // Printed plainly (not through the redacting logger): this is a throwaway token for the local demo account.
    process.stdout.write(
      [
        '',
        `GraphQL:        ${gateway.url}/graphql${config.graphiql ? ' (GraphiQL in a browser)' : ''}`,
        `Dashboard:      ${gateway.url}/dashboard`,
        `CORS origins:   ${config.corsOrigins.join(', ')} (browser dev servers; set CORS_ORIGINS to change)`,
        `Demo account:   ${demo.accountId}`,
        `Demo token:     ${demo.token}`,
        '',
        'Try:',
        `  curl -s ${gateway.url}/graphql -H 'content-type: application/json' -H 'x-auth-token: ${demo.token}' \\`,
        `    -d '{"query":"{ devices(first: 5) { nodes { name deviceType registration { registered } owner { fullName } } } }"}'`,
        '',
      ].join('\n') + '\n',
    );
  }

  onShutdownSignals({ logger, timeoutMs: config.shutdownTimeoutMs, closers });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
