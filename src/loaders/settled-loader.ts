// A DataLoader that also answers synchronously for keys it has already loaded. A root resolver that fetched, up
// front, what every node of a page will ask for (registrations, owners) lets the nodes' resolvers answer without a
// promise each, which is most of the CPU of a large page.
import DataLoader from 'dataloader';

export class SettledLoader<K, V> extends DataLoader<K, V> {
  private readonly values = new Map<K, V>();

  override load(key: K): Promise<V> {
    const promise = super.load(key);
    if (!this.values.has(key)) {
      promise.then(
        (value) => this.values.set(key, value),
        () => undefined,
      );
    }
    return promise;
  }

  /** Primed values are settled values too (errors primed are not: peek() never answers with a failure). */
  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    super.prime(key, value);
    if (!(value instanceof Error) && !isPromiseLike(value) && !this.values.has(key)) this.values.set(key, value);
    return this;
  }

  /** The value at once when it is already loaded, else the promise of loading it. */
  loadSettled(key: K): V | Promise<V> {
    // One lookup on the path every row of a page takes; \`has\` only for a value that is itself undefined.
    const value = this.values.get(key);
    return value !== undefined || this.values.has(key) ? (value as V) : this.load(key);
  }

  /** The value already loaded for `key`; undefined when it has not been loaded (or failed). */
  peek(key: K): { value: V } | undefined {
    return this.values.has(key) ? { value: this.values.get(key) as V } : undefined;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
