// The graphql-http audit suite (GraphQL over HTTP) against a gateway with its default settings, run as a client with
// one token runs it: every MUST passes and every SHOULD and MAY has the outcome recorded beside this file in
// graphql-over-http.audits.json, which says why wherever the gateway does not pass. Any change, a regression or an
// audit that now passes, fails the test, so the record is only ever updated on purpose. Then the gateway's own routes.
import { serverAudits } from 'graphql-http';
import type { AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import recordedAudits from './graphql-over-http.audits.json' with { type: 'json' };

/** An audit's outcome as the record holds it; one that does not pass also has the HTTP status that failed it, and why. */
interface AuditOutcome {
  name: string;
  status: string;
  answered?: number;
  why?: string;
}

interface AuditRun {
  id: string;
  outcome: AuditOutcome;
  /** The HTTP status of each request the audit sent. */
  statuses: number[];
}

const recorded: Record<string, AuditOutcome> = recordedAudits;

function outcomeOf(result: AuditResult): AuditOutcome {
  return result.status === 'ok'
    ? { name: result.name, status: result.status }
    : { name: result.name, status: result.status, answered: result.response.status };
}

/** What an audit must come out as: a MUST passes; a SHOULD or MAY as recorded (undefined when it is not). */
function expectedOutcome(run: AuditRun): AuditOutcome | undefined {
  if (run.outcome.name.startsWith('MUST')) return { name: run.outcome.name, status: 'ok' };
  const entry = recorded[run.id];
  if (entry === undefined) return undefined;
  const { why: _why, ...outcome } = entry;
  return outcome;
}

/** Every audit, one after another as a test suite sends them, each request carrying the client's token. */
async function runAudits(url: string, token: string): Promise<AuditRun[]> {
  let statuses: number[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-auth-token', token);
    const response = await fetch(input, { ...init, headers });
    statuses.push(response.status);
    return response;
  };
  const runs: AuditRun[] = [];
  for (const audit of serverAudits({ url, fetchFn })) {
    statuses = [];
    const result = await audit.fn();
    runs.push({ id: result.id, outcome: outcomeOf(result), statuses });
  }
  return runs;
}

describe('GraphQL over HTTP (graphql-http audits), default settings, one token', () => {
  let audited: Harness;
  let runs: AuditRun[];
  const refusedByRateLimit = (run: AuditRun) => run.statuses.includes(429);

  beforeAll(async () => {
    // The harness already has the other defaults that matter here (body size, introspection); the operation
    // budget and the two per-token rate limits (requests, Kazoo calls) are what main.ts adds to them.
    const defaults = loadConfig({});
    audited = await startHarness({
      gateway: {
        operationLimits: { maxCost: defaults.maxQueryCost },
        trustedProxyHops: defaults.trustProxyHops,
        rateLimit: { requestsPerSecond: defaults.rateLimitPerSecond, burst: defaults.rateLimitBurst },
        costRateLimit: { perSecond: defaults.costLimitPerSecond, burst: defaults.costLimitBurst },
      },
    });
    // A client's first call, which has Kazoo vouch for its token: from then on it is charged to the token's bucket.
    expect((await audited.graphql('{ viewer { accountId } }')).data).toEqual({ viewer: { accountId: audited.accountId } });
    runs = await runAudits(`${audited.gateway.url}/graphql`, audited.token);
  });
  afterAll(() => audited.close());

  // The suite sends 61 requests within a fraction of a second, nearly all `{ __typename }`-like: with a request burst
  // of 20 (the old default) the last 20 or so audits got 429, MUST 1B7A among them. Requests are now counted in a
  // burst of 100, and Kazoo calls, which these audits make none of, in a bucket of their own.
  it('never refuses a client running the whole suite with 429', () => {
    expect(runs.filter(refusedByRateLimit).map((run) => `${run.id} ${run.outcome.name}`)).toEqual([]);
  });

  // An audit answered 429 says nothing about GraphQL over HTTP, so it is left out (while the test above passes, none is).
  it('passes every MUST and gives every SHOULD and MAY its recorded outcome', () => {
    const answered = runs.filter((run) => !refusedByRateLimit(run));
    expect(Object.fromEntries(answered.map((run) => [run.id, run.outcome]))).toEqual(
      Object.fromEntries(answered.map((run) => [run.id, expectedOutcome(run)])),
    );
    // The record holds exactly the suite's SHOULDs and MAYs: none left behind by a graphql-http upgrade.
    const optional = runs.filter((run) => !run.outcome.name.startsWith('MUST')).map((run) => run.id);
    expect(Object.keys(recorded).sort()).toEqual(optional.sort());
  });

  it('says in the record why each SHOULD and MAY that does not pass answers as it does', () => {
    for (const [id, entry] of Object.entries(recorded)) {
      expect({ id, explained: entry.why !== undefined && entry.why.trim() !== '' }).toEqual({ id, explained: entry.status !== 'ok' });
    }
  });
});

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

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
