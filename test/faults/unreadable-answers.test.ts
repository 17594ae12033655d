// Kazoo (or a proxy in front of it) answering with something that is not Crossbar JSON: truncated JSON, HTML error
// pages, an HTML page with status 200. Against a real gateway process: every such answer to a read is
// UPSTREAM_UNAVAILABLE without its text; a write is never resent, and an unreadable 2xx to it is OUTCOME_UNKNOWN (Kazoo
// may have applied it) while a 5xx page stays UPSTREAM_UNAVAILABLE; a storm of them opens the breaker, and the process
// stays up and recovers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { kazooLogin } from '../helpers/harness.js';
import { codes, postGraphQL, startGatewayProcess, waitFor } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';

let simulator: Simulator;
let gateway: GatewayProcess;
let token: string;
let deviceId: string;

const DEVICES = 'query($a: ID!) { devices(accountId: $a, first: 2) { nodes { id: kazooId } } }';
const UPDATE = 'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "it-it" }) { device { kazooId } } }';
const HTML = '<html><head><title>502 Bad Gateway</title></head><body>nginx PAGE-TEXT-7d1f</body></html>';

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  token = await kazooLogin(simulator.url, simulator.demo.apiKey);
  gateway = await startGatewayProcess({ KAZOO_URL: simulator.url, CIRCUIT_BREAKER_FAILURES: '6', CIRCUIT_BREAKER_OPEN_MS: '500' });
  const list = await postGraphQL(gateway.url, DEVICES, { a: simulator.demo.accountId }, token);
  deviceId = (list.body.data as { devices: { nodes: { id: string }[] } }).devices.nodes[0]?.id ?? '';
});
afterEach(() => simulator.control.setFault(null));
afterAll(async () => {
  gateway.kill();
  await simulator.close();
});

const read = () => postGraphQL(gateway.url, DEVICES, { a: simulator.demo.accountId }, token);
const write = () => postGraphQL(gateway.url, UPDATE, { a: simulator.demo.accountId, id: deviceId }, token);

describe('answers that are not Crossbar JSON', () => {
  it.each([
    ['truncated JSON', { kind: 'malformed' as const }, 'OUTCOME_UNKNOWN'],
    ['an HTML 502 page', { kind: 'status' as const, status: 502, contentType: 'text/html', body: HTML }, 'UPSTREAM_UNAVAILABLE'],
    ['an HTML page with status 200', { kind: 'status' as const, status: 200, contentType: 'text/html', body: HTML }, 'OUTCOME_UNKNOWN'],
    ['an empty 200', { kind: 'status' as const, status: 200, contentType: 'application/json', body: '' }, 'OUTCOME_UNKNOWN'],
  ])('%s is UPSTREAM_UNAVAILABLE to a read, without its text; to a write, sent once, %s', async (_name, fault, writeCode) => {
    simulator.control.setFault(fault, { times: 3 });
    const answer = await read();
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(JSON.stringify(answer.body)).not.toContain('PAGE-TEXT');

    simulator.control.resetRequests();
    simulator.control.setFault(fault, { match: { method: 'PATCH' } });
    const written = await write();
    expect(codes(written)).toEqual([writeCode]);
    expect(JSON.stringify(written.body)).not.toContain('PAGE-TEXT');
    if (writeCode === 'OUTCOME_UNKNOWN') expect(written.body.errors?.[0]?.message).toMatch(/may have been applied; read it back/);
    expect(simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
    simulator.control.setFault(null);
    await waitFor(async () => (await read()).body.errors === undefined, 'the next good answer');
  });

  it('a storm of them opens the breaker; the process stays up and recovers', async () => {
    simulator.control.setFault({ kind: 'malformed' });
    const storm = await Promise.all(Array.from({ length: 6 }, () => read()));
    for (const answer of storm) expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

    simulator.control.setFault(null);
    await waitFor(async () => (await fetch(`${gateway.url}/readyz`)).status === 200, '/readyz to recover');
    expect((await read()).body.errors).toBeUndefined();
    expect(gateway.child.exitCode).toBeNull();
  });
});
