// What Kazoo recently said about a token, so that a call whose answer is already known is refused without costing
// Kazoo anything: after a 401 the token is refused for a while, after a 403 on an account's paths the token is refused
// for that account for a while. Without this, a tenant could drain another account's Kazoo rate-limit bucket (Kazoo
// charges the account in the path before it answers 403) by repeating reads it may not make. It also tells others
// whether Kazoo accepted a token lately (a 2xx), e.g. so a rate limiter keys by token only once the token is real.
// Keyed by SHA-256 of the token, never the token; bounded, least recently used first out.
import { jwtExpiry, tokenHash } from './token.js';

export type TokenVerdict = 'accepted' | 'refused' | 'unknown';

interface TokenVerdictOptions {
  now: () => number;
  /** How long a 2xx vouches for a token (never past a JWT's `exp`). */
  acceptedTtlMs: number;
  /** How long a 401 refuses a token. */
  refusedTtlMs: number;
  /** How long a 403 refuses a token for the account it was refused on. */
  forbiddenTtlMs: number;
  /** Tokens remembered at most, and (token, account) refusals remembered at most. */
  maxEntries: number;
}

export const DEFAULT_TOKEN_VERDICTS: Readonly<Omit<TokenVerdictOptions, 'now'>> = {
  acceptedTtlMs: 5 * 60_000,
  refusedTtlMs: 30_000,
  forbiddenTtlMs: 30_000,
  maxEntries: 10_000,
};

interface Verdict {
  verdict: 'accepted' | 'refused';
  until: number;
}

export class TokenVerdicts {
  private readonly tokens: BoundedMap<Verdict>;
  /** Keyed by token hash and account id; the value is when the refusal ends. */
  private readonly forbidden: BoundedMap<number>;

  constructor(private readonly options: TokenVerdictOptions) {
    this.tokens = new BoundedMap(options.maxEntries);
    this.forbidden = new BoundedMap(options.maxEntries);
  }

  verdict(token: string): TokenVerdict {
    const hash = tokenHash(token);
    const known = this.tokens.get(hash);
    if (known === undefined) return 'unknown';
    if (this.options.now() < known.until) return known.verdict;
    this.tokens.delete(hash);
    return 'unknown';
  }

  /** Whether Kazoo refused `token` for `accountId` within the last `forbiddenTtlMs`. */
  isForbidden(token: string, accountId: string): boolean {
    const key = forbiddenKey(tokenHash(token), accountId);
    const until = this.forbidden.get(key);
    if (until === undefined) return false;
    if (this.options.now() < until) return true;
    this.forbidden.delete(key);
    return false;
  }

  /** Kazoo answered a call made with `token` with a 2xx. */
  accepted(token: string): void {
    const now = this.options.now();
    const until = Math.min(now + this.options.acceptedTtlMs, jwtExpiry(token)?.getTime() ?? Number.POSITIVE_INFINITY);
    const hash = tokenHash(token);
    if (until > now) this.tokens.set(hash, { verdict: 'accepted', until });
    else this.tokens.delete(hash);
  }

  /** Kazoo answered 401 to a call made with `token`. */
  refused(token: string): void {
    this.tokens.set(tokenHash(token), { verdict: 'refused', until: this.options.now() + this.options.refusedTtlMs });
  }

  /** Kazoo answered 403 to a call made with `token` on `accountId`'s paths. */
  forbid(token: string, accountId: string): void {
    this.forbidden.set(forbiddenKey(tokenHash(token), accountId), this.options.now() + this.options.forbiddenTtlMs);
  }
}

function forbiddenKey(hash: string, accountId: string): string {
  return `${hash} ${accountId}`;
}

/** A Map of at most `capacity` entries; reading or writing an entry makes it the most recently used. */
class BoundedMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
