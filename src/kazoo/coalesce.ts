// Coalescing of identical concurrent reads: while a GET is on its way to Kazoo, the same GET for the same token
// (same path, same query string) joins it instead of being sent again. Many browser tabs polling the same screen with
// one token cost Kazoo one call. The key always holds the token, so nothing read with one token is handed to
// another; callers only put side-effect-free reads here (never quickcall, never a write).

export class InFlightReads {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  static key(token: string | undefined, pathAndQuery: string): string {
    // A NUL cannot occur in a header value or a built path, so the two parts can never run into each other.
    return `${token ?? ''}\u0000${pathAndQuery}`;
  }

  /** Runs `call`, or joins the identical call already under way; `joined` says which. */
  run<T>(key: string, call: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const existing = this.inFlight.get(key);
    if (existing !== undefined) return { result: existing as Promise<T>, joined: true };
    const result = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return { result, joined: false };
  }

  get size(): number {
    return this.inFlight.size;
  }
}
