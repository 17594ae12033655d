// What an operation costs, on its response, as Shopify reports it: `extensions.cost` on the answer to every
// operation that ran (refused ones carry their own numbers in the error), so a client sees its queries' cost grow as
// fields are added, long before one hits QUERY_TOO_COSTLY or RATE_LIMITED.
// - `requestedQueryCost`: the cost model's estimate of the operation's Kazoo calls (operation-cost.ts), the very
//   number the operation limits admitted it with (use-operation-limits.ts): the document is not analysed again.
// - `maxQueryCost`: the budget one operation may not exceed (MAX_QUERY_COST); the operations of a batch share it.
// - `throttleStatus`, when per-token rate limiting is on and Kazoo has accepted the token: its bucket, in requests.
// Kazoo calls actually made are not counted, so there is no `actualQueryCost`.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../graphql/context.js';
import type { RateStanding } from './use-rate-limit.js';

interface ThrottleStatus {
  /** Requests the token may make at once after being idle (RATE_LIMIT_BURST). */
  maximumAvailable: number;
  /** Requests it may make right now, this one already counted. */
  currentlyAvailable: number;
  /** Requests per second given back (RATE_LIMIT_PER_SECOND). */
  restoreRate: number;
}

interface CostExtension {
  requestedQueryCost: number;
  maxQueryCost: number;
  throttleStatus?: ThrottleStatus;
}

interface CostExtensionOptions {
  /** The operation limits' cost budget. */
  maxCost: number;
  /** A token's rate-limit bucket as it stands, without charging it; absent when there is no rate limiting. */
  rateStanding?: (token: string) => RateStanding | undefined;
}

interface CostReporting {
  /** Called by the operation limits with the cost each operation was admitted with. */
  admitted(context: GatewayContext, cost: number): void;
  readonly plugin: ApolloServerPlugin<GatewayContext>;
}

export function useCostExtension(options: CostExtensionOptions): CostReporting {
  /** Per operation: Apollo gives each operation of a batch its own copy of the request's context. */
  const costs = new WeakMap<GatewayContext, number>();

  const throttleStatus = (token: string | undefined): ThrottleStatus | undefined => {
    const standing = token === undefined ? undefined : options.rateStanding?.(token);
    return standing === undefined
      ? undefined
      : { maximumAvailable: standing.burst, currentlyAvailable: standing.available, restoreRate: standing.requestsPerSecond };
  };

  return {
    admitted: (context, cost) => {
      costs.set(context, cost);
    },
    plugin: {
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response }) {
            const cost = costs.get(contextValue);
            if (cost === undefined || response.body.kind !== 'single') return;
            const throttle = throttleStatus(contextValue.session.token);
            const extension: CostExtension = {
              requestedQueryCost: cost,
              maxQueryCost: options.maxCost,
              ...(throttle === undefined ? {} : { throttleStatus: throttle }),
            };
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, cost: extension };
          },
        };
      },
    },
  };
}
