// Fault injection for tests: the next matching /v2 requests fail in a chosen way instead of being served.
import type { Fault, FaultOptions } from './types.js';

interface ActiveFault {
  fault: Fault;
  remaining: number | undefined;
  method: string | undefined;
  pathIncludes: string | undefined;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private readonly held = new Set<() => void>();

  set(fault: Fault | null, options: FaultOptions = {}): void {
    if (fault === null) {
      this.faults = [];
      const releases = [...this.held];
      this.held.clear();
      for (const release of releases) release();
      return;
    }
    this.faults.unshift({
      fault,
      remaining: options.times,
      method: options.match?.method?.toUpperCase(),
      pathIncludes: options.match?.pathIncludes,
    });
  }

  /** The fault to apply to this request, if any (newest first); counts it against `times`. */
  take(method: string, path: string): Fault | undefined {
    const active = this.faults.find(
      (candidate) =>
        (candidate.method === undefined || candidate.method === method.toUpperCase()) &&
        (candidate.pathIncludes === undefined || path.includes(candidate.pathIncludes)),
    );
    if (!active) return undefined;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== active);
    }
    return active.fault;
  }

  /** Parks a hung request until the faults are cleared; returns a function that forgets it. */
  hold(release: () => void): () => void {
    this.held.add(release);
    return () => this.held.delete(release);
  }
}
