// A clock for the gateway's Kazoo client (GatewayOptions.kazooClock) that runs in real time but skips the client's
// waits: a back-off or retry delay passes at once, the clock jumping by it, and `advance` jumps over a breaker's open
// period or a back-off window. Deadlines of calls in flight still run in real time (they are socket timers).
export interface SkippingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
}

export function skippingClock(): SkippingClock {
  let skippedMs = 0;
  return {
    now: () => Date.now() + skippedMs,
    sleep: async (ms) => {
      skippedMs += ms;
    },
    advance: (ms) => {
      skippedMs += ms;
    },
  };
}
