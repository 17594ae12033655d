// Part 3: subscription fan-out. N graphql-ws subscribers on one account (1,000 and 10,000; also 10,000 split over
// two gateway instances sharing Redis), opened from separate client processes (bench/fanout-client.ts, at most
// 5,000 sockets each) so the gateway's CPU and memory are its own. Measured:
// - memory per idle subscriber: the gateway's heap and RSS after a forced full GC (through its inspector), once
//   before the subscribers connect and once after they are all subscribed and idle, divided by N (goal <= 20 KB);
// - delivery latency: a device of the account is unregistered and registered again through the simulator's control
//   routes; for each change, every subscriber's delay from the gateway's reading of Kazoo that showed it (the
//   event's `at`) to its arrival in the client (goal p99 <= 100 ms at 10,000, the last subscriber reported too);
// - upstream polls per interval: /registrations reads of the account in the simulator's log over the measured
//   window, divided by the number of poll intervals in it (goal: one, whatever N and the number of instances).
// REGISTRATION_POLL_MS is 1,000 for the run so changes are observed within a second.
// A floor is measured the same way at the largest count: bench/broadcast-server.ts, a bare `ws` server that writes
// one message per socket with no GraphQL at all, driven by the same client processes. It is what writing that many
// sockets costs on this machine, with the clients on the same cores.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Build } from './build.js';
import { collectAndMeasure, INSPECT_ARGS, inspectorUrl } from './inspector.js';
import type { HeapReading } from './inspector.js';
import { startProcess } from './processes.js';
import type { ChildService } from './processes.js';
import { PROJECT_ROOT } from './paths.js';
import { formatProfile, summariseProfile } from './profile.js';
import type { CpuProfile, ProfileSummary } from './profile.js';
import { fixed, goalLine, machine, table } from './report.js';
import type { Goal } from './report.js';
import { startGatewayProcess, startSimulatorProcess } from './services.js';
import type { RunningGateway, RunningSimulator } from './services.js';
import { median, percentileSorted } from './stats.js';

const POLL_MS = 1_000;
const SOCKETS_PER_CLIENT = 5_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
/** File descriptors a gateway needs beside its subscribers' sockets (Kazoo pool, Redis, logs, inspector). */
const FD_HEADROOM = 500;

export interface FanoutScenario {
  name: string;
  /** `floor`: the bare broadcast server, for which memory and polls are not measured (NaN). */
  kind: 'gateway' | 'floor';
  instances: number;
  subscribers: number;
  live: number;
  failed: number;
  connectSeconds: number;
  heapPerSubscriberBytes: number;
  rssPerSubscriberBytes: number;
  changes: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Per change, the delay to the last subscriber; the median of those. */
  lastSubscriberMedianMs: number;
  lastSubscriberMaxMs: number;
  polls: number;
  intervals: number;
  pollsPerInterval: number;
  /** With --profile, the largest one-instance scenario's gateway CPU over the delivery window. */
  profile?: ProfileSummary;
}

export interface FanoutReport {
  scenarios: FanoutScenario[];
  skipped: string | undefined;
  goals: Goal[];
  text: string;
}

export interface FanoutOptions {
  subscriberCounts: readonly number[];
  quick: boolean;
  /** Profile (node --cpu-prof) the gateway of the largest one-instance scenario into this folder. */
  profileDirectory?: string | undefined;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ClientEvent {
  type: 'event';
  registered: boolean;
  at: string;
  latenciesMs: number[];
}

interface ClientReady {
  type: 'ready';
  live: number;
  failed: number;
  seconds: number;
}

/** A fan-out client process and what it has reported. */
class FanoutClient {
  readonly ready: Promise<ClientReady>;
  private readonly events: ClientEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly process: ChildService) {
    let resolveReady: (ready: ClientReady) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      void process.exited.then(() => reject(new Error(`${process.name} exited; see ${process.logFile}`)));
    });
    process.onLine((line) => {
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as ClientReady | ClientEvent;
      if (message.type === 'ready') resolveReady(message);
      else {
        this.events.push(message);
        for (const waiter of this.waiters) waiter();
      }
    });
  }

  /** The first event reported after `since` (ms since epoch, as in `at`) with this state. */
  waitForEvent(registered: boolean, since: number, timeoutMs: number): Promise<ClientEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find((event) => event.registered === registered && Date.parse(event.at) >= since);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.process.name}: no event within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

async function redisReachable(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    redis.disconnect();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface ChangeLatency {
  latencyP50Ms: number;
  latencyP99Ms: number;
  lastSubscriberMedianMs: number;
  lastSubscriberMaxMs: number;
}

/** Client processes for `subscribers` subscribers spread evenly over `urls`, at most SOCKETS_PER_CLIENT per process. */
function startClients(
  urls: readonly string[],
  subscribers: number,
  subscription: { name: string; token: string; accountId: string; deviceId: string },
): FanoutClient[] {
  const clients: FanoutClient[] = [];
  const perInstance = Math.ceil(subscribers / urls.length);
  urls.forEach((url, instance) => {
    const share = Math.min(perInstance, subscribers - instance * perInstance);
    const processes = Math.ceil(share / SOCKETS_PER_CLIENT);
    for (let part = 0; part < processes; part++) {
      const count = Math.floor(share / processes) + (part < share % processes ? 1 : 0);
      clients.push(
        new FanoutClient(
          startProcess({
            name: `fanout-client-${subscription.name}-${instance + 1}-${part + 1}`,
            command: process.execPath,
            args: [
              '--import',
              'tsx',
              join(PROJECT_ROOT, 'bench', 'fanout-client.ts'),
              ...['--url', url, '--token', subscription.token, '--account', subscription.accountId],
              ...['--device', subscription.deviceId, '--count', String(count)],
            ],
            cwd: PROJECT_ROOT,
            output: 'pipe',
          }),
        ),
      );
    }
  });
  return clients;
}

async function allReady(clients: readonly FanoutClient[]): Promise<{ live: number; failed: number; connectSeconds: number }> {
  const readies = await Promise.all(clients.map((client) => client.ready));
  return {
    live: readies.reduce((sum, ready) => sum + ready.live, 0),
    failed: readies.reduce((sum, ready) => sum + ready.failed, 0),
    connectSeconds: Math.max(...readies.map((ready) => ready.seconds)),
  };
}

/** `changes` alternating changes (unregistered first), each awaited at every client: the delivery delays. */
async function measureChanges(
  clients: readonly FanoutClient[],
  changes: number,
  change: (registered: boolean) => Promise<void>,
): Promise<{ latency: ChangeLatency; delivered: number }> {
  const latencies: number[] = [];
  const lastSubscriber: number[] = [];
  let state = true;
  for (let index = 0; index < changes; index++) {
    const since = Date.now();
    state = !state;
    await change(state);
    const events = await Promise.all(clients.map((client) => client.waitForEvent(state, since - 1, 30_000)));
    const delays = events.flatMap((event) => event.latenciesMs);
    latencies.push(...delays);
    lastSubscriber.push(Math.max(...delays));
  }
  latencies.sort((a, b) => a - b);
  return {
    delivered: latencies.length,
    latency: {
      latencyP50Ms: percentileSorted(latencies, 50),
      latencyP99Ms: percentileSorted(latencies, 99),
      lastSubscriberMedianMs: median(lastSubscriber),
      lastSubscriberMaxMs: Math.max(...lastSubscriber),
    },
  };
}

/** The floor: the same clients and changes against bench/broadcast-server.ts. */
async function runFloorScenario(subscribers: number, changes: number, log: (line: string) => void): Promise<FanoutScenario> {
  const server = startProcess({
    name: `fanout-floor-${subscribers}`,
    command: process.execPath,
    args: ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'broadcast-server.ts')],
    cwd: PROJECT_ROOT,
  });
  const clients: FanoutClient[] = [];
  try {
    const [, url = ''] = await server.waitFor(/broadcast listening on (http:\/\/\S+)/, 30_000);
    clients.push(...startClients([`${url.replace(/^http/, 'ws')}/graphql`], subscribers, { name: `floor-${subscribers}`, token: 'none', accountId: 'none', deviceId: 'floor' }));
    const { live, failed, connectSeconds } = await allReady(clients);
    log(`  floor: ${live} subscribers live (${failed} failed) after ${fixed(connectSeconds, 1)} s`);
    await sleep(1_000);
    const measured = await measureChanges(clients, changes, async (registered) => {
      const response = await fetch(`${url}/change?registered=${registered}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`broadcast server answered ${response.status}`);
    });
    return {
      name: `${subscribers} subscribers, bare ws broadcast (floor)`,
      kind: 'floor',
      instances: 1,
      subscribers,
      live,
      failed,
      connectSeconds,
      heapPerSubscriberBytes: Number.NaN,
      rssPerSubscriberBytes: Number.NaN,
      changes,
      ...measured.latency,
      polls: Number.NaN,
      intervals: Number.NaN,
      pollsPerInterval: Number.NaN,
    };
  } finally {
    await Promise.all(clients.map((client) => client.process.stop()));
    await server.stop();
  }
}

async function runScenario(
  build: Build,
  simulator: RunningSimulator,
  scenario: { name: string; instances: number; subscribers: number; redisPrefix: string | undefined; profileDirectory: string | undefined },
  settings: { changes: number; windowMs: number; settleMs: number },
  log: (line: string) => void,
): Promise<FanoutScenario> {
  const { control } = simulator;
  const account = await control.createAccount({ name: `fanout-${scenario.subscribers}-${scenario.instances}`, devices: 20, users: 5, registeredRatio: 0.5 });
  const token = await control.token(account.accountId);
  const registered = (await control.registeredDeviceIds(account.accountId)).sort();
  const deviceId = registered[0];
  if (deviceId === undefined) throw new Error('the fan-out account has no registered device');

  const gateways: RunningGateway[] = [];
  const clients: FanoutClient[] = [];
  const profileName = `gateway-fanout-${scenario.subscribers}-${Date.now()}.cpuprofile`;
  const profileArgs =
    scenario.profileDirectory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', scenario.profileDirectory, '--cpu-prof-name', profileName];
  const spawnedAt = Date.now();
  let windowStart = Number.NaN;
  let delivered = 0;
  let result: FanoutScenario | undefined;
  try {
    for (let index = 0; index < scenario.instances; index++) {
      gateways.push(
        await startGatewayProcess(build, {
          kazooUrl: simulator.url,
          name: `fanout-gateway-${scenario.subscribers}-${scenario.instances}-${index + 1}`,
          nodeArgs: [...INSPECT_ARGS, ...(index === 0 ? profileArgs : [])],
          env: {
            REGISTRATION_POLL_MS: String(POLL_MS),
            ...(scenario.redisPrefix === undefined ? {} : { REDIS_URL, REDIS_KEY_PREFIX: scenario.redisPrefix }),
          },
        }),
      );
    }
    const inspectors = await Promise.all(gateways.map((gateway) => inspectorUrl(gateway.process)));
    await sleep(1_000);
    const before: HeapReading[] = await Promise.all(inspectors.map((url) => collectAndMeasure(url)));

    clients.push(
      ...startClients(
        gateways.map((gateway) => `${gateway.url.replace(/^http/, 'ws')}/graphql`),
        scenario.subscribers,
        { name: `${scenario.subscribers}-${scenario.instances}`, token, accountId: account.accountId, deviceId },
      ),
    );
    const { live, failed, connectSeconds } = await allReady(clients);
    log(`  ${scenario.name}: ${live} subscribers live (${failed} failed) after ${fixed(connectSeconds, 1)} s`);

    await sleep(settings.settleMs);
    const after: HeapReading[] = await Promise.all(inspectors.map((url) => collectAndMeasure(url)));
    const heapGrowth = after.reduce((sum, reading, index) => sum + reading.heapUsed - (before[index]?.heapUsed ?? 0), 0);
    const rssGrowth = after.reduce((sum, reading, index) => sum + reading.rss - (before[index]?.rss ?? 0), 0);

    await control.resetRequests();
    windowStart = Date.now();
    const changes = await measureChanges(clients, settings.changes, (state) =>
      state ? control.register(account.accountId, deviceId) : control.unregister(account.accountId, deviceId),
    );
    delivered = changes.delivered;
    const remaining = settings.windowMs - (Date.now() - windowStart);
    if (remaining > 0) await sleep(remaining);
    const windowMs = Date.now() - windowStart;
    const polls = (await control.requests()).filter(
      (entry) => entry.path.includes(account.accountId) && /\/(registrations|devices\/status)$/.test(entry.path),
    ).length;

    const intervals = windowMs / POLL_MS;
    result = {
      name: scenario.name,
      kind: 'gateway',
      instances: scenario.instances,
      subscribers: scenario.subscribers,
      live,
      failed,
      connectSeconds,
      heapPerSubscriberBytes: heapGrowth / Math.max(1, live),
      rssPerSubscriberBytes: rssGrowth / Math.max(1, live),
      changes: settings.changes,
      ...changes.latency,
      polls,
      intervals,
      pollsPerInterval: polls / intervals,
    };
  } finally {
    await Promise.all(clients.map((client) => client.process.stop()));
    await Promise.all(gateways.map((gateway) => gateway.process.stop(15_000)));
    if (scenario.redisPrefix !== undefined) await deleteRedisKeys(scenario.redisPrefix).catch(() => undefined);
  }
  if (scenario.profileDirectory !== undefined) {
    const file = join(scenario.profileDirectory, profileName);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    result.profile = summariseProfile(profile, `fan-out, ${scenario.name}`, file, windowStart - spawnedAt, delivered);
  }
  return result;
}

export async function measureFanout(build: Build, options: FanoutOptions): Promise<FanoutReport> {
  const available = existsSync(build.gatewayEntry.replace(/main\.(js|ts)$/, join('server', 'use-graphql-ws.$1')));
  if (!available) {
    const skipped = 'the gateway has no graphql-ws subscriptions (src/server/use-graphql-ws.ts) yet';
    return {
      scenarios: [],
      skipped,
      goals: ['memory per idle subscriber <= 20 KB', 'delivery p99 <= 100 ms at 10,000', 'one upstream poll per interval'].map((name) => ({
        name,
        met: undefined,
        detail: skipped,
      })),
      text: `skipped: ${skipped}`,
    };
  }
  const redisProblem = await redisReachable();
  const largest = Math.max(...options.subscriberCounts);
  if (options.profileDirectory !== undefined) mkdirSync(options.profileDirectory, { recursive: true });
  const plans = options.subscriberCounts.map((subscribers) => ({
    name: `${subscribers} subscribers, 1 instance`,
    instances: 1,
    subscribers,
    redisPrefix: undefined as string | undefined,
    profileDirectory: subscribers === Math.max(...options.subscriberCounts) ? options.profileDirectory : undefined,
  }));
  if (redisProblem === undefined) {
    plans.push({
      name: `${largest} subscribers, 2 instances on Redis`,
      instances: 2,
      subscribers: largest,
      redisPrefix: `kazoo-gateway-bench-${process.pid}-${Date.now()}:`,
      profileDirectory: undefined,
    });
  }
  // Each subscriber is a socket in the gateway (and in a client process): the open-files limit must allow them.
  const limit = machine().openFilesLimit;
  const tooMany = plans.filter((plan) => limit !== undefined && plan.subscribers / plan.instances + FD_HEADROOM > limit);
  for (const plan of tooMany) {
    options.log(`  skipped ${plan.name}: the open-files limit (${limit}) is too low; raise it with ulimit -n ${plan.subscribers + FD_HEADROOM}`);
    plans.splice(plans.indexOf(plan), 1);
  }
  const settings = { changes: options.quick ? 2 : 6, windowMs: options.quick ? 3_000 : 15_000, settleMs: options.quick ? 1_000 : 3_000 };
  const simulator = await startSimulatorProcess(build, 'fanout-simulator');
  const scenarios: FanoutScenario[] = [];
  try {
    for (const plan of plans) scenarios.push(await runScenario(build, simulator, plan, settings, options.log));
  } finally {
    await simulator.process.stop();
  }
  const floor = tooMany.some((plan) => plan.subscribers === largest) ? undefined : await runFloorScenario(largest, settings.changes, options.log);
  const measured = scenarios.filter((scenario) => scenario.kind === 'gateway');

  const at = (subscribers: number, instances: number): FanoutScenario | undefined =>
    measured.find((scenario) => scenario.subscribers === subscribers && scenario.instances === instances);
  const largestSingle = at(largest, 1);
  // Memory is judged per instance: split over two instances, each instance's own fixed growth (Redis clients, its
  // watcher) is shared by half the subscribers, which says nothing about what one subscriber costs.
  const singleInstance = measured.filter((scenario) => scenario.instances === 1);
  // Polls are jittered ±10% and a window's edges may catch one more: one per interval means at most that many, where
  // a poll per instance or per subscriber would be twice as many or more.
  const onePollPerInterval = (scenario: FanoutScenario): boolean => scenario.polls <= Math.floor(scenario.intervals * 1.1) + 1;
  const goals: Goal[] = [
    {
      name: 'memory per idle subscriber <= 20 KB',
      // Judged on the heap after a full GC (what subscribers keep alive); RSS also holds garbage and allocator slack.
      met: singleInstance.length === 0 ? undefined : singleInstance.every((scenario) => scenario.heapPerSubscriberBytes <= 20 * 1024),
      detail: measured
        .map(
          (scenario) =>
            `${scenario.name}: ${fixed(scenario.heapPerSubscriberBytes / 1024, 1)} KB heap, ${fixed(scenario.rssPerSubscriberBytes / 1024, 1)} KB RSS`,
        )
        .join('; '),
    },
    {
      name: 'delivery latency p99 <= 100 ms at 10,000 subscribers',
      met: largest < 10_000 || largestSingle === undefined ? undefined : largestSingle.latencyP99Ms <= 100,
      detail:
        largest < 10_000
          ? `not run at 10,000 in this mode (p99 ${fixed(largestSingle?.latencyP99Ms ?? Number.NaN, 0)} ms at ${largest})`
          : `p99 ${fixed(largestSingle?.latencyP99Ms ?? Number.NaN, 0)} ms` +
            (floor === undefined ? '' : `; floor (bare ws broadcast, no GraphQL) p99 ${fixed(floor.latencyP99Ms, 0)} ms`),
    },
    {
      name: 'one upstream poll per interval',
      met: measured.length === 0 ? undefined : measured.every(onePollPerInterval),
      detail: measured
        .map((scenario) => `${scenario.name}: ${scenario.polls} in ${fixed(scenario.intervals, 1)} intervals (${fixed(scenario.pollsPerInterval, 2)})`)
        .join('; '),
    },
  ];
  const text = [
    '',
    table(
      ['scenario', 'live', 'connect s', 'heap/sub KB', 'RSS/sub KB', 'p50 ms', 'p99 ms', 'last sub ms (median, max)', 'polls/interval'],
      [...scenarios, ...(floor === undefined ? [] : [floor])].map((scenario) => [
        scenario.name,
        `${scenario.live}${scenario.failed > 0 ? ` (${scenario.failed} failed)` : ''}`,
        fixed(scenario.connectSeconds, 1),
        fixed(scenario.heapPerSubscriberBytes / 1024, 1),
        fixed(scenario.rssPerSubscriberBytes / 1024, 1),
        fixed(scenario.latencyP50Ms, 0),
        fixed(scenario.latencyP99Ms, 0),
        `${fixed(scenario.lastSubscriberMedianMs, 0)}, ${fixed(scenario.lastSubscriberMaxMs, 0)}`,
        scenario.kind === 'floor' ? 'n/a' : `${fixed(scenario.pollsPerInterval, 2)} (${scenario.polls} in ${fixed(scenario.intervals, 1)})`,
      ]),
    ),
    `  ${settings.changes} registration changes per scenario; poll interval ${POLL_MS} ms; latency = client arrival - event \`at\` (the gateway's Kazoo reading)`,
    ...(redisProblem === undefined ? [] : [`  two-instance scenario skipped: ${redisProblem}`]),
    ...scenarios.flatMap((scenario) => (scenario.profile === undefined ? [] : [formatProfile(scenario.profile, 'delivery')])),
    '',
    ...goals.map(goalLine),
  ];
  return { scenarios: floor === undefined ? scenarios : [...scenarios, floor], skipped: undefined, goals, text: text.join('\n') };
}
