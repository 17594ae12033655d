// A subscriber's undelivered events, as the async iterator graphql-ws reads the subscription from. It is bounded:
// a batch (one poll's changes, or the initial state) is always accepted by a subscriber that has caught up, but a
// subscriber still holding earlier events when the total would pass `capacity` has fallen behind and is dropped,
// so a slow consumer costs at most `capacity` events plus one batch of memory.
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  /** An error still to be handed to the consumer. */
  private failure: { error: unknown } | undefined;
  private finished = false;

  constructor(
    private readonly capacity: number,
    /** Runs once, as soon as the queue stops taking events (consumer left, failure, overflow). */
    private readonly onFinish: () => void,
  ) {}

  get pending(): number {
    return this.items.length - this.head;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** False when the subscriber had fallen behind: the queue is then ended and the batch dropped. */
  pushBatch(batch: readonly T[]): boolean {
    if (this.finished || batch.length === 0) return true;
    if (this.pending > 0 && this.pending + batch.length > this.capacity) {
      this.end();
      return false;
    }
    for (const item of batch) this.items.push(item);
    this.deliver();
    return true;
  }

  /** Ends the stream with `error`, dropping what was not delivered yet. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.clear();
    this.failure = { error };
    this.finish();
    this.deliver();
  }

  /** Ends the stream without an error, dropping what was not delivered yet. */
  end(): void {
    if (this.finished) return;
    this.clear();
    this.finish();
    this.deliver();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.pending > 0) return Promise.resolve({ done: false, value: this.take() });
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      return Promise.reject(failure.error);
    }
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.failure = undefined;
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.failure = undefined;
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    if (this.pending === 0 && this.failure === undefined && !this.finished) return;
    this.waiting = undefined;
    this.next().then(waiting.resolve, waiting.reject);
  }

  private take(): T {
    const item = this.items[this.head] as T;
    this.head += 1;
    if (this.head === this.items.length) {
      this.clear();
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Compact now and then rather than shifting on every read (an initial burst can be thousands of events).
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private clear(): void {
    this.items = [];
    this.head = 0;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish();
  }
}
