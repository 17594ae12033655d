// One error per failure, not one per row. When one Kazoo call fails (the account's registration list, say), every
// field that needed it fails the same way: a page of 200 devices would carry 200 copies of one error. Errors with the
// same message and code whose paths differ only in list positions are folded into the first of them, which keeps its
// path (naming the failed field) and says in `extensions.occurrences` how many fields it stands for. The data is
// untouched: every such field is still null. A hook of the operation pipeline: HTTP answers and WebSocket results alike.
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import type { OperationHook } from './operation-pipeline.js';

export function collapseRepeatedErrors<Error extends GraphQLFormattedError>(errors: readonly Error[]): Error[] {
  const first = new Map<string, { error: Error; occurrences: number }>();
  for (const error of errors) {
    const key = JSON.stringify([
      error.message,
      error.extensions?.code,
      error.path?.map((segment) => (typeof segment === 'number' ? '#' : segment)) ?? null,
    ]);
    const known = first.get(key);
    if (known === undefined) first.set(key, { error, occurrences: 1 });
    else known.occurrences++;
  }
  return [...first.values()].map(({ error, occurrences }) =>
    occurrences === 1 ? error : { ...error, extensions: { ...error.extensions, occurrences } },
  );
}

export function useCollapsedErrors(): OperationHook {
  return {
    name: 'collapsed-errors',
    result(_operation, result) {
      const errors: readonly (GraphQLError | GraphQLFormattedError)[] | undefined = result.errors;
      if (errors === undefined || errors.length < 2) return result;
      const formatted = errors.map((error) => (error instanceof GraphQLError ? error.toJSON() : error));
      return { ...result, errors: collapseRepeatedErrors(formatted) };
    },
  };
}
