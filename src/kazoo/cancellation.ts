// Cancellation: a caller that went away (its HTTP client disconnected, its subscription ended) passes an AbortSignal
// with its session, and everything done for it stops: calls in flight, retries, back-off waits, listing pages. What
// it was waiting for fails with CANCELLED, which is neither Kazoo failing (the circuit breaker does not count it, it
// is never retried) nor the gateway failing (nothing logs it as an error): nobody is left to answer.
//
// Signals are CancelSignals: an AbortSignal is one, and so is the Cancellation below, which the gateway makes for
// every HTTP request, coalesced read and call deadline. Node's AbortSignal is an EventTarget whose first abort
// listener costs about 6 µs (measured on Node 20); three of those per Kazoo call were a measurable share of a read
// (BENCHMARKS.md). A Cancellation is a flag and an array.
import { KazooError } from './errors.js';

/** What the gateway's calls watch for their caller going away: an AbortSignal, or a Cancellation. */
export interface CancelSignal {
  readonly aborted: boolean;
  /** Why it aborted, once it has (a deadline's is a TimeoutError). */
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An AbortController and its signal in one small object: `abort()` runs each listener once, in the order added, and
 * listeners added after it are not run (as with an AbortSignal).
 */
export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  abort(reason: unknown = cancelled()): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

/** A signal that aborts with a TimeoutError after `ms`; `clear` stops its timer once it is no longer needed. */
export function deadlineAfter(ms: number): { signal: CancelSignal; clear(): void } {
  const deadline = new Cancellation();
  const timer = setTimeout(() => deadline.abort(new DOMException(`No answer within ${ms} ms`, 'TimeoutError')), ms);
  timer.unref();
  return { signal: deadline, clear: () => clearTimeout(timer) };
}

export function cancelled(): KazooError {
  return new KazooError('CANCELLED', 'The caller went away: the gateway stopped its calls to Kazoo');
}

export function isCancelled(error: unknown): boolean {
  return error instanceof KazooError && error.code === 'CANCELLED';
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted === true) throw cancelled();
}

/** `promise`, or CANCELLED as soon as `signal` aborts, whichever comes first; `onCancel` runs when the abort wins. */
export function unlessCancelled<T>(promise: Promise<T>, signal: CancelSignal | undefined, onCancel?: () => void): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      onCancel?.();
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A controller of one's own that also aborts when `parent` does. */
export interface ChildController {
  readonly signal: CancelSignal;
  abort(): void;
  /** Stops following the parent (a long-lived one, such as a WebSocket's, would otherwise hold every child). */
  release(): void;
}

export function childController(parent: CancelSignal | undefined): ChildController {
  const controller = new Cancellation();
  const abort = (): void => controller.abort();
  if (parent?.aborted === true) abort();
  else parent?.addEventListener('abort', abort, { once: true });
  const release = (): void => parent?.removeEventListener('abort', abort);
  return {
    signal: controller,
    abort() {
      release();
      abort();
    },
    release,
  };
}
