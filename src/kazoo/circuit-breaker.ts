// A circuit breaker for one Kazoo base URL. After `failureThreshold` failed attempts in a row (5xx, timeouts, refused
// or reset connections, unreadable answers) it opens: calls fail at once instead of each waiting for a dead Kazoo and
// piling onto it while it recovers. After `openMs` one call is let through as a probe (half-open); its success closes
// the circuit, its failure opens it again. Any answer that is not a failure (a 404, a 429...) counts as success:
// Kazoo is there and answering.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failed attempts in a row that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  openMs: number;
  now?: () => number;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/** Whether an attempt may go upstream now; `probe` marks the one attempt a half-open circuit lets through. */
type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number };

export const DEFAULT_CIRCUIT_BREAKER: Readonly<Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs'>> = {
  failureThreshold: 10,
  openMs: 5_000,
};

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1) || !(options.openMs >= 0)) {
      throw new Error('A circuit breaker needs failureThreshold >= 1 and openMs >= 0');
    }
    this.now = options.now ?? Date.now;
  }

  /** The state as callers would meet it now: an open circuit whose wait is over reports half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half-open';
    return this.current;
  }

  admit(): Admission {
    if (this.current === 'closed') return { allowed: true, probe: false };
    if (this.current === 'open') {
      const waitMs = this.openedAt + this.options.openMs - this.now();
      if (waitMs > 0) return { allowed: false, retryAfterMs: waitMs };
      this.transition('half-open');
    }
    if (this.probeInFlight) return { allowed: false, retryAfterMs: this.options.openMs };
    this.probeInFlight = true;
    return { allowed: true, probe: true };
  }

  /** Kazoo answered (whatever the status, unless 5xx or unreadable). */
  recordSuccess(probe: boolean): void {
    if (probe) this.probeInFlight = false;
    this.consecutiveFailures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  /** An admitted attempt that never reached Kazoo (the gateway failed first): frees the probe slot, counts nothing. */
  abandon(probe: boolean): void {
    if (probe) this.probeInFlight = false;
  }

  recordFailure(probe: boolean): void {
    if (probe) {
      this.probeInFlight = false;
      this.open();
      return;
    }
    // Late failures of attempts sent before the circuit opened change nothing: it is already open or probing.
    if (this.current !== 'closed') return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.consecutiveFailures = 0;
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    const previous = this.current;
    this.current = state;
    if (previous !== state) this.options.onStateChange?.(state, previous);
  }
}
