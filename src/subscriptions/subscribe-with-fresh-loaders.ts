// graphql-ws's `subscribe`: graphql-js's subscribe, except in two ways. Each batch of events (one poll's changes, or
// the initial state) is executed with loaders of its own: a subscription lives for hours, and loaders made once for
// it would serve hour-old devices and registrations. And a stream that fails (the token expired, Kazoo refused it)
// reaches the client as an `error` message carrying the gateway's error code.
import { createSourceEventStream, execute } from 'graphql';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import { toGraphQLError } from '../graphql/errors.js';
import { createLoaders } from '../loaders/index.js';
import type { Loaders } from '../loaders/index.js';
import { isRegistrationEvent } from './registration-event.js';

export async function subscribeWithFreshLoaders(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  const context = args.contextValue as GatewayContext;
  let batch: unknown;
  let loaders: Loaders = context.loaders;

  const results: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      let event: IteratorResult<unknown>;
      try {
        event = await events.next();
      } catch (error) {
        throw toGraphQLError(error);
      }
      if (event.done === true) return { done: true, value: undefined };
      const eventBatch = isRegistrationEvent(event.value) ? event.value.batch : undefined;
      if (eventBatch === undefined || eventBatch !== batch) {
        batch = eventBatch;
        loaders = createLoaders(context.session);
      }
      const result = await execute({ ...args, rootValue: event.value, contextValue: { ...context, loaders } });
      return { done: false, value: result };
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
