// Coalescing of identical concurrent reads: while a GET is on its way to Kazoo, the same GET for the same token
// (same path, same query string) joins it instead of being sent again. Many browser tabs polling the same screen with
// one token cost Kazoo one call. The key always holds the token, so nothing read with one token is handed to
// another; callers only put side-effect-free reads here (never quickcall, never a write).
//
// A caller that goes away (its signal aborts) stops waiting at once, but the shared call goes on for the others: it
// is cancelled only when every caller waiting for it has gone (a caller without a signal never goes). A call carries
// its span (call-span.ts), so that a read joining it can link to the call that was really sent.
import type { SpanContext } from '@opentelemetry/api';
import { Cancellation, cancelled, unlessCancelled } from './cancellation.js';
import type { CancelSignal } from './cancellation.js';

interface SharedCall {
  result: Promise<unknown>;
  readonly span: SpanContext | undefined;
  /** Aborts the shared call; given to it as its signal. */
  controller: Cancellation;
  /** Callers still waiting for it. */
  waiting: number;
}

export class InFlightReads {
  private readonly inFlight = new Map<string, SharedCall>();

  static key(token: string | undefined, pathAndQuery: string): string {
    // A NUL cannot occur in a header value or a built path, so the two parts can never run into each other.
    return `${token ?? ''}\u0000${pathAndQuery}`;
  }

  /**
   * Runs `call` (traced as `span`, if at all), or joins the identical call already under way; `joined` says which,
   * and `joinedSpan` is the span of the call joined.
   */
  run<T>(
    key: string,
    signal: CancelSignal | undefined,
    call: (signal: CancelSignal) => Promise<T>,
    span?: SpanContext,
  ): { result: Promise<T>; joined: boolean; joinedSpan: SpanContext | undefined } {
    if (signal?.aborted === true) return { result: Promise.reject(cancelled()), joined: false, joinedSpan: undefined };
    let shared = this.inFlight.get(key);
    const joined = shared !== undefined;
    const joinedSpan = shared?.span;
    if (shared === undefined) {
      const controller = new Cancellation();
      const started: SharedCall = { result: call(controller), span, controller, waiting: 0 };
      started.result
        .finally(() => {
          if (this.inFlight.get(key) === started) this.inFlight.delete(key);
        })
        // Every caller has its own handlers on `result`; this chain only needs not to be an unhandled rejection.
        .catch(() => undefined);
      this.inFlight.set(key, started);
      shared = started;
    }
    shared.waiting++;
    if (signal === undefined) return { result: shared.result as Promise<T>, joined, joinedSpan };
    const waitedFor = shared;
    const result = unlessCancelled(waitedFor.result as Promise<T>, signal, () => this.leave(key, waitedFor));
    return { result, joined, joinedSpan };
  }

  get size(): number {
    return this.inFlight.size;
  }

  private leave(key: string, shared: SharedCall): void {
    shared.waiting--;
    if (shared.waiting > 0) return;
    // Nobody waits for it any more: stop it, and let the next identical read start afresh rather than join it.
    if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
    shared.controller.abort();
  }
}
