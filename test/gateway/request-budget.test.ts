// No N+1: the dashboard query costs a fixed handful of upstream calls, counted at the upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kazooLogin, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
let accountId: string;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  const account = harness.simulator.control.createAccount({ name: 'big-co', devices: 230, users: 60, registeredRatio: 0.5 });
  accountId = account.accountId;
  token = await kazooLogin(harness.simulator.url, account.apiKey);
});
afterAll(() => harness.close());

const DASHBOARD = `query($a: ID!) { devices(accountId: $a, first: 200) {
  edges { node { id name registration { registered } owner { firstName lastName } } } } }`;

describe('upstream calls per query', () => {
  it('answers the dashboard query for 200 of 230 devices and 60 owners in at most 5 calls', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql<{ devices: { edges: { node: { owner: { firstName: string } | null } }[] } }>(
      DASHBOARD,
      { a: accountId },
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.devices.edges).toHaveLength(200);
    expect(result.data?.devices.edges.filter((edge) => edge.node.owner !== null).length).toBeGreaterThan(100);
    const calls = harness.simulator.control.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{32}/g, '{id}')}`);
    expect(calls.length, calls.join('\n')).toBeLessThanOrEqual(5);
  });

  it('reads each registration list once per account per request however many devices ask', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(
      'query($a: ID!) { devices(accountId: $a, first: 1000) { nodes { registration { registered userAgent } } } registrations(accountId: $a) { deviceId } }',
      { a: accountId },
      { token },
    );
    expect(result.errors).toBeUndefined();
    const registrationCalls = harness.simulator.control.requests.filter(
      (request) => request.path.endsWith('/registrations') || request.path.endsWith('/devices/status'),
    );
    expect(registrationCalls).toHaveLength(1);
  });

  it('fetches each device document once even when several fields need it', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(
      'query($a: ID!) { devices(accountId: $a, first: 10) { nodes { sip { username } callerId { internal { name } } raw } } }',
      { a: accountId },
      { token },
    );
    expect(result.errors).toBeUndefined();
    const gets = harness.simulator.control.requests.filter((request) => /\/devices\/[0-9a-f]{32}$/.test(request.path));
    expect(gets).toHaveLength(10);
  });
});
