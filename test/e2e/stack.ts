// What an end-to-end test runs against: the Kazoo simulator and the gateway in front of it, in demo mode (as
// `npm start` without KAZOO_URL), with a short registration poll interval so a flip shows up quickly.
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway } from '../../src/server/gateway.js';
import { createLogger } from '../../src/logger.js';
import { kazooLogin } from '../helpers/harness.js';

/** The gateway reads Kazoo's registrations this often while someone subscribes. */
export const POLL_MS = 1_000;

export interface Stack {
  simulator: Simulator;
  /** The running gateway (a new one after `restartGateway`). */
  readonly gateway: Gateway;
  demo: { token: string; accountId: string };
  /** GraphQL over HTTP from the test itself, with the demo token. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the gateway (its WebSockets close with 1001), runs `whileDown`, then starts a new one on the same port. */
  restartGateway(whileDown: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const simulator = await startSimulator({ rateLimit: false, churn: false });
  const demo = { token: await kazooLogin(simulator.url, simulator.demo.apiKey), accountId: simulator.demo.accountId };
  const start = (port: number): Promise<Gateway> =>
    startGateway({
      kazooUrl: simulator.url,
      port,
      host: '127.0.0.1',
      kazooTimeoutMs: 5_000,
      maxBodyBytes: 1_048_576,
      introspection: true,
      logger: createLogger('silent'),
      graphiql: true,
      demo,
      subscriptions: { pollMs: POLL_MS },
      drainTimeoutMs: 100,
    });
  let gateway = await start(0);
  return {
    simulator,
    get gateway() {
      return gateway;
    },
    demo,
    async restartGateway(whileDown) {
      const { port } = new URL(gateway.url);
      await gateway.close();
      await whileDown();
      gateway = await start(Number(port));
    },
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': demo.token },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors !== undefined || body.data === undefined) throw new Error(`GraphQL failed: ${JSON.stringify(body)}`);
      return body.data;
    },
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}

export interface DeviceSummary {
  /** The global id: the dashboard's row identity. */
  id: string;
  /** The Kazoo id: what the simulator's control and registration events use. */
  kazooId: string;
  name: string;
  /** Kazoo's type name, as the dashboard's type filter uses it. */
  kazooDeviceType: string;
  enabled: boolean;
  registration: { registered: boolean };
}

/** The demo account's devices as the API reports them (to the demo token: its own account), for what pages should show. */
export async function demoDevices(stack: Stack): Promise<DeviceSummary[]> {
  const data = await stack.graphql<{ devices: { nodes: DeviceSummary[] } }>(
    '{ devices(first: 1000) { nodes { id kazooId name kazooDeviceType enabled registration { registered } } } }',
  );
  return data.devices.nodes;
}
