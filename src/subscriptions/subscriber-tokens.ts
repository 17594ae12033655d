// The Kazoo tokens of an account's live subscribers on this instance, for polling when no service credential is
// configured: the longest-standing subscriber's token is used until Kazoo refuses it or it expires, then the next.
import { jwtExpiry } from '../kazoo/auth.js';

interface TokenUse {
  subscribers: number;
  expiresAt: number;
}

export class SubscriberTokens {
  /** In insertion order: the first usable one polls. */
  private readonly tokens = new Map<string, TokenUse>();
  private readonly refused = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  add(token: string): void {
    const use = this.tokens.get(token);
    if (use !== undefined) use.subscribers += 1;
    else this.tokens.set(token, { subscribers: 1, expiresAt: jwtExpiry(token)?.getTime() ?? Number.POSITIVE_INFINITY });
  }

  remove(token: string): void {
    const use = this.tokens.get(token);
    if (use === undefined) return;
    use.subscribers -= 1;
    if (use.subscribers > 0) return;
    this.tokens.delete(token);
    this.refused.delete(token);
  }

  /** Kazoo refused it: never poll with it again. */
  refuse(token: string): void {
    if (this.tokens.has(token)) this.refused.add(token);
  }

  current(): string | undefined {
    const now = this.now();
    for (const [token, use] of this.tokens) {
      if (!this.refused.has(token) && now < use.expiresAt) return token;
    }
    return undefined;
  }
}
