// Abuse limits per operation, a hook of the operation pipeline (operation-pipeline.ts), so HTTP and WebSocket
// operations meet the same ones: selections once fragments are expanded (a fixed bound), field depth, aliases, and
// the cost budget in Crossbar calls (operation-cost.ts, analysed once per document and variable set by the document
// registry). A refused operation gets one error whose code says which limit it broke, with the limit and the
// operation's own value (HTTP 400), and reaches neither the resolvers nor Kazoo. An admitted operation carries its
// cost on for the hooks after this one (the cost-charged rate limit, the cost extension). Operations batched into one
// HTTP request share one cost budget (they share the request's Kazoo session).
import { GraphQLError } from 'graphql';
import type { DocumentRegistry } from './document-registry.js';
import { costKnowledgeOf, MAX_ANALYSED_SELECTIONS } from './operation-cost.js';
import type { OperationAnalysis } from './operation-cost.js';
import type { OperationHook } from './operation-pipeline.js';

export interface OperationLimits {
  /** Deepest field nesting (introspection excluded; graphql-js bounds its depth itself). */
  maxDepth: number;
  /** Aliased fields per operation, fragments expanded. */
  maxAliases: number;
  /** Estimated Crossbar calls per operation (or per batch). */
  maxCost: number;
}

/** maxCost: at most a full bucket of the cost rate limit (defaults.ts DEFAULT_COST_BURST), which it could never pass. */
export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = { maxDepth: 12, maxAliases: 30, maxCost: 100 };

type OperationLimitCode = 'QUERY_TOO_COMPLEX' | 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COSTLY';

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

/** The first limit an analysed operation breaks, or undefined. `alreadySpent`: the cost of the rest of its batch. */
export function checkOperationLimits(limits: OperationLimits, analysis: OperationAnalysis, alreadySpent = 0): GraphQLError | undefined {
  const { depth, aliases, cost, selections } = analysis;
  // First: past the bound the analysis stopped, so the other numbers are partial.
  if (selections > MAX_ANALYSED_SELECTIONS) {
    return refusal(
      'QUERY_TOO_COMPLEX',
      `The operation has more than ${MAX_ANALYSED_SELECTIONS} selections once its fragments are expanded; at most ${MAX_ANALYSED_SELECTIONS} are allowed`,
      { maxSelections: MAX_ANALYSED_SELECTIONS },
    );
  }
  if (depth > limits.maxDepth) {
    return refusal('QUERY_TOO_DEEP', `The operation nests fields ${depth} deep; at most ${limits.maxDepth} are allowed`, {
      depth,
      maxDepth: limits.maxDepth,
    });
  }
  if (aliases > limits.maxAliases) {
    return refusal('TOO_MANY_ALIASES', `The operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`, {
      aliases,
      maxAliases: limits.maxAliases,
    });
  }
  if (alreadySpent + cost > limits.maxCost) {
    const batched = alreadySpent > 0 ? ' (with the other operations of its batch)' : '';
    return refusal(
      'QUERY_TOO_COSTLY',
      `The operation would make about ${cost} Kazoo calls${batched}; the budget is ${limits.maxCost}. ` +
        'Ask for fewer items per page, or fewer fields that need whole documents.',
      { cost, maxCost: limits.maxCost },
    );
  }
  return undefined;
}

export function useOperationLimits(limits: OperationLimits, registry: DocumentRegistry): OperationHook {
  /** Cost already admitted per Kazoo session: one HTTP request (all of its batch), one WebSocket operation. */
  const spentBySession = new WeakMap<object, number>();
  return {
    name: 'operation-limits',
    admit(operation) {
      const spent = spentBySession.get(operation.context.session) ?? 0;
      const { context } = operation;
      const known = costKnowledgeOf(context.listingSizes, context.session.token);
      const analysis = registry.analyse(operation.document, operation.operation, operation.variables, known);
      const error = checkOperationLimits(limits, analysis, spent);
      if (error !== undefined) return error;
      spentBySession.set(operation.context.session, spent + analysis.cost);
      operation.cost = analysis.cost;
      return undefined;
    },
  };
}
