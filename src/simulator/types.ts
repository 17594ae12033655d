// The simulator's public types (the contract in notes/simulator-api.md), re-exported by index.ts.
import type { RegistrationDetails } from './registrar.js';

export interface RateLimitOptions {
  capacity?: number;
  refillPerSecond?: number;
  quickcallCost?: number;
}

export interface ChurnOptions {
  intervalMs?: number;
  fraction?: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  tokenTtlSeconds?: number;
  rateLimit?: false | RateLimitOptions;
  churn?: false | ChurnOptions;
  controlRoutes?: boolean;
  seed?: boolean;
  demo?: { accountName?: string; username?: string; password?: string };
  random?: () => number;
  /** How many of the newest /v2 requests `control.requests` keeps (default 10,000). */
  requestLogCapacity?: number;
  /** How many of the newest side effects `control.notifications` keeps (default 1,000). */
  notificationLogCapacity?: number;
  /** A RabbitMQ to publish Kazoo's AMQP events to (reg_success, deregister, doc_*); none when unset. */
  amqpUrl?: string;
}

export interface AccountInfo {
  accountId: string;
  accountName: string;
  realm: string;
  apiKey: string;
  username: string;
  password: string;
  userId: string;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' };

export interface FaultOptions {
  times?: number;
  match?: { method?: string; pathIncludes?: string };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  authenticated: boolean;
  /** The request's X-Request-ID, or the one the simulator generated. */
  requestId: string;
  /** The request's W3C `traceparent` header, when it carried one (a traced gateway call does). */
  traceparent?: string;
  at: number;
}

export type NotificationKind = 'notify' | 'sync' | 'presence' | 'quickcall';

export interface SimulatorNotification {
  accountId: string;
  deviceId: string;
  kind: NotificationKind;
  detail: Record<string, unknown>;
  at: number;
}

export type { RegistrationDetails };

export interface CreateAccountOptions {
  name: string;
  devices?: number;
  users?: number;
  registeredRatio?: number;
  username?: string;
  password?: string;
}

export interface SimulatorControl {
  createAccount(opts: CreateAccountOptions): AccountInfo;
  register(accountId: string, deviceId: string, details?: RegistrationDetails): void;
  unregister(accountId: string, deviceId: string): void;
  registeredDeviceIds(accountId: string): string[];
  issueToken(accountId: string, opts?: { ttlSeconds?: number; ownerId?: string }): string;
  setFault(fault: Fault | null, options?: FaultOptions): void;
  setChurn(churn: false | ChurnOptions): void;
  setRateLimit(rateLimit: false | RateLimitOptions): void;
  /** The newest /v2 requests (up to requestLogCapacity), oldest first; a snapshot. */
  readonly requests: readonly RequestLogEntry[];
  resetRequests(): void;
  /** The newest side effects (up to notificationLogCapacity), oldest first; a snapshot. */
  readonly notifications: readonly SimulatorNotification[];
  /** Addition: the second seeded account ('acme'), for cross-account tests (throws if seed: false). */
  readonly secondary: AccountInfo;
  /** Addition: forgets recorded notifications. */
  resetNotifications(): void;
}

export interface Simulator {
  readonly url: string;
  readonly demo: AccountInfo;
  readonly control: SimulatorControl;
  close(): Promise<void>;
}
