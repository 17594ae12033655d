// The graphql-http audit suite against the running gateway: every MUST passes; SHOULDs are reported.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

describe('GraphQL over HTTP (graphql-http audits)', () => {
  for (const audit of serverAudits({ url: () => `${harness.gateway.url}/graphql`, fetchFn: fetch })) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (result.status === 'error') throw new Error(result.reason);
      if (audit.name.startsWith('MUST')) expect(result.status).toBe('ok');
    });
  }
});

describe('refused variables', () => {
  it('are the client\'s error: HTTP 400, BAD_USER_INPUT, naming the variable, and nothing reaches Kazoo', async () => {
    const before = harness.simulator.control.requests.length;
    const query = 'query($a: ID!, $first: Int) { devices(accountId: $a, first: $first) { edges { node { id } } } }';
    for (const first of ['ten', 2 ** 40]) {
      const result = await harness.graphql(query, { a: harness.accountId, first });
      expect(result.status).toBe(400);
      expect(result.errors).toEqual([
        expect.objectContaining({ message: expect.stringContaining('Variable "$first" got invalid value'), extensions: { code: 'BAD_USER_INPUT' } }),
      ]);
    }
    const missing = await harness.graphql(query, { a: null });
    expect(missing.status).toBe(400);
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(harness.simulator.control.requests.length).toBe(before);
  });
});

describe('health routes', () => {
  it('/healthz and /readyz answer while Kazoo is up, /readyz fails while it is down', async () => {
    expect((await fetch(`${harness.gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    harness.simulator.control.setFault({ kind: 'status', status: 503 });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // readiness answers are cached for a second
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(503);
    harness.simulator.control.setFault(null);
  });

  it('echoes X-Request-ID and sends it on to Kazoo', async () => {
    harness.simulator.control.resetRequests();
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': harness.token, 'x-request-id': 'trace-me-123' },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    // Answers depend on the caller's token: no shared cache may keep them.
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(harness.simulator.control.requests.map((request) => request.requestId)).toEqual(['trace-me-123']);
  });
});
