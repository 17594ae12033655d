// The one place that talks HTTP to Crossbar: an undici keep-alive pool, Crossbar's request envelope, retries for
// reads, a deadline per call, and a shared back-off after a 429 (backoff.ts).
//
// Upstream protection: identical concurrent reads for one token share one call (coalesce.ts), a circuit breaker
// (circuit-breaker.ts) stops calling a Kazoo that keeps failing, and calls whose answer is already known are refused
// without calling (verdicts.ts: a token Kazoo refused, an account it refused a token). The breaker counts only Kazoo's
// own failures: a malformed token, a body that cannot be serialized or any other error the gateway raises itself is
// refused or passed on before or without counting (exchange.ts draws that line). A caller that goes away (its
// request's `signal`) stops its call where it is (cancellation.ts). Hooks report attempts and breaker changes for
// metrics and logs; nothing here knows GraphQL or the HTTP server. A call made inside a trace has an OpenTelemetry
// span, and sends its traceparent to Kazoo (call-span.ts).
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { RateLimitBackoff } from './backoff.js';
import { CallSpan } from './call-span.js';
import { deadlineAfter, isCancelled, throwIfCancelled, unlessCancelled } from './cancellation.js';
import type { CancelSignal } from './cancellation.js';
import { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER } from './circuit-breaker.js';
import type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
import { InFlightReads } from './coalesce.js';
import { interpret, isSuccess, TOKEN_FORBIDDEN_MESSAGE, TOKEN_REFUSED_MESSAGE } from './crossbar-answer.js';
import type { KazooEnvelope } from './crossbar-answer.js';
import { isUpstreamFailure, KazooError } from './errors.js';
import type { KazooErrorCode } from './errors.js';
import { exchange, NetworkFailure } from './exchange.js';
import type { CrossbarResponse } from './exchange.js';
import { serializeEnvelope } from './request-body.js';
import { isSendableToken, jwtAccountId, tokenHash } from './token.js';
import { DEFAULT_TOKEN_VERDICTS, TokenVerdicts } from './verdicts.js';
import type { TokenVerdict } from './verdicts.js';

export type { KazooEnvelope } from './crossbar-answer.js';
export { isRecord } from './crossbar-answer.js';
export type { TokenVerdict } from './verdicts.js';

type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface KazooRequest {
  method: HttpMethod;
  /** Built by paths.ts; never from raw user input. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as the envelope's `data`. */
  data?: unknown;
  /** Extra top-level envelope keys, e.g. `action` for a device NOTIFY. */
  envelope?: Readonly<Record<string, unknown>>;
  token?: string | undefined;
  requestId?: string | undefined;
  /**
   * `read`: safe to send again (GET without side effects): retried on 5xx and connection failures.
   * `once`: never sent twice (writes, and quickcall, a GET that places a call); when it was sent but its answer was
   * lost or unreadable it fails with OUTCOME_UNKNOWN. Default: `read` for GET, else `once`.
   */
  retry?: 'read' | 'once';
  /**
   * For a call whose HTTP 500 is one of Kazoo's answers rather than Kazoo failing (quickcall: no endpoint to call):
   * what it means. The caller then gets UPSTREAM_REJECTED with this message, and the circuit breaker does not count
   * it, so clicking a disabled phone repeatedly cannot cut everybody off Kazoo. Other 5xx stay UPSTREAM_UNAVAILABLE.
   */
  http500Means?: string;
  /**
   * The caller's: when it aborts, the call stops with CANCELLED, whether it waits for a back-off, a retry or a
   * coalesced read. A read in flight is aborted too; a call sent once is not, once sent: cutting a write off halfway
   * would leave nobody knowing whether Kazoo applied it, where letting it finish applies it as the caller asked.
   */
  signal?: CancelSignal | undefined;
}

/** What the client reports for each attempt, for metrics and logs. Carries no token and no body. */
export interface UpstreamAttempt {
  method: HttpMethod;
  path: string;
  status: number | undefined;
  outcome: 'ok' | KazooErrorCode;
  durationMs: number;
  attempt: number;
  requestId: string;
}

export interface KazooClientOptions {
  /** Crossbar base URL, e.g. `http://kazoo:8000`; `/v2/...` is appended. A path prefix is kept. */
  baseUrl: string;
  /** Budget for a whole call, retries and back-off waits included. */
  timeoutMs: number;
  /** Extra attempts for reads. Default 2. */
  readRetries?: number;
  /** Keep-alive connections to Crossbar. Default 32. */
  connections?: number;
  /** In [0, 1): retry delays and the release of calls held by a back-off are spread with it. Default Math.random. */
  random?: () => number;
  /** The clock for deadlines, back-off windows and verdict lifetimes. Default Date.now. */
  now?: () => number;
  /**
   * Waits out back-offs and retry delays. Default: a timer. It may settle early when `signal` aborts; the client
   * stops waiting then whatever it does.
   */
  sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
  /** How long a 2xx answer vouches for a token in `tokenVerdict` (never past a JWT's `exp`). Default 5 minutes. */
  acceptedTtlMs?: number;
  /** After Kazoo answers 401 for a token, calls with it are refused locally for this long. Default 30 s. */
  refusedTtlMs?: number;
  /** After Kazoo answers 403 for a token on an account, its calls to that account are refused for this long. Default 30 s. */
  forbiddenTtlMs?: number;
  /** Tokens (and, separately, token and account refusals) remembered at most. Default 10,000. */
  maxTokenVerdicts?: number;
  /**
   * The breaker for this base URL: settings for a new one (default: open after 10 failed attempts in a row, probe
   * after 5 s), or a breaker shared with other clients of the same Kazoo.
   */
  circuitBreaker?: CircuitBreaker | Partial<Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs'>>;
  /** Identical concurrent reads for the same token share one upstream call. Default true. */
  coalesceReads?: boolean;
  onAttempt?: (attempt: UpstreamAttempt) => void;
  /** A read joined an identical one already on its way instead of being sent. */
  onCoalesced?: (path: string) => void;
  /** A call failed at once because the circuit is open. */
  onCircuitRejected?: (path: string) => void;
  /** Only for a breaker this client creates; a shared one reports to whoever created it. */
  onCircuitStateChange?: CircuitBreakerOptions['onStateChange'];
}

type Hooks = Pick<KazooClientOptions, 'onAttempt' | 'onCoalesced' | 'onCircuitRejected'>;

/** A request checked and serialized, with what the attempts need to know about it. */
interface AdmittedRequest extends KazooRequest {
  body: string | undefined;
  retryable: boolean;
  /** The account in the path, if any. */
  accountId: string | undefined;
  /** The Kazoo rate-limit bucket the call is charged to. */
  backoffKey: string;
}

const FIRST_RETRY_DELAY_MS = 100;
/** At most this much of a call's deadline is kept for the call itself after a back-off (a quarter of it when shorter). */
const MAX_CALL_RESERVE_MS = 1_000;
const ACCOUNT_PATH = /^\/v2\/accounts\/([0-9a-f]{32})(?:\/|$)/;

export class KazooClient {
  readonly baseUrl: string;
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  /** Crossbar's origin, for the spans of calls. */
  private readonly server: URL;
  private readonly options: Required<
    Pick<KazooClientOptions, 'timeoutMs' | 'readRetries' | 'connections' | 'random' | 'now' | 'sleep'>
  >;
  private readonly hooks: Hooks;
  private readonly breaker: CircuitBreaker;
  private readonly inFlightReads: InFlightReads | undefined;
  private readonly backoff: RateLimitBackoff;
  private readonly verdicts: TokenVerdicts;

  constructor(options: KazooClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`KAZOO_URL must be an http(s) URL, got ${url.protocol}`);
    }
    this.baseUrl = url.origin + url.pathname.replace(/\/+$/, '');
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.server = new URL(url.origin);
    const now = options.now ?? Date.now;
    this.options = {
      timeoutMs: options.timeoutMs,
      readRetries: options.readRetries ?? 2,
      connections: options.connections ?? 32,
      random: options.random ?? Math.random,
      now,
      sleep: options.sleep ?? sleep,
    };
    this.hooks = { onAttempt: options.onAttempt, onCoalesced: options.onCoalesced, onCircuitRejected: options.onCircuitRejected };
    this.breaker =
      options.circuitBreaker instanceof CircuitBreaker
        ? options.circuitBreaker
        : new CircuitBreaker({
            ...DEFAULT_CIRCUIT_BREAKER,
            ...options.circuitBreaker,
            now,
            ...(options.onCircuitStateChange === undefined ? {} : { onStateChange: options.onCircuitStateChange }),
          });
    this.inFlightReads = options.coalesceReads === false ? undefined : new InFlightReads();
    this.backoff = new RateLimitBackoff(now, this.options.random);
    this.verdicts = new TokenVerdicts({
      now,
      acceptedTtlMs: options.acceptedTtlMs ?? DEFAULT_TOKEN_VERDICTS.acceptedTtlMs,
      refusedTtlMs: options.refusedTtlMs ?? DEFAULT_TOKEN_VERDICTS.refusedTtlMs,
      forbiddenTtlMs: options.forbiddenTtlMs ?? DEFAULT_TOKEN_VERDICTS.forbiddenTtlMs,
      maxEntries: options.maxTokenVerdicts ?? DEFAULT_TOKEN_VERDICTS.maxEntries,
    });
    this.pool = new Pool(url.origin, {
      connections: this.options.connections,
      keepAliveTimeout: 30_000,
      // The call deadline is enforced with an AbortSignal; these only stop a stuck socket from living forever.
      headersTimeout: Math.max(options.timeoutMs, 1_000),
      bodyTimeout: Math.max(options.timeoutMs, 1_000),
    });
  }

  /** The breaker's state for this Kazoo: `open` while calls fail at once. */
  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /**
   * What Kazoo said about `token` lately: `accepted` after a 2xx to a call with it (for `acceptedTtlMs`, never past a
   * JWT's `exp`), `refused` after a 401 (for `refusedTtlMs`), else `unknown`.
   */
  tokenVerdict(token: string): TokenVerdict {
    return this.verdicts.verdict(token);
  }

  async request<T>(request: KazooRequest): Promise<KazooEnvelope<T>> {
    throwIfCancelled(request.signal);
    const admitted = this.admit(request);
    const span = CallSpan.start(admitted.method, admitted.path, this.server);
    const call = this.coalesced<T>(admitted, span);
    return span === undefined ? call : span.settle(call);
  }

  /** The call's attempts, or those of the identical read under way that it joins. */
  private coalesced<T>(admitted: AdmittedRequest, span: CallSpan | undefined): Promise<KazooEnvelope<T>> {
    if (this.inFlightReads === undefined || admitted.method !== 'GET' || !admitted.retryable) return this.attempts(admitted, span);
    // The joining caller's own X-Request-ID is not sent: Kazoo sees the id of the call it joined. The shared call
    // has a signal of its own, aborted when every caller waiting for it has gone.
    const key = InFlightReads.key(admitted.token, admitted.path + queryString(admitted.query));
    const { result, joined, joinedSpan } = this.inFlightReads.run(
      key,
      admitted.signal,
      (signal) => this.attempts<T>({ ...admitted, signal }, span),
      span?.spanContext,
    );
    if (joined) {
      this.hooks.onCoalesced?.(admitted.path);
      span?.joined(joinedSpan);
    }
    return result;
  }

  /** Refuses, before anything else, a call that cannot or need not reach Kazoo; serializes its body. */
  private admit(request: KazooRequest): AdmittedRequest {
    const { token } = request;
    const accountId = ACCOUNT_PATH.exec(request.path)?.[1];
    if (token !== undefined) {
      if (!isSendableToken(token)) {
        throw new KazooError('UNAUTHENTICATED', 'The Kazoo token is malformed: a token is 1 to 8192 visible ASCII characters');
      }
      if (this.verdicts.verdict(token) === 'refused') throw new KazooError('UNAUTHENTICATED', TOKEN_REFUSED_MESSAGE);
      if (accountId !== undefined && this.verdicts.isForbidden(token, accountId)) {
        throw new KazooError('FORBIDDEN', TOKEN_FORBIDDEN_MESSAGE);
      }
    }
    return {
      ...request,
      body: serializeEnvelope(request.data, request.envelope),
      retryable: (request.retry ?? (request.method === 'GET' ? 'read' : 'once')) === 'read',
      accountId,
      backoffKey: backoffKeyOf(accountId, token),
    };
  }

  private async attempts<T>(request: AdmittedRequest, span: CallSpan | undefined): Promise<KazooEnvelope<T>> {
    const { now } = this.options;
    const deadline = now() + this.options.timeoutMs;
    const requestId = request.requestId ?? randomUUID();
    const maxAttempts = request.retryable ? 1 + this.options.readRetries : 1;
    let lastFailure: KazooError | undefined;

    for (let attempt = 1; ; attempt++) {
      await this.waitForBackoff(request.backoffKey, deadline, request.signal);
      throwIfCancelled(request.signal);
      const admission = this.breaker.admit();
      if (!admission.allowed) {
        this.hooks.onCircuitRejected?.(request.path);
        throw (
          lastFailure ??
          new KazooError('UPSTREAM_UNAVAILABLE', 'Kazoo keeps failing; the gateway is not calling it for a moment', {
            retryAfterMs: admission.retryAfterMs,
            requestId,
          })
        );
      }
      const started = now();
      let outcome: KazooEnvelope<T> | KazooError;
      let status: number | undefined;
      try {
        const response = await this.send(request, requestId, deadline, span);
        status = response.status;
        outcome = interpret<T>(response.status, response.body, response.headers, requestId);
        if (!request.retryable && isSuccess(status) && outcome instanceof KazooError) {
          outcome = outcomeUnknown("Kazoo's answer could not be read", { status, requestId });
        }
      } catch (error) {
        // The gateway's own failure (not Kazoo's), or the caller gone: passed on as it is, neither counted nor retried.
        if (!(error instanceof NetworkFailure)) {
          this.breaker.abandon(admission.probe);
          if (isCancelled(error)) this.report(request, undefined, 'CANCELLED', started, attempt, requestId, span);
          throw error;
        }
        outcome = networkOutcome(error, request.retryable, this.options.timeoutMs, requestId);
      }
      if (status === 500 && request.http500Means !== undefined && outcome instanceof KazooError) {
        outcome = new KazooError('UPSTREAM_REJECTED', request.http500Means, { status, requestId });
      }
      if (outcome instanceof KazooError && isUpstreamFailure(outcome.code)) this.breaker.recordFailure(admission.probe);
      else this.breaker.recordSuccess(admission.probe);
      this.recordVerdict(request, status, outcome);
      this.report(request, status, outcome instanceof KazooError ? outcome.code : 'ok', started, attempt, requestId, span);

      if (!(outcome instanceof KazooError)) {
        this.backoff.succeeded(request.backoffKey);
        return outcome;
      }
      if (outcome.code === 'RATE_LIMITED') {
        const waitMs = this.backoff.rateLimited(request.backoffKey, outcome.retryAfterMs);
        const rateLimited = new KazooError('RATE_LIMITED', outcome.message, { status: 429, retryAfterMs: waitMs, requestId });
        const noTimeToWait = now() + waitMs + this.callReserveMs >= deadline;
        if (!request.retryable || attempt >= maxAttempts || noTimeToWait) throw rateLimited;
        continue;
      }
      if (outcome.code !== 'UPSTREAM_UNAVAILABLE' || !request.retryable || attempt >= maxAttempts) throw outcome;
      lastFailure = outcome;
      // Full jitter: spreads retries of many concurrent callers instead of hitting a recovering Kazoo together.
      const delay = Math.round(this.options.random() * FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1));
      if (now() + delay >= deadline) throw outcome;
      await this.pause(delay, request.signal);
    }
  }

  private report(
    request: AdmittedRequest,
    status: number | undefined,
    outcome: UpstreamAttempt['outcome'],
    started: number,
    attempt: number,
    requestId: string,
    span: CallSpan | undefined,
  ): void {
    const report: UpstreamAttempt = {
      method: request.method,
      path: request.path,
      status,
      outcome,
      durationMs: this.options.now() - started,
      attempt,
      requestId,
    };
    this.hooks.onAttempt?.(report);
    span?.attempted(report);
  }

  /** Sleeps, or fails with CANCELLED the moment the caller goes away. */
  private pause(ms: number, signal: CancelSignal | undefined): Promise<void> {
    return unlessCancelled(this.options.sleep(ms, signal), signal);
  }

  /** Waits for calls under way, then closes the connections. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Closes the connections at once, failing calls still under way (for a shutdown that has drained its callers). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }

  private send(request: AdmittedRequest, requestId: string, deadline: number, span: CallSpan | undefined): Promise<CrossbarResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': requestId,
    };
    span?.inject(headers);
    if (request.token !== undefined) headers['x-auth-token'] = request.token;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = deadlineAfter(Math.max(1, deadline - this.options.now()));
    const exchanged = exchange(
      this.pool,
      {
        path: this.pathPrefix + request.path + queryString(request.query),
        method: request.method,
        headers,
        body: request.body ?? null,
      },
      timeout.signal,
      request.retryable ? request.signal : undefined,
    );
    exchanged.then(timeout.clear, timeout.clear);
    return exchanged;
  }

  /** Remembers what Kazoo's answer says about the token, so that known answers are not asked for again. */
  private recordVerdict(request: AdmittedRequest, status: number | undefined, outcome: unknown): void {
    if (request.token === undefined || status === undefined) return;
    if (!(outcome instanceof KazooError)) this.verdicts.accepted(request.token);
    else if (status === 401) this.verdicts.refused(request.token);
    else if (status === 403 && request.accountId !== undefined) this.verdicts.forbid(request.token, request.accountId);
  }

  /**
   * Time a call needs after waiting out a back-off: waiting until just before the deadline would only buy a timeout
   * (UPSTREAM_UNAVAILABLE, counted by the circuit breaker) where RATE_LIMITED with the wait is the true answer.
   */
  private get callReserveMs(): number {
    return Math.min(MAX_CALL_RESERVE_MS, this.options.timeoutMs / 4);
  }

  /**
   * Waits out the back-off of the call's bucket, released at a random moment of the period after it (backoff.ts). A
   * wait that would leave too little of the deadline is RATE_LIMITED at once; the random part is cut short rather
   * than make it so.
   */
  private async waitForBackoff(key: string, deadline: number, signal: CancelSignal | undefined): Promise<void> {
    const remainingMs = this.backoff.remainingMs(key);
    if (remainingMs === 0) return;
    const latest = deadline - this.callReserveMs - this.options.now();
    if (remainingMs >= latest) {
      throw new KazooError('RATE_LIMITED', 'Kazoo is rate-limiting this account; retry later', {
        status: 429,
        retryAfterMs: remainingMs,
      });
    }
    await this.pause(Math.min(this.backoff.waitMs(key), latest - 1), signal);
  }
}

/**
 * The Kazoo rate-limit bucket a call is charged to: the account in the path; for a call without one (token_auth) the
 * token's own account (its JWT `account_id`, or the token itself when it is not a JWT), so one tenant's 429 there does
 * not hold back everybody's; `auth` for the logins, which Kazoo charges to the gateway's address.
 */
function backoffKeyOf(accountId: string | undefined, token: string | undefined): string {
  if (accountId !== undefined) return accountId;
  if (token !== undefined) return jwtAccountId(token) ?? `token ${tokenHash(token)}`;
  return 'auth';
}

function networkOutcome(failure: NetworkFailure, retryable: boolean, timeoutMs: number, requestId: string): KazooError {
  const what = failure.timedOut
    ? `Kazoo did not answer within ${timeoutMs} ms`
    : failure.sent
      ? 'The connection to Kazoo broke before it answered'
      : 'Kazoo could not be reached';
  // A write that reached a socket may have been applied; one that never left certainly was not.
  if (!retryable && failure.sent) return outcomeUnknown(what, { requestId, cause: failure.cause });
  return new KazooError('UPSTREAM_UNAVAILABLE', what, { requestId, cause: failure.cause });
}

function outcomeUnknown(what: string, details: { status?: number; requestId: string; cause?: unknown }): KazooError {
  return new KazooError('OUTCOME_UNKNOWN', `${what}: the change may have been applied; read it back before retrying`, details);
}

function queryString(query: KazooRequest['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const encoded = params.toString();
  return encoded === '' ? '' : `?${encoded}`;
}

function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
