// One error per failure, not one per row. When one Kazoo call fails (the account's registration list, say), every
// field that needed it fails the same way: a page of 200 devices would carry 200 copies of one error. Errors with the
// same message and code whose paths differ only in list positions are folded into the first of them, which keeps its
// path (naming the failed field) and says in `extensions.occurrences` how many fields it stands for. The data is
// untouched: every such field is still null.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

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

export function useCollapsedErrors(): ApolloServerPlugin<object> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { singleResult } = response.body;
          if (singleResult.errors !== undefined && singleResult.errors.length > 1) {
            singleResult.errors = collapseRepeatedErrors(singleResult.errors);
          }
        },
      };
    },
  };
}
