// Two gateway processes (`node --import tsx src/main.ts`) sharing one Redis and one Kazoo (the simulator, in this
// process): subscribers on both receive every event, and when the process polling the account is killed outright
// (SIGKILL: no chance to release its lease) the other one takes the lease over and events keep coming.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { kazooLogin } from '../helpers/harness.js';
import { connect, record, waitFor } from './helpers.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';
const LEASE_MS = 900;
const prefix = `test:multi-process:${randomUUID()}:`;

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
}

const children: ChildProcess[] = [];
const clients: Client[] = [];
let simulator: Simulator;
let token: string;
let gateways: GatewayProcess[];

async function spawnGateway(): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      KAZOO_URL: simulator.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      REDIS_LEASE_MS: String(LEASE_MS),
      REGISTRATION_POLL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'gateway listening') {
        clearTimeout(timer);
        resolve(String(entry.url).replace(/\/graphql$/, ''));
      }
    });
  });
  return { child, url, logs };
}

function tookLeaseAt(gateway: GatewayProcess): number {
  const times = gateway.logs
    .filter((entry) => String(entry.msg).startsWith('took the lease'))
    .map((entry) => Number(entry.time));
  return Math.max(0, ...times);
}

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  token = await kazooLogin(simulator.url, simulator.demo.apiKey);
  gateways = await Promise.all([spawnGateway(), spawnGateway()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await simulator?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

it('delivers every event on both processes and fails the watcher over when its process is killed', async () => {
  const { control, demo } = simulator;
  const [first, second] = control.registeredDeviceIds(demo.accountId).sort() as [string, string];
  const subscribers = gateways.map((gateway) => {
    const client = connect(gateway.url, { authToken: token });
    clients.push(client);
    return record(client, { accountId: demo.accountId, deviceIds: [first, second], initial: true });
  });
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 2), 'the initial state on both');

  control.unregister(demo.accountId, first);
  await waitFor(() => subscribers.every((subscriber) => subscriber.events.length === 3), 'the change on both');
  for (const subscriber of subscribers) expect(subscriber.events[2]).toMatchObject({ deviceId: first, registered: false });

  const [holder, survivor] = tookLeaseAt(gateways[0]!) > tookLeaseAt(gateways[1]!) ? [0, 1] : [1, 0];
  const killed = new Promise((resolve) => gateways[holder]!.child.once('exit', resolve));
  gateways[holder]!.child.kill('SIGKILL');
  await killed;

  control.unregister(demo.accountId, second);
  control.register(demo.accountId, first);
  // The dead holder's lease expires after one period; the survivor takes it within the next third, then polls.
  await waitFor(() => subscribers[survivor]!.events.length === 5, 'both changes on the surviving process', LEASE_MS * 2 + 5_000);
  expect(subscribers[survivor]!.events.slice(3).map((event) => [event.deviceId, event.registered]).sort()).toEqual(
    [
      [first, true],
      [second, false],
    ].sort(),
  );
  expect(tookLeaseAt(gateways[survivor]!)).toBeGreaterThan(0);
  control.register(demo.accountId, second);
});
