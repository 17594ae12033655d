// What an operation costs, on its response, as Shopify reports it: `extensions.cost` on the answer to every query
// and mutation that ran (refused ones carry their own numbers in the error), over HTTP and WebSocket alike, so a
// client sees its queries' cost grow as fields are added, long before one hits QUERY_TOO_COSTLY or RATE_LIMITED.
// - `requestedQueryCost`: the cost model's estimate of the operation's Kazoo calls (operation-cost.ts), the very
//   number the operation limits admitted it with (use-operation-limits.ts): the document is not analysed again.
// - `maxQueryCost`: the budget one operation may not exceed (MAX_QUERY_COST); the operations of a batch share it.
// - `throttleStatus`, when cost rate limiting is on and the caller's bucket is its token's: that bucket, in Kazoo
//   calls (use-cost-rate-limit.ts), this operation already charged.
// Kazoo calls actually made are not counted, so there is no `actualQueryCost`. Subscription events carry none: an
// event is not charged.
import type { OperationHook } from './operation-pipeline.js';
import type { RateStanding } from './use-rate-limit.js';

export interface ThrottleStatus {
  /** Kazoo calls the bucket holds when full (COST_LIMIT_BURST). */
  maximumAvailable: number;
  /** Kazoo calls it holds right now. */
  currentlyAvailable: number;
  /** Kazoo calls per second given back (COST_LIMIT_PER_SECOND). */
  restoreRate: number;
}

export interface CostExtension {
  requestedQueryCost: number;
  maxQueryCost: number;
  throttleStatus?: ThrottleStatus;
}

export interface CostExtensionOptions {
  /** The operation limits' cost budget. */
  maxCost: number;
  /** A rate-limit bucket as it stands, without charging it; absent when there is no cost rate limiting. */
  standing?: (rateKey: string) => RateStanding | undefined;
}

export function useCostExtension(options: CostExtensionOptions): OperationHook {
  return {
    name: 'cost-extension',
    result(operation, result) {
      if (operation.operation.operation === 'subscription') return result;
      const standing = options.standing?.(operation.caller.rateKey);
      const cost: CostExtension = {
        requestedQueryCost: operation.cost,
        maxQueryCost: options.maxCost,
        ...(standing === undefined
          ? {}
          : { throttleStatus: { maximumAvailable: standing.burst, currentlyAvailable: standing.available, restoreRate: standing.requestsPerSecond } }),
      };
      return { ...result, extensions: { ...result.extensions, cost } };
    },
  };
}
