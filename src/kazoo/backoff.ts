// The back-off after Kazoo's 429s, per rate-limit bucket, shared by every caller of one client.
//
// Why shared: Kazoo rate-limits per (client address, account) and every user of the gateway reaches Kazoo from the
// gateway's address, so one 429 means the whole gateway must slow down for that account. Why per episode: the 429s
// of a burst that was already on its way when the first one came back belong to the same episode and raise the wait
// once, not once each (a burst of ten would otherwise jump straight to the cap). The wait doubles only when Kazoo
// answers 429 again after a wait has run out, and a success after the wait ends the episode.

const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 10_000;

interface Episode {
  /** The current wait window ends here. */
  until: number;
  /** Windows opened in this episode (1 for the first 429). */
  windows: number;
}

export class RateLimitBackoff {
  private readonly episodes = new Map<string, Episode>();

  constructor(private readonly now: () => number) {}

  /** How long calls charged to `key` must still wait (0: none). */
  remainingMs(key: string): number {
    const episode = this.episodes.get(key);
    return episode === undefined ? 0 : Math.max(0, episode.until - this.now());
  }

  /** Kazoo answered 429 for `key`: opens (or joins) a wait window and returns how long it still lasts. */
  rateLimited(key: string, retryAfterMs: number | undefined): number {
    const now = this.now();
    const episode = this.episodes.get(key);
    if (episode !== undefined && now < episode.until) {
      // A 429 inside the open window: Kazoo said nothing new, unless it asks for longer.
      if (retryAfterMs !== undefined) episode.until = Math.max(episode.until, now + retryAfterMs);
      return episode.until - now;
    }
    const windows = (episode?.windows ?? 0) + 1;
    const waitMs = retryAfterMs ?? Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (windows - 1));
    this.episodes.set(key, { until: now + waitMs, windows });
    return waitMs;
  }

  /**
   * Kazoo answered a call charged to `key`: the episode is over, unless its window is still open. Calls wait for the
   * window before they are sent, so one that succeeds inside it left before the 429 and says nothing new.
   */
  succeeded(key: string): void {
    if (this.remainingMs(key) === 0) this.episodes.delete(key);
  }
}
