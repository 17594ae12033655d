// The production settings in the environment: their defaults, and a clear refusal of bad values naming the variable.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('production settings', () => {
  it('default to the values the README documents', () => {
    expect(loadConfig({})).toMatchObject({
      maxQueryDepth: 12,
      maxQueryAliases: 30,
      maxQueryCost: 100,
      maxQueryTokens: 5_000,
      batchedRequests: false,
      maxBatchSize: 10,
      rateLimitPerSecond: 50,
      rateLimitBurst: 100,
      // Kazoo's own per-account bucket.
      costLimitPerSecond: 10,
      costLimitBurst: 100,
      trustProxyHops: 0,
      corsOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
      corsAllowCredentials: false,
      metricsEnabled: true,
      circuitBreakerFailures: 10,
      circuitBreakerOpenMs: 5_000,
      shutdownTimeoutMs: 15_000,
      maxConnectionsPerAddress: 200,
      maxConnectionsPerToken: 10,
      introspection: true,
    });
  });

  it('turn introspection and GraphiQL off with NODE_ENV=production, unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ introspection: false, graphiql: false });
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true', GRAPHIQL: 'true' })).toMatchObject({ introspection: true, graphiql: true });
  });

  it('reads each of them from the environment', () => {
    expect(
      loadConfig({
        MAX_QUERY_DEPTH: '8',
        MAX_QUERY_ALIASES: '0',
        MAX_QUERY_COST: '1000',
        MAX_QUERY_TOKENS: '2000',
        BATCHED_REQUESTS: 'true',
        MAX_BATCH_SIZE: '5',
        RATE_LIMIT_PER_SECOND: '0',
        RATE_LIMIT_BURST: '10',
        COST_LIMIT_PER_SECOND: '0',
        COST_LIMIT_BURST: '500',
        TRUST_PROXY_HOPS: '2',
        METRICS_ENABLED: 'false',
        CIRCUIT_BREAKER_FAILURES: '3',
        CIRCUIT_BREAKER_OPEN_MS: '2000',
        SHUTDOWN_TIMEOUT_MS: '30000',
        MAX_CONNECTIONS_PER_ADDRESS: '0',
        MAX_CONNECTIONS_PER_TOKEN: '3',
      }),
    ).toMatchObject({
      maxQueryDepth: 8,
      maxQueryAliases: 0,
      maxQueryCost: 1_000,
      maxQueryTokens: 2_000,
      batchedRequests: true,
      maxBatchSize: 5,
      rateLimitPerSecond: 0,
      rateLimitBurst: 10,
      costLimitPerSecond: 0,
      costLimitBurst: 500,
      trustProxyHops: 2,
      metricsEnabled: false,
      circuitBreakerFailures: 3,
      circuitBreakerOpenMs: 2_000,
      shutdownTimeoutMs: 30_000,
      maxConnectionsPerAddress: 0,
      maxConnectionsPerToken: 3,
    });
  });

  it.each([
    ['MAX_QUERY_DEPTH', '1'],
    ['MAX_QUERY_COST', '0'],
    ['MAX_QUERY_TOKENS', 'lots'],
    ['MAX_BATCH_SIZE', '0'],
    ['RATE_LIMIT_PER_SECOND', '-1'],
    ['RATE_LIMIT_BURST', '0'],
    ['COST_LIMIT_PER_SECOND', '-1'],
    ['COST_LIMIT_BURST', '0'],
    ['TRUST_PROXY_HOPS', '-1'],
    ['CIRCUIT_BREAKER_FAILURES', '0'],
    ['SHUTDOWN_TIMEOUT_MS', '10'],
    ['BATCHED_REQUESTS', 'maybe'],
    ['METRICS_ENABLED', '2'],
    ['MAX_CONNECTIONS_PER_TOKEN', '-1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  it('refuses an operation budget larger than a full bucket of Kazoo calls, which no operation could then pass', () => {
    expect(() => loadConfig({ MAX_QUERY_COST: '250' })).toThrow(/^MAX_QUERY_COST \(250\) must not exceed COST_LIMIT_BURST \(100\)/);
    expect(loadConfig({ MAX_QUERY_COST: '250', COST_LIMIT_BURST: '250' })).toMatchObject({ maxQueryCost: 250, costLimitBurst: 250 });
    expect(loadConfig({ MAX_QUERY_COST: '250', COST_LIMIT_PER_SECOND: '0' })).toMatchObject({ maxQueryCost: 250 });
  });
});
