// graphql-ws's `subscribe`: graphql-js's subscribe, except in three ways. Each batch of events (one poll's changes, or
// the initial state) is executed with loaders of its own: a subscription lives for hours, and loaders made once for
// it would serve hour-old devices and registrations. Subscribers that ask the same thing with the same token share
// one execution per event: a wall of dashboards on one account costs one execution per change, not one per screen,
// and nothing read with one token ever reaches another. And a stream that fails (the token expired, Kazoo refused
// it) reaches the client as an `error` message carrying the gateway's error code.
//
// A subscription that completes (or whose socket closes) stops its Kazoo calls: its source stream and its executions
// run with a session whose signal aborts then. An execution it shared with other subscribers and left unfinished
// was cut short for them too: the next of them runs the event again with its own loaders.
//
// Traced (the subscription runs inside its operation's recording span, server/use-tracing.ts), each event delivered has
// a span of its own under the subscription's, around its execution, so that the Kazoo calls made for it are its
// children; an event whose execution another subscriber already made links to that subscriber's event span.
import { context as otelContext, trace } from '@opentelemetry/api';
import type { Context, Span, SpanContext } from '@opentelemetry/api';
import { createSourceEventStream, execute, getOperationAST } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import { withSession } from './context.js';
import type { GatewayContext } from './context.js';
import { toGraphQLError } from './errors.js';
import { childController } from '../kazoo/cancellation.js';
import { createLoaders, documentKey } from '../loaders/index.js';
import type { Loaders } from '../loaders/index.js';
import { isLiveEvent } from '../subscriptions/live-event.js';

/** An event's execution, shared by the subscribers that ask the same; `span` is the event span it ran in. */
interface SharedResult {
  readonly result: Promise<ExecutionResult>;
  readonly span: SpanContext | undefined;
}

/** Results by the feed change they were made from, then by who asked what; gone with the change. */
const sharedResults = new WeakMap<object, Map<string, SharedResult>>();
/** The instrumentation scope of event spans. */
const TRACER_NAME = 'kazoo-graphql-gateway/subscriptions';
/** A number per parsed document: graphql-ws operations share documents through use-graphql-ws's cache. */
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

/** What makes two executions of one event the same: the token, the document, the operation and its variables. */
function operationKey(args: ExecutionArgs, token: string | undefined): string {
  let documentId = documentIds.get(args.document);
  if (documentId === undefined) {
    documentId = nextDocumentId++;
    documentIds.set(args.document, documentId);
  }
  return [token ?? '', documentId, args.operationName ?? '', JSON.stringify(args.variableValues ?? {})].join('\u0000');
}

/** An execution cut short because the subscriber that ran it left: its results are not to be shared. */
function wasCancelled(result: ExecutionResult): boolean {
  return result.errors?.some((error) => error.extensions?.code === 'CANCELLED') === true;
}

export async function subscribeWithFreshLoaders(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  // The subscription operation's span, when it is traced and recording: the parent of its event spans.
  const traced: Context | undefined = trace.getSpan(otelContext.active())?.isRecording() === true ? otelContext.active() : undefined;
  const eventName = `event ${getOperationAST(args.document, args.operationName)?.name?.value ?? 'subscription'}`;
  const connectionContext = args.contextValue as GatewayContext;
  // Aborted when the subscription ends, and with the connection's own signal (the socket closing).
  const subscription = childController(connectionContext.session.signal);
  const context = withSession(connectionContext, { ...connectionContext.session, signal: subscription.signal });
  let source: Awaited<ReturnType<typeof createSourceEventStream>>;
  try {
    source = await createSourceEventStream({ ...args, contextValue: context });
  } catch (error) {
    subscription.release();
    throw error;
  }
  if (!(Symbol.asyncIterator in source)) {
    subscription.release();
    return source;
  }
  const events = source[Symbol.asyncIterator]();
  const key = operationKey(args, context.session.token);
  let batch: unknown;
  let loaders: Loaders | undefined;

  /** A span for one event delivered to this subscriber, when the subscription is traced; linked to a shared execution's. */
  const eventSpan = (shared?: SpanContext): Span | undefined =>
    traced === undefined
      ? undefined
      : trace.getTracer(TRACER_NAME).startSpan(eventName, shared === undefined ? {} : { links: [{ context: shared }] }, traced);
  /** Runs an event's execution inside its span, which ends when the result is ready. */
  const inSpan = (span: Span | undefined, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> =>
    span === undefined || traced === undefined ? run() : otelContext.with(trace.setSpan(traced, span), run).finally(() => span.end());

  const executeEvent = (event: unknown): Promise<ExecutionResult> => {
    const eventBatch = isLiveEvent(event) ? event.batch : undefined;
    if (loaders === undefined || eventBatch === undefined || eventBatch !== batch) {
      batch = eventBatch;
      loaders = createLoaders(context.session, context.listingSizes);
      // Read with this subscriber's token while making the batch (initial states are never shared between tokens).
      if (isLiveEvent(event)) {
        for (const summary of event.batch.deviceSummaries ?? []) loaders.deviceSummary.prime(documentKey(event.accountId, summary.id), summary);
        for (const summary of event.batch.userSummaries ?? []) loaders.userSummary.prime(documentKey(event.accountId, summary.id), summary);
      }
    }
    // The batch's loaders over the subscription's context (a spread would build the context's own lazy loaders).
    const contextValue: GatewayContext = Object.create(context, { loaders: { value: loaders } });
    return Promise.resolve(execute({ ...args, rootValue: event, contextValue }));
  };

  const results: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      let event: IteratorResult<unknown>;
      try {
        event = await events.next();
      } catch (error) {
        // The stream failed: the subscription is over, and graphql-ws calls no return() after a failed next().
        subscription.abort();
        throw toGraphQLError(error);
      }
      if (event.done === true) {
        subscription.release();
        return { done: true, value: undefined };
      }
      const value: unknown = event.value;
      const origin = isLiveEvent(value) ? value.origin : undefined;
      if (origin === undefined) return { done: false, value: await inSpan(eventSpan(), () => executeEvent(value)) };
      let byOperation = sharedResults.get(origin);
      if (byOperation === undefined) {
        byOperation = new Map();
        sharedResults.set(origin, byOperation);
      }
      for (;;) {
        const known = byOperation.get(key);
        const span = eventSpan(known?.span);
        const shared = known ?? { result: inSpan(span, () => executeEvent(value)), span: span?.spanContext() };
        if (known === undefined) byOperation.set(key, shared);
        // A joined execution's span lasts while this subscriber waits for it.
        const result = await (known === undefined ? shared.result : inSpan(span, () => known.result));
        // Cut short by this subscriber leaving: nobody reads it. By another: run it again, once for those left.
        if (!wasCancelled(result) || subscription.signal.aborted) return { done: false, value: result };
        if (byOperation.get(key) === shared) byOperation.delete(key);
      }
    },
    async return() {
      subscription.abort();
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      subscription.abort();
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return results;
    },
  };
  return results;
}
