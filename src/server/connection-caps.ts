// How many long-lived connections (WebSockets, Server-Sent Event streams) one client holds open at once, per client
// address and per token, with a cap on each. Both transports count into the same caps: a client that falls back to
// SSE where WebSockets are blocked gets the same allowance, and mixing the two does not double it. A connection
// counts until it emits `close`.

/** A WebSocket or an HTTP response: anything that says when it is gone. */
export interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/** Open connections by key (a client address, a token's bucket key); a key goes when its count is back to 0. */
export class OpenConnections {
  readonly #counts = new Map<string, number>();

  /** Connections one key may hold open; 0: no cap. */
  constructor(readonly cap: number) {}

  atCap(key: string): boolean {
    return this.cap > 0 && (this.#counts.get(key) ?? 0) >= this.cap;
  }

  /** Counts `connection` against `key` until it closes. */
  hold(key: string, connection: Closable): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    connection.once('close', () => {
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(key);
      else this.#counts.set(key, left);
    });
  }
}

export interface ConnectionCaps {
  /** By client address (use-rate-limit.ts clientAddress). */
  readonly byAddress: OpenConnections;
  /** By token bucket key (use-rate-limit.ts tokenBucketKey), once Kazoo accepted the token. */
  readonly byToken: OpenConnections;
}

export function createConnectionCaps(perAddress: number, perToken: number): ConnectionCaps {
  return { byAddress: new OpenConnections(perAddress), byToken: new OpenConnections(perToken) };
}
