// /healthz: the process is up and serving. /readyz: Kazoo answers, so requests can succeed; load balancers take an
// instance out of rotation while it is false. Kazoo is asked without a token (a Crossbar 401 envelope proves it
// is up and costs no rate-limit tokens) and the answer is cached briefly so probes cannot flood Kazoo.
// While the client's circuit breaker is open the instance is not ready, without asking Kazoo; once it half-opens,
// the readiness probe may be the call that tests Kazoo again.
import type { ServerResponse } from 'node:http';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError, isUpstreamFailure } from '../kazoo/errors.js';

interface ReadinessCheck {
  (): Promise<{ ready: boolean; reason?: string }>;
}

const READINESS_CACHE_MS = 1_000;

export function kazooReadiness(client: KazooClient): ReadinessCheck {
  let cached: { at: number; result: { ready: boolean; reason?: string } } | undefined;
  let inFlight: Promise<{ ready: boolean; reason?: string }> | undefined;
  return () => {
    if (client.circuitState === 'open') {
      return Promise.resolve({ ready: false, reason: 'Kazoo keeps failing: the circuit breaker is open' });
    }
    if (cached !== undefined && Date.now() - cached.at < READINESS_CACHE_MS) return Promise.resolve(cached.result);
    inFlight ??= client
      .request({ method: 'GET', path: '/v2/token_auth', retry: 'once' })
      .then(
        () => ({ ready: true }),
        (error: unknown) =>
          isKazooError(error) && !isUpstreamFailure(error.code)
            ? { ready: true }
            : { ready: false, reason: 'Kazoo is not reachable' },
      )
      .then((result) => {
        cached = { at: Date.now(), result };
        inFlight = undefined;
        return result;
      });
    return inFlight;
  };
}

export function useHealthCheck(readiness: ReadinessCheck) {
  const send = (response: ServerResponse, status: number, body: object): void => {
    response.statusCode = status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.end(JSON.stringify(body));
  };
  return {
    healthz(response: ServerResponse): void {
      send(response, 200, { status: 'ok' });
    },
    async readyz(response: ServerResponse): Promise<void> {
      const { ready, reason } = await readiness();
      send(response, ready ? 200 : 503, ready ? { status: 'ready' } : { status: 'unavailable', reason });
    },
  };
}
