// What every Crossbar resource module sees: the shared simulator state, the parsed request, and the result shape.
import type { IncomingHttpHeaders } from 'node:http';
import type { Pagination } from './envelope.js';
import { getPath, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { FaultInjector } from './faults.js';
import type { Random } from './random.js';
import type { RateLimiter } from './rate-limit.js';
import type { Registrar } from './registrar.js';
import type { RingBuffer } from './ring-buffer.js';
import type { AccountRecord, Store } from './store.js';
import type { TokenClaims, TokenService } from './tokens.js';
import type { NotificationKind, RequestLogEntry, SimulatorNotification } from './types.js';

export type HttpVerb = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface SimulatorState {
  readonly store: Store;
  readonly registrar: Registrar;
  readonly tokens: TokenService;
  readonly rateLimiter: RateLimiter;
  readonly faults: FaultInjector;
  /** Side effects with no REST read (NOTIFY, check-sync, presence, quickcall), newest kept. */
  readonly notifications: RingBuffer<SimulatorNotification>;
  /** Every /v2 request, newest kept. */
  readonly requests: RingBuffer<RequestLogEntry>;
  readonly random: Random;
  readonly tokenTtlSeconds: number;
  /** A fresh 32-hex document id. */
  newId(): string;
}

export interface RequestContext {
  readonly sim: SimulatorState;
  readonly verb: HttpVerb;
  readonly requestId: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  /** The envelope's `data` ({} for an empty body). */
  readonly reqData: JsonValue;
  /** The whole request envelope. */
  readonly reqJson: JsonObject;
  readonly account: AccountRecord | undefined;
  readonly auth: TokenClaims | undefined;
  readonly authToken: string | undefined;
  readonly clientAddress: string;
}

export interface ResourceResult {
  data: JsonValue;
  /** Defaults to 201 for PUT and 200 otherwise (cowboy_rest). */
  status?: number;
  revision?: string;
  pagination?: Pagination;
  /** Replaces the envelope's auth_token (user_auth/api_auth answer with the new token). */
  authToken?: string;
  /** Quoted into an ETag header on GET. */
  etag?: string;
}

/** A Crossbar module: which verbs each path accepts (empty = no such path), and how it answers. */
export interface CrossbarResource {
  allowedMethods(tokens: readonly string[]): readonly HttpVerb[];
  /** Paths answered without a token (e.g. user_auth, anonymous GET quickcall). */
  allowsAnonymous?(verb: HttpVerb, tokens: readonly string[]): boolean;
  execute(ctx: RequestContext, tokens: readonly string[]): ResourceResult;
}

/** cb_context:req_value/2: looks in the request data, then the query string, then the envelope. */
export function reqValue(ctx: RequestContext, path: string): unknown {
  const fromData = getPath(ctx.reqData, path);
  if (fromData !== undefined) return fromData;
  if (!path.includes('.') && ctx.query[path] !== undefined) return ctx.query[path];
  return getPath(ctx.reqJson, path);
}

export function requestObject(ctx: RequestContext): JsonObject | undefined {
  return isJsonObject(ctx.reqData) ? ctx.reqData : undefined;
}

export function requireAccount(ctx: RequestContext): AccountRecord {
  if (!ctx.account) throw new Error('account-scoped resource reached without an account');
  return ctx.account;
}

export function recordNotification(
  ctx: RequestContext,
  deviceId: string,
  kind: NotificationKind,
  detail: Record<string, unknown>,
): void {
  ctx.sim.notifications.push({ accountId: requireAccount(ctx).id, deviceId, kind, detail, at: Date.now() });
}
