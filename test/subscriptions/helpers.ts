// What the subscription suites share: a harness whose gateway polls fast, graphql-ws clients that record everything
// they receive (events, errors, close codes), polling waits with generous bounds, and a clock the tests move for the
// watchers.
import { Writable } from 'node:stream';
import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import type { Client, SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../src/logger.js';
import type { Logger } from '../../src/logger.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway, GatewayOptions } from '../../src/server/gateway.js';
import type { Clock } from '../../src/subscriptions/clock.js';
import type { LiveDataSettings } from '../../src/subscriptions/live-data.js';
import type { SimulatorOptions } from '../../src/simulator/index.js';

/** Poll interval of the suites' gateways: fast, yet slow enough that a loaded machine keeps up. */
export const POLL_MS = 200;

export const REGISTRATION_CHANGED = /* GraphQL */ `
  subscription Live($accountId: ID!, $deviceIds: [ID!], $initial: Boolean) {
    registrationChanged(accountId: $accountId, deviceIds: $deviceIds, initial: $initial) {
      kind initialComplete accountId deviceId registered at
      registration { registered userAgent contactIp }
    }
  }
`;

export interface EventData {
  kind: 'INITIAL' | 'REGISTERED' | 'UNREGISTERED' | 'CONTACT_CHANGED';
  initialComplete: boolean;
  accountId: string;
  deviceId: string;
  registered: boolean;
  at: string;
  registration: { registered: boolean; userAgent: string | null; contactIp: string | null } | null;
  device?: { id: string; name: string } | null;
}

export interface GraphQLErrorData {
  message: string;
  extensions?: { code?: string };
}

export interface Recorder {
  readonly events: EventData[];
  /** GraphQL errors, from a result's `errors` or an `error` message. */
  readonly errors: GraphQLErrorData[];
  /** Set when the subscription ended on a closed socket. */
  closed: { code: number; reason: string } | undefined;
  completed: boolean;
  /** Stops the subscription (graphql-ws `complete`). */
  stop(): void;
}

export async function startLiveHarness(
  options: { simulator?: SimulatorOptions; gateway?: Partial<GatewayOptions> } = {},
): Promise<Harness> {
  return startHarness({
    simulator: options.simulator,
    gateway: {
      // A short circuit-breaker pause, so recovery after an outage is seen within a few polls.
      circuitBreaker: { openMs: 300 },
      ...options.gateway,
      subscriptions: { pollMs: POLL_MS, ...options.gateway?.subscriptions },
    },
  });
}

/** Another gateway in front of the harness's simulator, e.g. with a service credential. */
export function startGatewayOn(harness: Harness, subscriptions: LiveDataSettings): Promise<Gateway> {
  return startGateway({
    kazooUrl: harness.simulator.url,
    port: 0,
    host: '127.0.0.1',
    kazooTimeoutMs: 5_000,
    maxBodyBytes: 1_048_576,
    introspection: true,
    logger: createLogger('silent'),
    metrics: false,
    subscriptions: { pollMs: POLL_MS, ...subscriptions },
  });
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/graphql`;
}

/**
 * A graphql-ws client that never retries, so every close is seen as it happened. Lazy by default: it connects with
 * the first subscription and closes after the last; `keepOpen` holds the connection open in between.
 */
export function connect(httpUrl: string, connectionParams: Record<string, unknown>, options: { keepOpen?: boolean } = {}): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: options.keepOpen !== true,
    onNonLazyError: () => undefined,
  });
}

/**
 * The first result of an operation over graphql-ws (a query's one answer, a subscription's first event, after which
 * it is stopped); a refusal (graphql-ws `error` message) as its errors.
 */
export async function firstResult(client: Client, payload: SubscribePayload): Promise<FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>> {
  try {
    for await (const result of client.iterate<Record<string, unknown>, Record<string, unknown>>(payload)) return result;
  } catch (error) {
    if (Array.isArray(error)) return { errors: error as FormattedExecutionResult['errors'] };
    throw error;
  }
  throw new Error('the operation completed without a result');
}

/** Records one subscription of a graphql-ws client, or of a graphql-sse one (its `subscribe` takes the same sink). */
export function record(
  client: Pick<Client, 'subscribe'>,
  variables: Record<string, unknown>,
  query: string = REGISTRATION_CHANGED,
): Recorder {
  const recorder: Recorder = {
    events: [],
    errors: [],
    closed: undefined,
    completed: false,
    stop: () => undefined,
  };
  recorder.stop = client.subscribe<{ registrationChanged: EventData }>(
    { query, variables },
    {
      next: (result) => {
        if (result.data?.registrationChanged) recorder.events.push(result.data.registrationChanged);
        recorder.errors.push(...((result.errors ?? []) as GraphQLErrorData[]));
      },
      error: (error: unknown) => {
        if (Array.isArray(error)) recorder.errors.push(...(error as GraphQLErrorData[]));
        else if (isCloseEvent(error)) recorder.closed = { code: error.code, reason: error.reason };
        else recorder.errors.push({ message: String(error) });
      },
      complete: () => {
        recorder.completed = true;
      },
    },
  );
  return recorder;
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number';
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `/registrations` reads in the simulator's request log since its last reset. */
export function registrationPolls(harness: Harness, accountId = harness.accountId): number {
  return harness.simulator.control.requests.filter(
    (request) => request.method === 'GET' && request.path === `/v2/accounts/${accountId}/registrations`,
  ).length;
}

/** Waits until the account's watcher has completed `count` more successful polls. */
export async function waitForPolls(harness: Harness, count: number, accountId = harness.accountId): Promise<void> {
  const successful = (): number =>
    harness.simulator.control.requests.filter(
      (request) => request.path === `/v2/accounts/${accountId}/registrations` && request.status === 200,
    ).length;
  const target = successful() + count;
  await waitFor(() => successful() >= target, `${count} successful registration polls`);
}

/** Subscriptions the gateway (a harness's, or another) serves now, from its own metrics. */
export async function activeSubscriptions(target: { gateway: Gateway }): Promise<number> {
  const metric = target.gateway.metrics.registry.getSingleMetric('kazoo_gateway_subscriptions_active');
  return (await metric?.get())?.values[0]?.value ?? 0;
}

/**
 * Waits until the gateway serves `subscriptions` subscriptions and its watcher has read Kazoo since: a change made
 * after this is reported by a later poll.
 */
export async function waitUntilWatching(harness: Harness, subscriptions: number): Promise<void> {
  await waitFor(async () => (await activeSubscriptions(harness)) >= subscriptions, `${subscriptions} active subscriptions`);
  await waitForPolls(harness, 1);
}

/** A logger writing JSON lines into memory, to check what the gateway logged. */
export function captureLogs(level = 'info'): { logger: Logger; lines(): Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    logger: createLogger(level, destination),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A Clock (src/subscriptions/clock.ts) that stands still until the test moves it. */
export interface ManualClock extends Clock {
  /** Moves time on by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void;
  /** Timers set and neither fired nor cancelled. */
  readonly pending: number;
}

export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  const timers = new Set<{ at: number; fire: () => void }>();
  return {
    now: () => now,
    after(ms, fire) {
      const timer = { at: now + ms, fire };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers.delete(due);
        now = Math.max(now, due.at);
        due.fire();
      }
      now = until;
    },
    get pending() {
      return timers.size;
    },
  };
}

/** Timers of a watcher waiting on its clock: one polling has its next poll and renewal, one standing by its retry. */
export const HOLDER_TIMERS = 2;
export const STANDBY_TIMERS = 1;

/** Waits until every watcher on `clock` has finished its step and waits on the clock again (`timers` set in all). */
export function asleep(clock: ManualClock, timers: number): Promise<void> {
  return waitFor(() => clock.pending === timers, `${timers} timers on the clock`);
}

/** Moving a watcher's clock on by this much ends a wait of `ms`, whatever its jitter (up to 10%). */
export function pastJitter(ms: number): number {
  return ms * 1.1 + 1;
}
