// Starts what a gateway test needs, for real: the Kazoo simulator on an ephemeral port and the gateway in front of
// it, then talks to the gateway over HTTP exactly as a client would.
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../../src/simulator/index.js';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway, GatewayOptions } from '../../src/server/gateway.js';
import { createLogger } from '../../src/logger.js';

export interface Harness {
  simulator: Simulator;
  gateway: Gateway;
  /** A token for the demo account, obtained through Kazoo's api_auth. */
  token: string;
  accountId: string;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T>>;
  /** POSTs a request body of its own (a `documentId` instead of a query, an APQ extension...). */
  post<T = Record<string, unknown>>(body: unknown, options?: { token?: string | null; headers?: Record<string, string> }): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function kazooLogin(simulatorUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${simulatorUrl}/v2/api_auth`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: { api_key: apiKey } }),
  });
  const body = (await response.json()) as { auth_token?: string };
  if (typeof body.auth_token !== 'string') throw new Error(`api_auth failed with ${response.status}`);
  return body.auth_token;
}

export async function startHarness(
  options: { simulator?: SimulatorOptions; gateway?: Partial<GatewayOptions> } = {},
): Promise<Harness> {
  const simulator = await startSimulator({ rateLimit: false, ...options.simulator });
  const gateway = await startGateway({
    kazooUrl: simulator.url,
    port: 0,
    host: '127.0.0.1',
    kazooTimeoutMs: 5_000,
    maxBodyBytes: 1_048_576,
    introspection: true,
    logger: createLogger('silent'),
    ...options.gateway,
  });
  const token = await kazooLogin(simulator.url, simulator.demo.apiKey);
  simulator.control.resetRequests();

  const post: Harness['post'] = async (requestBody, requestOptions = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...requestOptions.headers };
    const useToken = requestOptions.token === undefined ? token : requestOptions.token;
    if (useToken !== null) headers['x-auth-token'] = useToken;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify(requestBody),
    });
    const body = (await response.json()) as Omit<GraphQLResult<never>, 'status'>;
    return { status: response.status, ...body } as GraphQLResult<never>;
  };
  const graphql: Harness['graphql'] = (query, variables, requestOptions = {}) => post({ query, variables }, requestOptions);

  return {
    simulator,
    gateway,
    token,
    accountId: simulator.demo.accountId,
    graphql,
    post,
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}

/** Kazoo calls the gateway abandoned because their caller went away, from its own metrics. */
export async function cancelledCalls(gateway: Gateway): Promise<number> {
  const metric = gateway.metrics.registry.getSingleMetric('kazoo_gateway_upstream_requests_total');
  const values = (await metric?.get())?.values ?? [];
  return values.filter((value) => value.labels.outcome === 'CANCELLED').reduce((sum, value) => sum + value.value, 0);
}

/** The error codes of a GraphQL result, in order. */
export function errorCodes(result: GraphQLResult<unknown>): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

/** Crossbar REST call straight to the simulator, for arranging state the way any Kazoo client could. */
export async function crossbar<T = unknown>(
  harness: Harness,
  method: string,
  path: string,
  data?: unknown,
): Promise<{ status: number; body: { data: T } & Record<string, unknown> }> {
  const response = await fetch(`${harness.simulator.url}/v2${path}`, {
    method,
    headers: { 'x-auth-token': harness.token, 'content-type': 'application/json' },
    ...(data === undefined ? {} : { body: JSON.stringify({ data }) }),
  });
  return { status: response.status, body: (await response.json()) as { data: T } & Record<string, unknown> };
}
