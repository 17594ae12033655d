// Rate limits that protect Kazoo: each admitted operation is charged its estimated Kazoo calls (its cost, set by the
// operation limits just before this hook) to its caller's bucket, on every transport alike. `{ __typename }` costs
// nothing, a page of documents what it reads, so a client may send many cheap requests (a test suite, a health
// probe) but not more Kazoo calls than Kazoo itself would take from one account: the defaults are Kazoo's own
// per-account bucket (100 calls, 10 per second given back; crossbar's rate limiter as kazoo-crossbar.md reads it).
// The bucket is the token's once Kazoo accepted it, the address's otherwise (use-rate-limit.ts rateLimitKey), and
// the requests rate limit (use-rate-limit.ts) still counts requests, whatever they cost.
// A refused operation gets RATE_LIMITED with `retryAfterMs` (over HTTP: 429 and Retry-After) and never runs.
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { OperationHook } from './operation-pipeline.js';
import type { RateLimiter } from './use-rate-limit.js';

export function useCostRateLimit(limiter: RateLimiter, onLimited?: () => void): OperationHook {
  return {
    name: 'cost-rate-limit',
    admit(operation) {
      if (operation.cost <= 0) return undefined;
      const decision = limiter.take(operation.caller.rateKey, operation.cost);
      if (decision.allowed) return undefined;
      onLimited?.();
      const seconds = Math.ceil(decision.retryAfterMs / 100) / 10;
      return new GraphQLError(
        `This operation would make about ${operation.cost} Kazoo calls, more than this token has left; retry in ${seconds} s`,
        {
          extensions: {
            code: 'RATE_LIMITED',
            cost: operation.cost,
            retryAfterMs: decision.retryAfterMs,
            http: { status: 429, headers: new HeaderMap([['retry-after', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))]]) },
          },
        },
      );
    },
  };
}
