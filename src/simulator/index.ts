// The simulator's public API: startSimulator() runs a Kazoo 4.3 Crossbar look-alike in-process.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { AmqpPublisher } from './amqp-publisher.js';
import type { SimulatorState } from './context.js';
import { churnSettings, createControl, createControlRouter, rateLimitSettings, type SeededAccounts } from './control.js';
import { FaultInjector } from './faults.js';
import { seededRandom } from './random.js';
import { RateLimiter } from './rate-limit.js';
import { Registrar } from './registrar.js';
import { RingBuffer } from './ring-buffer.js';
import { seedDemoAccount, seedGeneratedAccount } from './seed.js';
import { CrossbarServer } from './server.js';
import { Store } from './store.js';
import { TokenService } from './tokens.js';
import type { Simulator, SimulatorOptions } from './types.js';

export type {
  AccountInfo,
  ChurnOptions,
  CreateAccountOptions,
  Fault,
  FaultOptions,
  NotificationKind,
  RateLimitOptions,
  RegistrationDetails,
  RequestLogEntry,
  Simulator,
  SimulatorControl,
  SimulatorNotification,
  SimulatorOptions,
} from './types.js';

const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/**
 * How many /v2 requests and side-effect notifications the simulator remembers (the newest). Enough for any test or
 * bench measurement (they reset the log first), small enough that a simulator left running stays a few MB.
 */
const DEFAULT_REQUEST_LOG_CAPACITY = 10_000;
const DEFAULT_NOTIFICATION_LOG_CAPACITY = 1_000;
const DEFAULT_DEMO = { accountName: 'demo', username: 'admin', password: 'kazoo-demo' } as const;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const random = options.random ?? seededRandom();
  const store = new Store();
  const sim: SimulatorState = {
    store,
    registrar: new Registrar(store, random),
    tokens: new TokenService(),
    rateLimiter: new RateLimiter(rateLimitSettings(options.rateLimit)),
    faults: new FaultInjector(),
    notifications: new RingBuffer(options.notificationLogCapacity ?? DEFAULT_NOTIFICATION_LOG_CAPACITY),
    requests: new RingBuffer(options.requestLogCapacity ?? DEFAULT_REQUEST_LOG_CAPACITY),
    random,
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    newId: () => randomBytes(16).toString('hex'),
  };
  const seeded: SeededAccounts = { demo: undefined, secondary: undefined };
  if (options.seed !== false) {
    seeded.demo = seedDemoAccount(sim, {
      name: options.demo?.accountName ?? DEFAULT_DEMO.accountName,
      username: (options.demo?.username ?? DEFAULT_DEMO.username).toLowerCase(),
      password: options.demo?.password ?? DEFAULT_DEMO.password,
    });
    seeded.secondary = seedGeneratedAccount(sim, {
      name: 'acme',
      users: 3,
      devices: 5,
      registeredRatio: 0.5,
      username: 'admin',
      password: 'acme-demo',
    });
  }
  const control = createControl(sim, seeded);
  const crossbar = new CrossbarServer(sim, { control: options.controlRoutes ? createControlRouter(control, seeded) : undefined });
  await new Promise<void>((resolve, reject) => {
    crossbar.server.once('error', reject);
    crossbar.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      crossbar.server.off('error', reject);
      resolve();
    });
  });
  sim.registrar.setChurn(churnSettings(options.churn));
  const amqp = options.amqpUrl === undefined ? undefined : new AmqpPublisher(sim, options.amqpUrl);
  const address = crossbar.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    get demo() {
      if (!seeded.demo) throw new Error('the simulator was started with seed: false');
      return seeded.demo;
    },
    control,
    async close() {
      sim.registrar.stop();
      await amqp?.close();
      sim.faults.set(null);
      await crossbar.close();
    },
  };
}
