// Coalescing of identical concurrent reads: while a GET is on its way to Kazoo, the same GET for the same token
// (same path, same query string) joins it instead of being sent again. Many browser tabs polling the same screen with
// one token cost Kazoo one call. The key always holds the token, so nothing read with one token is handed to
// another; callers only put side-effect-free reads here (never quickcall, never a write). A call carries its span
// (call-span.ts), so that a read joining it can link to the call that was really sent.
import type { SpanContext } from '@opentelemetry/api';

interface InFlightRead {
  readonly result: Promise<unknown>;
  readonly span: SpanContext | undefined;
}

export class InFlightReads {
  private readonly inFlight = new Map<string, InFlightRead>();

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
    call: () => Promise<T>,
    span?: SpanContext,
  ): { result: Promise<T>; joined: boolean; joinedSpan: SpanContext | undefined } {
    const existing = this.inFlight.get(key);
    if (existing !== undefined) return { result: existing.result as Promise<T>, joined: true, joinedSpan: existing.span };
    const result = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { result, span });
    return { result, joined: false, joinedSpan: undefined };
  }

  get size(): number {
    return this.inFlight.size;
  }
}
