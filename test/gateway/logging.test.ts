// Structured logs of real requests, captured at the most verbose level: every line is JSON, request lines carry the
// request id that went to Kazoo, and no password, API key, credentials hash or token ever appears.
import { connect as connectTcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsHash } from '../../src/kazoo/auth.js';
import { createLogger } from '../../src/logger.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { activeSubscriptions, connect, record } from '../subscriptions/helpers.js';

let harness: Harness;
const lines: string[] = [];

beforeAll(async () => {
  harness = await startHarness({
    gateway: { logger: createLogger('trace', { write: (line: string) => void lines.push(line) }) },
  });
});
afterAll(() => harness.close());

function logged(): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('request logs', () => {
  it('never contain passwords, API keys, credentials or tokens, whatever the request carried', async () => {
    const { username, password, accountName, apiKey } = harness.simulator.demo;
    const issued: string[] = [];
    const remember = (result: { data?: unknown }): void => {
      const login = Object.values((result.data ?? {}) as Record<string, { accessToken?: { token?: string } | null } | null>)[0];
      if (typeof login?.accessToken?.token === 'string') issued.push(login.accessToken.token);
    };

    remember(
      await harness.graphql(
        `mutation { loginWithCredentials(username: "${username}", password: "${password}", accountName: "${accountName}") { accessToken { token } } }`,
      ),
    );
    remember(
      await harness.graphql('mutation($u: String!, $p: String!, $n: String!) { loginWithCredentials(username: $u, password: $p, accountName: $n) { accessToken { token } } }', {
        u: username,
        p: password,
        n: accountName,
      }),
    );
    remember(await harness.graphql('mutation($k: String!) { loginWithApiKey(apiKey: $k) { accessToken { token } } }', { k: apiKey }));
    await harness.graphql('mutation($p: String!) { loginWithCredentials(username: "admin", password: $p, accountName: "demo") { accessToken { token } } }', {
      p: 'wrong-Pa55word',
    });
    await harness.graphql('{ viewer { accountId } }', {}, { token: null, headers: { authorization: `Bearer ${harness.token}` } });
    await harness.graphql('{ viewer { accountId } }', {}, { token: 'forged-token-value' });
    // A GET carries its variables in the query string; mutations are refused over GET, after being logged.
    await fetch(
      `${harness.gateway.url}/graphql?query=${encodeURIComponent('mutation($p: String!) { loginWithCredentials(username: "a", password: $p, accountName: "b") { accessToken { token } } }')}&variables=${encodeURIComponent(JSON.stringify({ p: password }))}`,
      { headers: { 'x-auth-token': harness.token, 'apollo-require-preflight': 'true' } },
    );
    // Failures upstream are logged too, with their causes.
    harness.simulator.control.setFault({ kind: 'status', status: 500 }, { times: 3 });
    await harness.graphql('{ viewer { accountId } }');
    harness.simulator.control.setFault({ kind: 'refuse' }, { times: 3 });
    await harness.graphql('{ viewer { accountId } }');
    harness.simulator.control.setFault(null);
    await harness.graphql('mutation($p: String!) { loginWithCredentials(username: "admin", password: $p, accountName: "demo") { accessToken { token } } }', {
      p: password,
    }, { headers: { 'x-auth-token': harness.token } });

    expect(issued).toHaveLength(3);
    const everything = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of [password, 'wrong-Pa55word', apiKey, credentialsHash(username, password), harness.token, 'forged-token-value', ...issued]) {
      expect(everything).not.toContain(secret);
    }
    // Tokens are JWTs: not even their signature or payload parts may leak.
    for (const token of [harness.token, ...issued]) {
      for (const part of token.split('.').slice(1)) expect(everything).not.toContain(part);
    }
  });

  it('are JSON lines whose request entries carry the id Kazoo received', async () => {
    harness.simulator.control.resetRequests();
    lines.length = 0;
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': harness.token, 'x-request-id': 'log-trace-42' },
      body: JSON.stringify({ query: 'query Who { viewer { accountId } }' }),
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    const entries = logged();
    const operation = entries.find((entry) => entry.msg === 'graphql operation');
    expect(operation).toMatchObject({
      requestId: 'log-trace-42',
      operationName: 'Who',
      operationType: 'query',
      outcome: 'success',
      upstreamCalls: 1,
      level: 30,
    });
    expect(entries.find((entry) => entry.msg === 'kazoo call')).toMatchObject({
      requestId: 'log-trace-42',
      route: '/v2/token_auth',
      status: 200,
    });
    expect(entries.find((entry) => entry.msg === 'http request')).toMatchObject({
      requestId: 'log-trace-42',
      method: 'POST',
      path: '/graphql',
      status: 200,
    });
    expect(harness.simulator.control.requests.map((request) => request.requestId)).toEqual(['log-trace-42']);
  });

  it('never contain the token of a WebSocket connection_init payload', async () => {
    lines.length = 0;
    const wsToken = harness.simulator.control.issueToken(harness.accountId, { ttlSeconds: 5_400 });
    const payloads = [
      { authToken: wsToken },
      { 'X-Auth-Token': wsToken },
      { headers: { Authorization: `Bearer ${wsToken}` } },
      { authToken: 'forged-ws-token-value' },
    ];
    const tokenChecks = (): number => logged().filter((entry) => entry.msg === 'kazoo call' && entry.route === '/v2/token_auth').length;
    for (const payload of payloads) {
      const before = tokenChecks();
      const client = connect(harness.gateway.url, payload);
      const subscription = record(client, { accountId: harness.accountId });
      // The gateway asks Kazoo about the payload's token, then serves the subscription or closes with 4403.
      const settled = async (): Promise<boolean> =>
        tokenChecks() > before && (subscription.closed !== undefined || (await activeSubscriptions(harness)) > 0);
      while (!(await settled())) await new Promise((resolve) => setTimeout(resolve, 20));
      subscription.stop();
      await client.dispose();
      while ((await activeSubscriptions(harness)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const everything = lines.join('');
    for (const secret of [wsToken, 'forged-ws-token-value', ...wsToken.split('.').slice(1)]) expect(everything).not.toContain(secret);
  });
});

describe('clients that go away', () => {
  it('a client aborting mid-body leaves one info line, not an error with a stack', async () => {
    lines.length = 0;
    const { port } = new URL(harness.gateway.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connectTcp(Number(port), '127.0.0.1', () => {
        socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The gateway notices the abort asynchronously: wait for its line.
    while (!logged().some((entry) => entry.msg === 'http request aborted before its response was sent')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged().filter((entry) => (entry.level as number) >= 50)).toEqual([]);
  });
});
