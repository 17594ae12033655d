// Kazoo absent or dying, against a real gateway process: the process starts and stays up, answers
// UPSTREAM_UNAVAILABLE (at once while the circuit breaker is open), or OUTCOME_UNKNOWN for a write Kazoo had received
// when it died, reports itself unready, and recovers by itself once Kazoo is back.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { kazooLogin } from '../helpers/harness.js';
import { codes, freePort, postGraphQL, startGatewayProcess, waitFor } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';
import { startKazooProxy } from './kazoo-proxy.js';
import type { KazooProxy } from './kazoo-proxy.js';

const DEVICES = 'query($a: ID!) { devices(accountId: $a, first: 3) { nodes { id: kazooId name } } }';
const BREAKER = { CIRCUIT_BREAKER_FAILURES: '3', CIRCUIT_BREAKER_OPEN_MS: '500', KAZOO_TIMEOUT_MS: '3000' };

let gateway: GatewayProcess | undefined;
let simulator: Simulator | undefined;
let proxy: KazooProxy | undefined;

afterEach(async () => {
  gateway?.kill();
  await proxy?.close();
  await simulator?.close();
  gateway = undefined;
  proxy = undefined;
  simulator = undefined;
});
afterAll(() => gateway?.kill());

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('Kazoo down at start', () => {
  it('starts anyway, answers UPSTREAM_UNAVAILABLE and not ready, then serves once Kazoo comes up', async () => {
    const port = await freePort();
    gateway = await startGatewayProcess({ KAZOO_URL: `http://127.0.0.1:${port}`, ...BREAKER });
    const url = gateway.url;

    expect(await status(`${url}/healthz`)).toBe(200);
    expect(await status(`${url}/readyz`)).toBe(503);
    const down = await postGraphQL(url, '{ viewer { accountId } }', {}, 'some-token');
    expect(down.status).toBe(200);
    expect(codes(down)).toEqual(['UPSTREAM_UNAVAILABLE']);
    // The three failed attempts of that read opened the circuit: the next call fails without trying.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('kazoo_gateway_circuit_breaker_state{state="open"} 1');

    simulator = await startSimulator({ port, rateLimit: false });
    const token = await kazooLogin(simulator.url, simulator.demo.apiKey);
    await waitFor(async () => (await status(`${url}/readyz`)) === 200, '/readyz once Kazoo is up');
    const up = await postGraphQL(url, DEVICES, { a: simulator.demo.accountId }, token);
    expect(up.body.errors).toBeUndefined();
    expect(gateway.child.exitCode).toBeNull();
  });
});

describe('Kazoo dying mid-request', () => {
  it('answers the reads it was sending with UPSTREAM_UNAVAILABLE and the write with OUTCOME_UNKNOWN, never resends it, and recovers', async () => {
    simulator = await startSimulator({ rateLimit: false });
    proxy = await startKazooProxy(simulator.url);
    const token = await kazooLogin(simulator.url, simulator.demo.apiKey);
    gateway = await startGatewayProcess({ KAZOO_URL: proxy.url, ...BREAKER });
    const { url } = gateway;
    const accountId = simulator.demo.accountId;
    const devices = await postGraphQL(url, DEVICES, { a: accountId }, token);
    const deviceId = (devices.body.data as { devices: { nodes: { id: string }[] } }).devices.nodes[0]?.id;

    simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const readArrived = proxy.nextArrival('/devices', 'GET');
    const writeArrived = proxy.nextArrival(`/devices/${deviceId}`, 'PATCH');
    const read = postGraphQL(url, DEVICES, { a: accountId }, token);
    const write = postGraphQL(
      url,
      'mutation($a: ID!, $id: ID!) { updateDevice(accountId: $a, id: $id, input: { language: "fr-fr" }) { device { kazooId } } }',
      { a: accountId, id: deviceId },
      token,
    );
    await Promise.all([readArrived, writeArrived]);
    await proxy.down();

    expect(codes(await read)).toEqual(['UPSTREAM_UNAVAILABLE']);
    // Kazoo had the write when it died: the gateway cannot know whether it was applied, and says so.
    expect(codes(await write)).toEqual(['OUTCOME_UNKNOWN']);
    expect(proxy.arrivals.filter((arrival) => arrival.method === 'PATCH')).toHaveLength(1);
    expect(await status(`${url}/healthz`)).toBe(200);
    expect(await status(`${url}/readyz`)).toBe(503);

    simulator.control.setFault(null);
    await proxy.up();
    await waitFor(async () => (await status(`${url}/readyz`)) === 200, '/readyz once Kazoo is back');
    const recovered = await postGraphQL(url, DEVICES, { a: accountId }, token);
    expect(recovered.body.errors).toBeUndefined();
    expect(gateway.child.exitCode).toBeNull();
  });
});
