// SIGTERM on a real gateway process: it stops accepting connections at once, lets the request in flight finish,
// closes WebSockets with 1001, stops its registration watchers and releases their Redis leases, and exits 0; a
// request that cannot finish is cut once the shutdown budget is spent, and the process still exits.
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { kazooLogin } from '../helpers/harness.js';
import { connect as connectWs, record } from '../subscriptions/helpers.js';
import { postGraphQL, startGatewayProcess, waitFor } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';
import { startKazooProxy } from './kazoo-proxy.js';
import type { KazooProxy } from './kazoo-proxy.js';
import { startRedisServer } from './redis-server.js';

let simulator: Simulator;
let proxy: KazooProxy;
let token: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  proxy = await startKazooProxy(simulator.url);
  token = await kazooLogin(simulator.url, simulator.demo.apiKey);
});
afterEach(() => {
  gateway?.kill();
  simulator.control.setFault(null);
});
afterAll(async () => {
  await proxy.close();
  await simulator.close();
});

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const DEVICES = 'query($a: ID!) { devices(accountId: $a, first: 3) { nodes { id } } }';

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new connections meanwhile, and exits 0', async () => {
    gateway = await startGatewayProcess({ KAZOO_URL: proxy.url, SHUTDOWN_TIMEOUT_MS: '20000' });
    simulator.control.setFault({ kind: 'delay', ms: 2_000 }, { match: { pathIncludes: '/devices' } });
    const arrived = proxy.nextArrival('/devices');
    const inFlight = postGraphQL(gateway.url, DEVICES, { a: simulator.demo.accountId }, token);
    await arrived;

    gateway.child.kill('SIGTERM');
    await waitFor(() => refusesConnections(gateway?.url ?? ''), 'the listener to close');
    expect(gateway.child.exitCode).toBeNull();

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(await gateway.exited).toBe(0);
    expect(gateway.logs.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
  });

  it('exits within its budget even when a request cannot finish', async () => {
    gateway = await startGatewayProcess({ KAZOO_URL: proxy.url, SHUTDOWN_TIMEOUT_MS: '2000', KAZOO_TIMEOUT_MS: '120000' });
    simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const arrived = proxy.nextArrival('/devices');
    const inFlight = postGraphQL(gateway.url, DEVICES, { a: simulator.demo.accountId }, token).then(
      () => 'answered',
      () => 'cut',
    );
    await arrived;

    gateway.child.kill('SIGTERM');
    // Kazoo still hangs (the fault is never cleared while waiting): only the shutdown budget can end this.
    expect(await gateway.exited).toBe(0);
    expect(await inFlight).toBe('cut');
  });

  it('closes WebSockets with 1001 and releases the Redis leases of its watchers', async () => {
    const redis = await startRedisServer();
    const inspect = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      gateway = await startGatewayProcess({ KAZOO_URL: simulator.url, REDIS_URL: redis.url, REGISTRATION_POLL_MS: '200' });
      const accountId = simulator.demo.accountId;
      const lease = `kazoo-gateway:registrations:${accountId}:lease`;
      const client = connectWs(gateway.url, { authToken: token }, { keepOpen: true });
      const subscription = record(client, { accountId });
      await waitFor(async () => (await inspect.get(lease)) !== null, 'the watcher to take its lease');
      const metrics = async (): Promise<string> => (await fetch(`${gateway?.url}/metrics`)).text();
      await waitFor(async () => /^kazoo_gateway_registration_polls_total\{outcome="ok"\} [1-9]/m.test(await metrics()), 'a poll');
      expect(await metrics()).toContain('kazoo_gateway_subscriptions_active 1');
      expect(await metrics()).toContain('kazoo_gateway_registration_watchers_active 1');

      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      await waitFor(async () => subscription.closed !== undefined, 'the WebSocket to close');
      expect(subscription.closed?.code).toBe(1001);
      expect(await inspect.get(lease)).toBeNull();
      await client.dispose();
    } finally {
      inspect.disconnect();
      await redis.close();
    }
  });
});
