// The test-control surface: the programmatic SimulatorControl and its /__simulator/... HTTP mirror.
import type { SimulatorState } from './context.js';
import { isJsonObject } from './json.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './rate-limit.js';
import { canRegister, type ChurnSettings, type RegistrationDetails } from './registrar.js';
import { seedGeneratedAccount } from './seed.js';
import type { ControlRouter } from './server.js';
import type { AccountInfo, ChurnOptions, CreateAccountOptions, Fault, FaultOptions, RateLimitOptions, SimulatorControl } from './types.js';

const DEFAULT_CHURN: ChurnSettings = { intervalMs: 5000, fraction: 0.1 };

export function churnSettings(churn: false | ChurnOptions | undefined): ChurnSettings | undefined {
  if (!churn) return undefined;
  return { intervalMs: churn.intervalMs ?? DEFAULT_CHURN.intervalMs, fraction: churn.fraction ?? DEFAULT_CHURN.fraction };
}

export function rateLimitSettings(rateLimit: false | RateLimitOptions | undefined): RateLimitSettings | undefined {
  if (rateLimit === false) return undefined;
  return {
    capacity: rateLimit?.capacity ?? DEFAULT_RATE_LIMIT.capacity,
    refillPerSecond: rateLimit?.refillPerSecond ?? DEFAULT_RATE_LIMIT.refillPerSecond,
    quickcallCost: rateLimit?.quickcallCost ?? DEFAULT_RATE_LIMIT.quickcallCost,
  };
}

export interface SeededAccounts {
  demo: AccountInfo | undefined;
  secondary: AccountInfo | undefined;
}

export function createControl(sim: SimulatorState, seeded: SeededAccounts): SimulatorControl {
  const requireAccount = (accountId: string) => {
    const account = sim.store.account(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    return account;
  };
  return {
    createAccount(opts: CreateAccountOptions): AccountInfo {
      return seedGeneratedAccount(sim, {
        name: opts.name,
        devices: opts.devices ?? 10,
        users: opts.users ?? 5,
        registeredRatio: opts.registeredRatio ?? 0.5,
        username: (opts.username ?? 'admin').toLowerCase(),
        password: opts.password ?? 'kazoo-demo',
      });
    },
    register(accountId: string, deviceId: string, details?: RegistrationDetails): void {
      const account = requireAccount(accountId);
      const device = sim.store.doc(accountId, 'device', deviceId);
      if (!device) throw new Error(`unknown device ${deviceId}`);
      if (!canRegister(device)) throw new Error(`device ${deviceId} cannot register (disabled, IP-auth or without SIP credentials)`);
      sim.registrar.register(account, device, details);
    },
    unregister(accountId: string, deviceId: string): void {
      sim.registrar.unregister(accountId, deviceId);
    },
    registeredDeviceIds(accountId: string): string[] {
      return sim.registrar.registeredDeviceIds(accountId);
    },
    issueToken(accountId: string, opts: { ttlSeconds?: number; ownerId?: string } = {}): string {
      requireAccount(accountId);
      return sim.tokens.issue(
        { accountId, ...(opts.ownerId !== undefined ? { ownerId: opts.ownerId } : {}), method: 'cb_api_auth' },
        opts.ttlSeconds ?? sim.tokenTtlSeconds,
      );
    },
    setFault(fault: Fault | null, options?: FaultOptions): void {
      sim.faults.set(fault, options);
    },
    setChurn(churn: false | ChurnOptions): void {
      sim.registrar.setChurn(churnSettings(churn));
    },
    setRateLimit(rateLimit: false | RateLimitOptions): void {
      sim.rateLimiter.configure(rateLimitSettings(rateLimit));
    },
    get requests() {
      return sim.requests.toArray();
    },
    resetRequests(): void {
      sim.requests.clear();
    },
    get notifications() {
      return sim.notifications.toArray();
    },
    resetNotifications(): void {
      sim.notifications.clear();
    },
    get secondary(): AccountInfo {
      if (!seeded.secondary) throw new Error('the simulator was started with seed: false');
      return seeded.secondary;
    },
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  return isJsonObject(body) ? body : {};
}

/** /__simulator/... routes: plain JSON in and out, mirroring SimulatorControl. */
export function createControlRouter(control: SimulatorControl, seeded: SeededAccounts): ControlRouter {
  return {
    handle(method, path, body) {
      const parts = path.split('/').filter((part) => part !== '');
      const input = objectBody(body);
      const pattern = parts.map((part, i) => (['accounts', 'devices'].includes(parts[i - 1] ?? '') ? ':id' : part)).join('/');
      const route = `${method.toUpperCase()} ${pattern}`;
      const [, accountId = '', , deviceId = ''] = parts;
      switch (route) {
        case 'GET accounts':
          return { status: 200, body: { demo: seeded.demo ?? null, secondary: seeded.secondary ?? null } };
        case 'POST accounts':
          return { status: 201, body: control.createAccount(input as unknown as CreateAccountOptions) };
        case 'GET accounts/:id/registrations':
          return { status: 200, body: { device_ids: control.registeredDeviceIds(accountId) } };
        case 'POST accounts/:id/devices/:id/register':
          control.register(accountId, deviceId, input as RegistrationDetails);
          return { status: 200, body: { registered: true } };
        case 'POST accounts/:id/devices/:id/unregister':
          control.unregister(accountId, deviceId);
          return { status: 200, body: { registered: false } };
        case 'PUT fault':
          control.setFault((input.fault ?? input) as Fault, input.options as FaultOptions | undefined);
          return { status: 200, body: { ok: true } };
        case 'DELETE fault':
          control.setFault(null);
          return { status: 200, body: { ok: true } };
        case 'GET requests':
          return { status: 200, body: control.requests };
        case 'DELETE requests':
          control.resetRequests();
          return { status: 200, body: { ok: true } };
        case 'GET notifications':
          return { status: 200, body: control.notifications };
        case 'DELETE notifications':
          control.resetNotifications();
          return { status: 200, body: { ok: true } };
        case 'PUT churn':
          control.setChurn(input.enabled === false ? false : (input as ChurnOptions));
          return { status: 200, body: { ok: true } };
        case 'PUT rate-limit':
          control.setRateLimit(input.enabled === false ? false : (input as RateLimitOptions));
          return { status: 200, body: { ok: true } };
        case 'POST tokens': {
          const token = control.issueToken(String(input.accountId ?? input.account_id ?? ''), {
            ...(typeof input.ttlSeconds === 'number' ? { ttlSeconds: input.ttlSeconds } : {}),
            ...(typeof input.ownerId === 'string' ? { ownerId: input.ownerId } : {}),
          });
          return { status: 201, body: { token } };
        }
        default:
          return { status: 404, body: { error: `no control route ${method} /__simulator${path}` } };
      }
    },
  };
}
