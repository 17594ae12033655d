// A log that keeps only its newest `capacity` entries: the simulator records every request and side effect for tests
// to read, and a long-running simulator (`npm start`, a standalone one) must not grow without end doing so. Pushing
// onto a full buffer overwrites the oldest entry in place, so recording stays O(1) and allocates nothing.
export class RingBuffer<T> {
  private readonly slots: T[] = [];
  /** Where the oldest entry sits once the buffer has wrapped. */
  private oldest = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`a ring buffer needs a capacity of at least 1, got ${capacity}`);
  }

  push(entry: T): void {
    if (this.slots.length < this.capacity) {
      this.slots.push(entry);
      return;
    }
    this.slots[this.oldest] = entry;
    this.oldest = (this.oldest + 1) % this.capacity;
  }

  /** The entries kept, oldest first (a copy: later pushes do not change it). */
  toArray(): T[] {
    return [...this.slots.slice(this.oldest), ...this.slots.slice(0, this.oldest)];
  }

  clear(): void {
    this.slots.length = 0;
    this.oldest = 0;
  }
}
