// The two programs under test as separate processes: the Kazoo simulator (standalone, control routes on, rate
// limiting and churn off so neither moves the figures) and the gateway in front of it, plus a small client for the
// simulator's /__simulator control routes (accounts, tokens, registrations, the request log).
import type { Build } from './build.js';
import { startProcess } from './processes.js';
import type { ChildService } from './processes.js';
import { PROJECT_ROOT } from './paths.js';

export interface RunningSimulator {
  readonly url: string;
  readonly process: ChildService;
  readonly control: SimulatorControl;
}

export async function startSimulatorProcess(build: Build, name = 'simulator'): Promise<RunningSimulator> {
  const child = startProcess({
    name,
    command: process.execPath,
    args: [...build.nodeArgs, build.simulatorEntry, '--port', '0', '--control', '--no-rate-limit'],
    cwd: PROJECT_ROOT,
    env: { SIM_CHURN_MS: '', NODE_ENV: 'production' },
  });
  const [, url = ''] = await child.waitFor(/listening on (http:\/\/\S+)\/v2/, 30_000);
  return { url, process: child, control: new SimulatorControl(url) };
}

/**
 * Gateway settings for a bench run. Production defaults apply, except that the gateway's own protections must
 * not shape the figures: the per-token request and Kazoo-call rate limits (one token drives all the load) and the
 * operation cost limit are raised out of reach. Everything else (logging at info, metrics, the circuit breaker) stays as shipped.
 */
export const GATEWAY_BENCH_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
  /** 0 turns the per-token request rate limit off (default 50 per second, burst 100). */
  RATE_LIMIT_PER_SECOND: '0',
  /** 0 turns the cost rate limit off (default: Kazoo's bucket, 100 calls at 10 per second). */
  COST_LIMIT_PER_SECOND: '0',
  /** The most the gateway accepts; the default (250 estimated Crossbar calls) would refuse a 5,000-device walk in pages of 1,000. */
  MAX_QUERY_COST: '1000000',
  /** The fan-out runs thousands of sockets of one token from one address: no per-client socket caps (default 200/10). */
  MAX_CONNECTIONS_PER_ADDRESS: '0',
  MAX_CONNECTIONS_PER_TOKEN: '0',
};

export interface RunningGateway {
  readonly url: string;
  readonly process: ChildService;
}

export interface GatewayStartOptions {
  kazooUrl: string | undefined;
  name?: string;
  nodeArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export async function startGatewayProcess(build: Build, options: GatewayStartOptions): Promise<RunningGateway> {
  const child = launchGateway(build, options);
  const [, url = ''] = await child.waitFor(/"url":"(http:\/\/[^"]+)\/graphql"[^\n]*"msg":"gateway listening"/, 30_000);
  return { url, process: child };
}

/** Starts the gateway without waiting (cold-start timing waits itself). KAZOO_URL unset = embedded simulator. */
export function launchGateway(build: Build, options: GatewayStartOptions): ChildService {
  return startProcess({
    name: options.name ?? 'gateway',
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), ...build.nodeArgs, build.gatewayEntry],
    cwd: PROJECT_ROOT,
    env: { ...GATEWAY_BENCH_ENV, PORT: '0', KAZOO_URL: options.kazooUrl ?? '', ...options.env },
  });
}

export interface AccountInfo {
  accountId: string;
  accountName: string;
  apiKey: string;
  username: string;
  password: string;
  userId: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

/** The simulator's /__simulator routes (not part of Kazoo; only used to set up data and count upstream calls). */
export class SimulatorControl {
  constructor(readonly url: string) {}

  async demoAccount(): Promise<AccountInfo> {
    const body = (await this.call('GET', 'accounts')) as { demo: AccountInfo };
    return body.demo;
  }

  async createAccount(options: { name: string; devices: number; users: number; registeredRatio: number }): Promise<AccountInfo> {
    return (await this.call('POST', 'accounts', options)) as AccountInfo;
  }

  async token(accountId: string, ttlSeconds = 86_400): Promise<string> {
    return ((await this.call('POST', 'tokens', { accountId, ttlSeconds })) as { token: string }).token;
  }

  async registeredDeviceIds(accountId: string): Promise<string[]> {
    return ((await this.call('GET', `accounts/${accountId}/registrations`)) as { device_ids: string[] }).device_ids;
  }

  async register(accountId: string, deviceId: string): Promise<void> {
    await this.call('POST', `accounts/${accountId}/devices/${deviceId}/register`, { expiresSeconds: 3600 });
  }

  async unregister(accountId: string, deviceId: string): Promise<void> {
    await this.call('POST', `accounts/${accountId}/devices/${deviceId}/unregister`, {});
  }

  async requests(): Promise<RequestLogEntry[]> {
    return (await this.call('GET', 'requests')) as RequestLogEntry[];
  }

  async resetRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  private async call(method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/__simulator/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${route}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  }
}

/** A Kazoo REST call straight to the simulator (the baseline), returning the envelope's data. */
export async function kazooGet<T>(simulatorUrl: string, token: string, path: string): Promise<T> {
  const response = await fetch(`${simulatorUrl}/v2${path}`, { headers: { 'x-auth-token': token } });
  const body = (await response.json()) as { data: T };
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return body.data;
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

/** One GraphQL POST; throws on HTTP or GraphQL errors so a broken setup never turns into a figure. */
export async function graphql<T>(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse<T>;
  try {
    body = JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    throw new Error(`${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (body.errors !== undefined && body.errors.length > 0) {
    throw new Error(`${url}: ${body.errors.map((error) => error.message).join('; ')}`);
  }
  if (body.data === undefined) throw new Error(`${url}: HTTP ${response.status} without data`);
  return body.data;
}
