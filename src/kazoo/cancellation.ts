// Cancellation: a caller that went away (its HTTP client disconnected, its subscription ended) passes an AbortSignal
// with its session, and everything done for it stops: calls in flight, retries, back-off waits, listing pages. What
// it was waiting for fails with CANCELLED, which is neither Kazoo failing (the circuit breaker does not count it, it
// is never retried) nor the gateway failing (nothing logs it as an error): nobody is left to answer.
import { KazooError } from './errors.js';

export function cancelled(): KazooError {
  return new KazooError('CANCELLED', 'The caller went away: the gateway stopped its calls to Kazoo');
}

export function isCancelled(error: unknown): boolean {
  return error instanceof KazooError && error.code === 'CANCELLED';
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelled();
}

/** `promise`, or CANCELLED as soon as `signal` aborts, whichever comes first; `onCancel` runs when the abort wins. */
export function unlessCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined, onCancel?: () => void): Promise<T> {
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
  readonly signal: AbortSignal;
  abort(): void;
  /** Stops following the parent (a long-lived one, such as a WebSocket's, would otherwise hold every child). */
  release(): void;
}

export function childController(parent: AbortSignal | undefined): ChildController {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (parent?.aborted === true) abort();
  else parent?.addEventListener('abort', abort, { once: true });
  const release = (): void => parent?.removeEventListener('abort', abort);
  return {
    signal: controller.signal,
    abort() {
      release();
      abort();
    },
    release,
  };
}
