// One load measurement with autocannon: a warm-up (discarded), then a fixed-duration run at a fixed number of
// concurrent clients (connections, no pipelining). autocannon's own latency histogram has 1 ms resolution, too
// coarse for sub-millisecond goals, so every response time is taken from its `response` event (hrtime, in ms) and
// the statistics are computed here. Every response body is checked (`isSuccess`): a GraphQL error or a Kazoo error
// envelope is a failure, and a cell with failures is reported as invalid instead of as a fast figure. The CPU time
// the servers used during the run is read from /proc, per request.
import autocannon from 'autocannon';
import { cpuMillis } from './processes.js';
import { mean, percentileSorted } from './stats.js';

export interface HttpTarget {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether one response body is a correct answer. */
  isSuccess: (body: string) => boolean;
}

export interface LoadOptions {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Processes whose CPU time per request is reported (gateway, simulator, peer). */
  watch: Readonly<Record<string, number>>;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
  bytesPerResponse: number;
  /** CPU milliseconds each watched process spent per request. */
  cpuMsPerRequest: Record<string, number>;
}

interface CannonRun {
  result: autocannon.Result;
  latencies: number[];
  bytes: number;
}

function cannon(target: HttpTarget, connections: number, seconds: number, record: boolean): Promise<CannonRun> {
  const latencies: number[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        ...(target.body === undefined ? {} : { body: target.body }),
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        verifyBody: (body) => typeof body === 'string' && target.isSuccess(body),
      },
      (error: unknown, result: autocannon.Result) => {
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, latencies, bytes });
      },
    );
    if (record) {
      instance.on('response', (_client, _status, responseBytes, responseTime) => {
        latencies.push(responseTime);
        bytes += responseBytes;
      });
    }
  });
}

export async function runLoad(target: HttpTarget, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await cannon(target, options.connections, options.warmupSeconds, false);
  const cpuBefore = Object.fromEntries(Object.entries(options.watch).map(([name, pid]) => [name, cpuMillis(pid)]));
  const { result, latencies, bytes } = await cannon(target, options.connections, options.durationSeconds, true);
  const requests = latencies.length;
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(options.watch).map(([name, pid]) => [name, (cpuMillis(pid) - (cpuBefore[name] ?? 0)) / Math.max(1, requests)]),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return {
    connections: options.connections,
    seconds: result.duration,
    requests,
    rps: requests / result.duration,
    meanMs: mean(sorted),
    p50Ms: percentileSorted(sorted, 50),
    p99Ms: percentileSorted(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
    bytesPerResponse: requests === 0 ? 0 : bytes / requests,
    cpuMsPerRequest,
  };
}
