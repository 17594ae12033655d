// Clients trying to hurt everybody else through the gateway's Kazoo client, as the security review did: malformed
// tokens and deep bodies must not open the circuit breaker (D1), a wrong password is INVALID_CREDENTIALS (W11, a
// userError of the login's payload), and
// one tenant reading another's account cannot drain that account's Kazoo rate-limit budget (W3).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ gateway: { circuitBreaker: { failureThreshold: 3, openMs: 60_000 } } });
});
afterEach(() => {
  harness.simulator.control.setFault(null);
  harness.simulator.control.setRateLimit(false);
  harness.simulator.control.resetRequests();
});
afterAll(() => harness.close());

async function breakerState(): Promise<string | undefined> {
  const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  return /kazoo_gateway_circuit_breaker_state\{state="(\w[\w-]*)"\} 1/.exec(metrics)?.[1];
}

// Malformed tokens in every carrier, HTTP and WebSocket: bad-tokens.property.test.ts.
describe('the circuit breaker counts only Kazoo failing (D1)', () => {
  it('deeply nested writes with fake tokens are refused (TOO_DEEP) without calling Kazoo, and leave it closed', async () => {
    const levels = 50_000;
    const query = 'mutation($a: ID!, $id: ID!, $e: JSON) { updateDevice(accountId: $a, id: $id, input: { extra: $e }) { userErrors { code } } }';
    // Written by hand: JSON.stringify itself cannot nest this deep.
    const extra = `${'{"e":'.repeat(levels)}{}${'}'.repeat(levels)}`;
    const body = `{"query":${JSON.stringify(query)},"variables":{"a":"${'0'.repeat(32)}","id":"${'0'.repeat(32)}","e":${extra}}}`;
    for (let call = 0; call < 10; call++) {
      const response = await fetch(`${harness.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': `fake-${call}` },
        body,
      });
      expect(await response.json()).toMatchObject({ data: { updateDevice: { userErrors: [{ code: 'TOO_DEEP' }] } } });
    }
    expect(harness.simulator.control.requests).toEqual([]);
    expect(await breakerState()).toBe('closed');
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
  });
});

describe('logins Kazoo refuses (W11)', () => {
  it('a wrong password or API key is an INVALID_CREDENTIALS userError, with no token and no top-level error', async () => {
    const password = await harness.graphql(
      'mutation { loginWithCredentials(username: "admin", password: "wrong", accountName: "demo") { accessToken { token } userErrors { code message } } }',
      {},
      { token: null },
    );
    expect(password).toMatchObject({
      data: { loginWithCredentials: { accessToken: null, userErrors: [{ code: 'INVALID_CREDENTIALS', message: expect.stringMatching(/wrong username, password or account name/) }] } },
    });
    expect(password.errors).toBeUndefined();
    const apiKey = await harness.graphql(
      'mutation($k: String!) { loginWithApiKey(apiKey: $k) { accessToken { token } userErrors { code } } }',
      { k: 'f'.repeat(64) },
      { token: null },
    );
    expect(apiKey).toMatchObject({ data: { loginWithApiKey: { accessToken: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] } } });
    expect(apiKey.errors).toBeUndefined();
  });
});

describe("one tenant cannot drain another's Kazoo budget (W3)", () => {
  it("an acme token flooding demo's account reaches Kazoo once, and demo's own reads go on", async () => {
    const { control } = harness.simulator;
    const acmeToken = control.issueToken(control.secondary.accountId);
    // Kazoo's bucket for (gateway address, demo): 5 calls, next to no refill.
    control.setRateLimit({ capacity: 5, refillPerSecond: 0.01 });
    const query = 'query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { id } } }';
    for (let call = 0; call < 30; call++) {
      const result = await harness.graphql(query, { a: harness.accountId, n: call + 1 }, { token: acmeToken });
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    }
    expect(control.requests).toHaveLength(1);
    for (let call = 0; call < 3; call++) {
      expect((await harness.graphql(query, { a: harness.accountId, n: 1 })).errors).toBeUndefined();
    }
  });
});
