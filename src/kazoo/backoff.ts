// The back-off after Kazoo's 429s, per rate-limit bucket, shared by every caller of one client.
//
// Why shared: Kazoo rate-limits per (client address, account) and every user of the gateway reaches Kazoo from the
// gateway's address, so one 429 means the whole gateway must slow down for that account. Why per episode: the 429s
// of a burst that was already on its way when the first one came back belong to the same episode and raise the wait
// once, not once each (a burst of ten would otherwise jump straight to the cap). The wait doubles only when Kazoo
// answers 429 again after a wait has run out, and a success after the wait ends the episode. Why jitter: the calls
// held back by a window would otherwise all leave the instant it ends and meet Kazoo's nearly empty bucket as one
// burst (and likely a new 429); each waiter instead leaves at a random moment of a release period after the window.

const FIRST_WAIT_MS = 500;
/** The longest window, reached after repeated 429s. */
export const MAX_WAIT_MS = 10_000;
/**
 * Waiters are released over a period as long as the window they waited out (a longer window holds more of them), but
 * never longer than this, so that no waiter is held more than a second beyond what Kazoo asked. It spreads them out;
 * it does not pace them to Kazoo's bucket (100 calls, refilled at 10 a second per account): a per-account gate would.
 */
export const MAX_RELEASE_SPREAD_MS = 1_000;

interface Episode {
  /** The current wait window ends here. */
  until: number;
  /** Windows opened in this episode (1 for the first 429). */
  windows: number;
  /** Waiters of this window leave at a random moment of this many milliseconds after it ends. */
  spreadMs: number;
}

export class RateLimitBackoff {
  private readonly episodes = new Map<string, Episode>();

  constructor(
    private readonly now: () => number,
    /** In [0, 1): where in the release period a waiter leaves. */
    private readonly random: () => number,
  ) {}

  /** How long calls charged to `key` must still wait for the window to end (0: none). */
  remainingMs(key: string): number {
    const episode = this.episodes.get(key);
    return episode === undefined ? 0 : Math.max(0, episode.until - this.now());
  }

  /**
   * How long this one call charged to `key` waits: to the end of the window, then a random part of the release
   * period (0 when no window is open: nothing to spread).
   */
  waitMs(key: string): number {
    const remaining = this.remainingMs(key);
    if (remaining === 0) return 0;
    const spreadMs = this.episodes.get(key)?.spreadMs ?? 0;
    return remaining + Math.floor(this.random() * spreadMs);
  }

  /** Kazoo answered 429 for `key`: opens (or joins) a wait window and returns how long it still lasts. */
  rateLimited(key: string, retryAfterMs: number | undefined): number {
    const now = this.now();
    const episode = this.episodes.get(key);
    if (episode !== undefined && now < episode.until) {
      // A 429 inside the open window: Kazoo said nothing new, unless it asks for longer.
      if (retryAfterMs !== undefined && now + retryAfterMs > episode.until) {
        episode.until = now + retryAfterMs;
        episode.spreadMs = spreadOf(retryAfterMs);
      }
      return episode.until - now;
    }
    const windows = (episode?.windows ?? 0) + 1;
    const waitMs = retryAfterMs ?? Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (windows - 1));
    this.episodes.set(key, { until: now + waitMs, windows, spreadMs: spreadOf(waitMs) });
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

function spreadOf(windowMs: number): number {
  return Math.min(MAX_RELEASE_SPREAD_MS, windowMs);
}
