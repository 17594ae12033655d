// Crossbar's token buckets (kz_buckets): one bucket per (client address, account id), refilled continuously.

export interface RateLimitSettings {
  capacity: number;
  refillPerSecond: number;
  quickcallCost: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { capacity: 100, refillPerSecond: 10, quickcallCost: 2 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private settings: RateLimitSettings | undefined;
  private readonly buckets = new Map<string, Bucket>();

  constructor(settings: RateLimitSettings | undefined) {
    this.settings = settings;
  }

  configure(settings: RateLimitSettings | undefined): void {
    this.settings = settings;
    this.buckets.clear();
  }

  get quickcallCost(): number {
    return this.settings?.quickcallCost ?? DEFAULT_RATE_LIMIT.quickcallCost;
  }

  /** Takes `cost` tokens from the bucket; false (and nothing taken) when there are not enough. */
  consume(clientAddress: string, accountId: string | undefined, cost: number, now: number = Date.now()): boolean {
    const settings = this.settings;
    if (!settings || cost <= 0) return true;
    const key = `${clientAddress}|${accountId ?? ''}`;
    const bucket = this.buckets.get(key) ?? { tokens: settings.capacity, updatedAt: now };
    const refilled = Math.min(
      settings.capacity,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * settings.refillPerSecond,
    );
    const allowed = refilled >= cost;
    this.buckets.set(key, { tokens: allowed ? refilled - cost : refilled, updatedAt: now });
    return allowed;
  }
}
