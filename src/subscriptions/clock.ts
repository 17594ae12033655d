// The clock of the live registrations' timed work: poll intervals, back-off, and the lease's retries and renewals.
// The system clock in production; tests pass one they move themselves, so lease hand-overs and poll counts are
// checked in milliseconds instead of waiting out real lease periods.
export interface Clock {
  now(): number;
  /** Runs `fire` once, `ms` from now; the returned function cancels it. */
  after(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
