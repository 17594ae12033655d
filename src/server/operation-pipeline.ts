// One pipeline for every operation, whatever brought it: HTTP (Apollo Server), WebSocket (graphql-ws), Server-Sent
// Events (graphql-sse) and any transport added later call the same hooks, in the same order, with the same view of
// the operation. A hook is one cross-cutting behaviour (use-*.ts beside this file): the operation limits, the
// cost-charged rate limit, the cost extension, collapsed errors, metrics, logs, spans. Transports only translate their
// own events into the four steps:
//
//   admit    once the document is parsed, validated and its operation resolved, before anything runs: a hook may
//            refuse the operation (its error is the answer, nothing reaches Kazoo) or note what it admitted;
//   execute  the admitted operation runs (resolvers, Kazoo calls) inside what hooks wrap around it: tracing makes the
//            operation's span the active OpenTelemetry context, so that the calls its resolvers make are its children;
//   result   each result about to be sent (the one answer of a query or mutation, each event of a subscription):
//            hooks may rewrite it (fold repeated errors, add `extensions.cost`);
//   settled  once the operation has ended, refused or not: hooks observe it (metrics, operation logs, error logs).
//
// Refusals before admission (a document that does not parse or validate) are settled too, with no operation.
import { GraphQLError } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import type { KazooSession } from '../kazoo/session.js';

export type Transport = 'http' | 'websocket' | 'sse';

/** Who sent an operation, as the transport that received it knows. */
export interface Caller {
  readonly transport: Transport;
  /**
   * The rate-limit bucket the caller is charged to: its token's once Kazoo accepted the token, otherwise its address's
   * (use-rate-limit.ts rateLimitKey).
   */
  readonly rateKey: string;
}

/** An operation as the hooks see it; `cost` is set by the operation limits when they admit it. */
export interface PipelineOperation {
  readonly caller: Caller;
  readonly context: GatewayContext;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  /** Estimated Kazoo calls (operation-cost.ts); 0 until the operation limits have analysed it. */
  cost: number;
}

export interface SettledOperation {
  readonly caller: Caller;
  readonly context: GatewayContext;
  /** Undefined when the request failed before an operation was resolved (parse or validation errors). */
  readonly operation: OperationDefinitionNode | undefined;
  /** The errors raised, with their causes (`originalError`) for the error log. */
  readonly errors: readonly GraphQLError[];
  /** The codes of the errors the client got (operation-outcome.ts errorCodesOf), in order. */
  readonly errorCodes: readonly string[];
  /** Set once admitted. */
  readonly cost: number | undefined;
  readonly durationMs: number;
  /** One of several operations of a batched HTTP request (they share the request's id and Kazoo session). */
  readonly batched: boolean;
}

/** A result about to be sent: its errors may still be GraphQLErrors (WebSocket) or already formatted (HTTP). */
export type OutgoingResult = ExecutionResult | { data?: unknown; errors?: readonly GraphQLFormattedError[]; extensions?: Record<string, unknown> };

export interface OperationHook {
  /** For logs and tests: the hook's file name without `use-`. */
  readonly name: string;
  /** A GraphQLError refuses the operation: it is the answer, and the hooks after this one are not asked. */
  admit?(operation: PipelineOperation): GraphQLError | undefined;
  /** Runs the admitted operation's execution, `run`, inside whatever the hook needs around it; returns what it returns. */
  execute?<T>(operation: PipelineOperation, run: () => T): T;
  result?<Result extends OutgoingResult>(operation: PipelineOperation, result: Result): Result;
  settled?(operation: SettledOperation): void;
}

export interface OperationPipeline {
  /** Transports record who sent the operations of a Kazoo session (one HTTP request, one WebSocket operation). */
  bindCaller(session: KazooSession, caller: Caller): void;
  callerOf(context: GatewayContext): Caller;
  admit(operation: PipelineOperation): GraphQLError | undefined;
  /**
   * Runs the execution of the operation admitted with `context` (the context its resolvers get) through the hooks'
   * `execute`; an operation never admitted just runs.
   */
  execute<T>(context: GatewayContext, run: () => T): T;
  result<Result extends OutgoingResult>(operation: PipelineOperation, result: Result): Result;
  settled(operation: SettledOperation): void;
}

/** A session no transport described: an internal call (tests, the start-up probe). */
const UNKNOWN_CALLER: Caller = { transport: 'http', rateKey: 'address:unknown' };

export function createOperationPipeline(hooks: readonly OperationHook[]): OperationPipeline {
  const admitting = hooks.filter((hook) => hook.admit !== undefined);
  const wrapping = hooks.filter((hook) => hook.execute !== undefined);
  const rewriting = hooks.filter((hook) => hook.result !== undefined);
  const observing = hooks.filter((hook) => hook.settled !== undefined);
  // By session: Apollo gives each operation of a batch its own shallow copy of the request's context.
  const callers = new WeakMap<KazooSession, Caller>();
  /** Admitted operations by the context their execution gets; kept only when a hook wraps executions. */
  const admitted = new WeakMap<GatewayContext, PipelineOperation>();
  return {
    bindCaller(session, caller) {
      callers.set(session, caller);
    },
    callerOf(context) {
      return callers.get(context.session) ?? UNKNOWN_CALLER;
    },
    admit(operation) {
      for (const hook of admitting) {
        const refusal = hook.admit?.(operation);
        if (refusal !== undefined) return refusal;
      }
      if (wrapping.length > 0) admitted.set(operation.context, operation);
      return undefined;
    },
    execute(context, run) {
      const operation = wrapping.length === 0 ? undefined : admitted.get(context);
      if (operation === undefined) return run();
      // The first hook's wrapper outermost, as the hooks are listed.
      return wrapping.reduceRight<typeof run>(
        (inner, hook) => () => (hook.execute === undefined ? inner() : hook.execute(operation, inner)),
        run,
      )();
    },
    result(operation, result) {
      let outgoing = result;
      for (const hook of rewriting) outgoing = hook.result?.(operation, outgoing) ?? outgoing;
      return outgoing;
    },
    settled(operation) {
      for (const hook of observing) hook.settled?.(operation);
    },
  };
}

/**
 * A refusal made for HTTP carries `extensions.http` (Apollo's status for it, never sent over HTTP): transports that
 * send the error itself (WebSocket, SSE) send it without.
 */
export function withoutHttp(error: GraphQLError): GraphQLError {
  if (error.extensions.http === undefined) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { ...(error.nodes === undefined ? {} : { nodes: error.nodes }), extensions });
}
