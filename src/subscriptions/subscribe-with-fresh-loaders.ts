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
import { createSourceEventStream, execute } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import { toGraphQLError } from '../graphql/errors.js';
import { childController } from '../kazoo/cancellation.js';
import type { KazooSession } from '../kazoo/session.js';
import { createLoaders, documentKey } from '../loaders/index.js';
import type { Loaders } from '../loaders/index.js';
import { isRegistrationEvent } from './registration-event.js';

/** Results by the feed change they were made from, then by who asked what; gone with the change. */
const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
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

/** `context` with another session, and loaders of that session (made on first use, as createContext does). */
function withSession(context: GatewayContext, session: KazooSession): GatewayContext {
  let loaders: Loaders | undefined;
  return Object.create(context, {
    session: { value: session },
    loaders: { get: () => (loaders ??= createLoaders(session, context.listingSizes)) },
  }) as GatewayContext;
}

export async function subscribeWithFreshLoaders(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
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

  const executeEvent = (event: unknown): Promise<ExecutionResult> => {
    const eventBatch = isRegistrationEvent(event) ? event.batch : undefined;
    if (loaders === undefined || eventBatch === undefined || eventBatch !== batch) {
      batch = eventBatch;
      loaders = createLoaders(context.session, context.listingSizes);
      // Read with this subscriber's token while making the batch (initial states are never shared between tokens).
      if (isRegistrationEvent(event)) {
        for (const summary of event.batch.deviceSummaries ?? []) loaders.deviceSummary.prime(documentKey(event.accountId, summary.id), summary);
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
      const origin = isRegistrationEvent(event.value) ? event.value.origin : undefined;
      if (origin === undefined) return { done: false, value: await executeEvent(event.value) };
      let byOperation = sharedResults.get(origin);
      if (byOperation === undefined) {
        byOperation = new Map();
        sharedResults.set(origin, byOperation);
      }
      for (;;) {
        let shared = byOperation.get(key);
        if (shared === undefined) {
          shared = executeEvent(event.value);
          byOperation.set(key, shared);
        }
        const result = await shared;
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
