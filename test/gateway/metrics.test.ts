// Prometheus metrics at /metrics: operations by name and outcome, upstream calls by route template with status and
// latency, the breaker's state, and label values that stay bounded (no ids, capped operation names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

async function scrape(target = harness): Promise<Response> {
  return fetch(`${target.gateway.url}/metrics`);
}

async function operationNames(target = harness): Promise<Set<string | undefined>> {
  const text = await (await scrape(target)).text();
  return new Set([...text.matchAll(/kazoo_gateway_graphql_operations_total\{operation="([^"]+)"/g)].map((match) => match[1]));
}

describe('/metrics', () => {
  it('counts operations by name, type and outcome, and upstream calls by route template', async () => {
    await harness.graphql('query Dashboard($a: ID!) { devices(accountId: $a, first: 3) { nodes { name registration { registered } } } }', {
      a: harness.accountId,
    });
    await harness.graphql('query Anonymous { viewer { accountId } }', {}, { token: null });
    // Refused by Kazoo for this token: a top-level error (an input the gateway refuses is a userError, not an outcome).
    await harness.graphql('mutation Forbidden($a: ID!) { createDevice(accountId: $a, input: { name: "x" }) { device { kazooId } } }', {
      a: harness.simulator.control.secondary.accountId,
    });

    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('kazoo_gateway_graphql_operations_total{operation="Dashboard",type="query",outcome="success",transport="http"} 1');
    // Without a token Kazoo accepted, a request cannot give its name a place (see below).
    expect(text).toContain('kazoo_gateway_graphql_operations_total{operation="(other)",type="query",outcome="UNAUTHENTICATED",transport="http"} 1');
    expect(text).toContain('kazoo_gateway_graphql_operations_total{operation="Forbidden",type="mutation",outcome="FORBIDDEN",transport="http"} 1');
    expect(text).toContain('kazoo_gateway_upstream_requests_total{method="GET",route="/v2/accounts/{id}/devices",status="200",outcome="ok"} 1');
    expect(text).toContain('kazoo_gateway_upstream_requests_total{method="GET",route="/v2/accounts/{id}/registrations",status="200",outcome="ok"} 1');
    expect(text).toMatch(/kazoo_gateway_upstream_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/v2\/accounts\/\{id\}\/devices"\} \d/);
    expect(text).toContain('kazoo_gateway_circuit_breaker_state{state="closed"} 1');
    expect(text).toContain('kazoo_gateway_subscriptions_active 0');
    expect(text).toContain('kazoo_gateway_registration_watchers_active 0');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toMatch(/[0-9a-f]{32}/);
  });

  it('counts operations under at most 200 names, the rest as (other)', async () => {
    for (let index = 0; index < 205; index++) await harness.graphql(`query Name${index} { __typename }`);
    const names = await operationNames();
    expect(names.size).toBeLessThanOrEqual(201);
    expect(names).toContain('(other)');
  });

  it('gives names a place only for tokens Kazoo accepted, so made-up tokens cannot crowd out real operations', async () => {
    const fresh = await startHarness();
    try {
      for (let index = 0; index < 210; index++) {
        await fresh.graphql(`query Junk${index} { __typename }`, {}, { token: index % 2 === 0 ? null : `made-up-${index}` });
      }
      await fresh.graphql('query Dashboard { viewer { accountId } }');
      const names = await operationNames(fresh);
      expect([...names].filter((name) => name?.startsWith('Junk'))).toEqual([]);
      expect(names).toContain('Dashboard');
    } finally {
      await fresh.close();
    }
  });

  it('can be turned off', async () => {
    const quiet = await startHarness({ gateway: { metrics: false } });
    try {
      expect((await scrape(quiet)).status).toBe(404);
    } finally {
      await quiet.close();
    }
  });
});
