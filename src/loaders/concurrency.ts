// Runs per-id upstream calls a few at a time: Kazoo has no bulk read, and firing a whole batch at once would drain
// its per-account rate-limit bucket (100 tokens) for everyone behind the gateway.
export const UPSTREAM_CONCURRENCY = 8;

export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A rejection as the Error DataLoader wants in a batch's result for that key. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
