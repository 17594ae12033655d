// Contract-test plumbing: a target is either a real Kazoo (KAZOO_CONTRACT_* env) or an in-process simulator.
import { createHash } from 'node:crypto';
import { describe } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const CONTRACT_URL = process.env.KAZOO_CONTRACT_URL;

/** Parts that drive the simulator's control surface cannot run against a real Kazoo. */
export const describeSimulatorOnly = CONTRACT_URL ? describe.skip : describe;

export interface Target {
  /** base URL without /v2 */
  url: string;
  accountId: string;
  accountName: string;
  apiKey: string;
  username: string;
  password: string;
  /** present when the target is the in-process simulator */
  sim: Simulator | undefined;
  close(): Promise<void>;
}

export async function startTarget(options: SimulatorOptions = {}): Promise<Target> {
  if (CONTRACT_URL) {
    return {
      url: CONTRACT_URL.replace(/\/v2\/?$/, '').replace(/\/$/, ''),
      accountId: process.env.KAZOO_CONTRACT_ACCOUNT_ID ?? '',
      accountName: process.env.KAZOO_CONTRACT_ACCOUNT_NAME ?? '',
      apiKey: process.env.KAZOO_CONTRACT_API_KEY ?? '',
      username: process.env.KAZOO_CONTRACT_USERNAME ?? '',
      password: process.env.KAZOO_CONTRACT_PASSWORD ?? '',
      sim: undefined,
      close: async () => undefined,
    };
  }
  const sim = await startSimulator(options);
  return { url: sim.url, ...sim.demo, sim, close: () => sim.close() };
}

/** The simulator behind a target, for tests inside describeSimulatorOnly. */
export function simOf(target: Target): Simulator {
  if (!target.sim) throw new Error('this test needs the in-process simulator');
  return target.sim;
}

export interface CallOptions {
  token?: string;
  /** sent as a JSON envelope {"data": ...} */
  data?: unknown;
  /** sent verbatim (with the default JSON content type unless headers say otherwise) */
  raw?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  body: any; // any: response bodies are arbitrary JSON, inspected field by field in assertions
}

export async function call(target: Target, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.data !== undefined) body = JSON.stringify({ data: options.data });
  if (options.raw !== undefined) body = options.raw;
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  if (options.token !== undefined) headers['x-auth-token'] = options.token;
  const response = await fetch(`${target.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

export function accountPath(target: Target, suffix = ''): string {
  return `/v2/accounts/${target.accountId}${suffix}`;
}

export async function apiToken(target: Target): Promise<string> {
  const result = await call(target, 'PUT', '/v2/api_auth', { data: { api_key: target.apiKey } });
  if (result.status !== 201) throw new Error(`api_auth failed: ${result.status} ${result.text}`);
  return result.body.auth_token as string;
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

let counter = 0;
/** A name unlikely to collide with anything on the target (tests may share a real Kazoo). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
