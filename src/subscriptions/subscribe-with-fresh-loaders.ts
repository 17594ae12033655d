// graphql-ws's `subscribe`: graphql-js's subscribe, except in three ways. Each batch of events (one poll's changes, or
// the initial state) is executed with loaders of its own: a subscription lives for hours, and loaders made once for
// it would serve hour-old devices and registrations. Subscribers that ask the same thing with the same token share
// one execution per event: a wall of dashboards on one account costs one execution per change, not one per screen,
// and nothing read with one token ever reaches another. And a stream that fails (the token expired, Kazoo refused
// it) reaches the client as an `error` message carrying the gateway's error code.
import { createSourceEventStream, execute } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import { toGraphQLError } from '../graphql/errors.js';
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

export async function subscribeWithFreshLoaders(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  const context = args.contextValue as GatewayContext;
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
        throw toGraphQLError(error);
      }
      if (event.done === true) return { done: true, value: undefined };
      const origin = isRegistrationEvent(event.value) ? event.value.origin : undefined;
      if (origin === undefined) return { done: false, value: await executeEvent(event.value) };
      let byOperation = sharedResults.get(origin);
      if (byOperation === undefined) {
        byOperation = new Map();
        sharedResults.set(origin, byOperation);
      }
      let result = byOperation.get(key);
      if (result === undefined) {
        result = executeEvent(event.value);
        byOperation.set(key, result);
      }
      return { done: false, value: await result };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return results;
    },
  };
  return results;
}
