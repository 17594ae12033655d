// Abuse limits per operation, checked after validation and before anything runs: selections once fragments are
// expanded (a fixed bound), field depth, aliases, and the cost budget in Crossbar calls (operation-cost.ts). A refused operation gets HTTP 400 and one error whose code says
// which limit it broke, with the limit and the operation's own value, and reaches neither the resolvers nor Kazoo.
// Operations batched into one HTTP request share one cost budget (they share the request's Kazoo session).
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import { analyseOperation, costKnowledgeOf, MAX_ANALYSED_SELECTIONS } from './operation-cost.js';
import type { CostKnowledge } from './operation-cost.js';

export interface OperationLimits {
  /** Deepest field nesting (introspection excluded; graphql-js bounds its depth itself). */
  maxDepth: number;
  /** Aliased fields per operation, fragments expanded. */
  maxAliases: number;
  /** Estimated Crossbar calls per operation (or per batch). */
  maxCost: number;
}

export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = { maxDepth: 12, maxAliases: 30, maxCost: 250 };

export type OperationLimitCode = 'QUERY_TOO_COMPLEX' | 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COSTLY';

/**
 * A request whose `operationName` names no operation of its document (or that names none while it holds several):
 * a request error, refused before any limit is skipped or anything runs (graphql-js would otherwise run the
 * document's only operation, and Apollo answer 500 after the fact, inviting a retry of a write).
 */
export function unknownOperation(operationName: string | null | undefined): GraphQLError {
  const message =
    operationName == null || operationName === ''
      ? 'The document holds several operations: name the one to run with operationName'
      : `The document has no operation named "${operationName.slice(0, 100)}"`;
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

function refusal(code: OperationLimitCode, message: string, extensions: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/**
 * The first limit the operation breaks, or undefined. `alreadySpent` is the cost of other operations sharing the
 * budget (a batch); `known`, what the cost model may use beyond the document (costKnowledgeOf). Exported for
 * transports that do not go through Apollo's pipeline (graphql-ws).
 */
export function checkOperationLimits(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  alreadySpent = 0,
  known: CostKnowledge = {},
): { error: GraphQLError | undefined; cost: number } {
  const { depth, aliases, cost, selections } = analyseOperation(schema, document, operation, variables, known);
  // First: past the bound the analysis stopped, so the other numbers are partial.
  if (selections > MAX_ANALYSED_SELECTIONS) {
    return {
      cost,
      error: refusal(
        'QUERY_TOO_COMPLEX',
        `The operation has more than ${MAX_ANALYSED_SELECTIONS} selections once its fragments are expanded; at most ${MAX_ANALYSED_SELECTIONS} are allowed`,
        { maxSelections: MAX_ANALYSED_SELECTIONS },
      ),
    };
  }
  if (depth > limits.maxDepth) {
    return {
      cost,
      error: refusal('QUERY_TOO_DEEP', `The operation nests fields ${depth} deep; at most ${limits.maxDepth} are allowed`, {
        depth,
        maxDepth: limits.maxDepth,
      }),
    };
  }
  if (aliases > limits.maxAliases) {
    return {
      cost,
      error: refusal('TOO_MANY_ALIASES', `The operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`, {
        aliases,
        maxAliases: limits.maxAliases,
      }),
    };
  }
  if (alreadySpent + cost > limits.maxCost) {
    const batched = alreadySpent > 0 ? ' (with the other operations of its batch)' : '';
    return {
      cost,
      error: refusal(
        'QUERY_TOO_COSTLY',
        `The operation would make about ${cost} Kazoo calls${batched}; the budget is ${limits.maxCost}. ` +
          'Ask for fewer items per page, or fewer fields that need whole documents.',
        { cost, maxCost: limits.maxCost },
      ),
    };
  }
  return { error: undefined, cost };
}

/** `onAdmitted` hears the cost of each operation let through (use-cost-extension.ts reports it on the response). */
export function useOperationLimits(
  limits: OperationLimits,
  onAdmitted?: (context: GatewayContext, cost: number) => void,
): ApolloServerPlugin<GatewayContext> {
  /**
   * Cost already admitted per HTTP request. Apollo gives each operation of a batch a shallow copy of the request's
   * context, so the session object inside it is what they share.
   */
  const spentBySession = new WeakMap<object, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (operation === undefined) throw unknownOperation(request.operationName);
          const spent = spentBySession.get(contextValue.session) ?? 0;
          const known = costKnowledgeOf(contextValue.listingSizes, contextValue.session.token);
          const { error, cost } = checkOperationLimits(limits, schema, document, operation, request.variables, spent, known);
          if (error !== undefined) throw error;
          spentBySession.set(contextValue.session, spent + cost);
          onAdmitted?.(contextValue, cost);
        },
      };
    },
  };
}
