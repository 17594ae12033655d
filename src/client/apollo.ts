// Apollo Client's cache settings for this API (InMemoryCache `typePolicies` and `possibleTypes`), from the decisions
// of schema-types.ts. Apollo is not a dependency of the gateway: its pagination helper is passed in.
//   new InMemoryCache(apolloCacheOptions(relayStylePagination))   // relayStylePagination from '@apollo/client/utilities'
import type { InMemoryCacheConfig, TypePolicies } from '@apollo/client';
import type { relayStylePagination } from '@apollo/client/utilities';
import { CONNECTION_FIELDS, EMBEDDED_TYPES, POSSIBLE_TYPES, SINGLETON_TYPES } from './schema-types.js';

export type RelayStylePagination = typeof relayStylePagination;

/**
 * The type policies the API needs: relay-style merging of connection pages keyed by the arguments that pick the
 * list, embedded objects never normalized and merged into the copy already cached, and the viewer as a singleton.
 * Nodes need none: Apollo keys them `Type:id` by default, and their `id` is global.
 */
export function apolloTypePolicies(pagination: RelayStylePagination): TypePolicies {
  const policies: TypePolicies = {};
  for (const [typename, fields] of Object.entries(CONNECTION_FIELDS)) {
    policies[typename] = {
      fields: Object.fromEntries(Object.entries(fields).map(([field, keyArgs]) => [field, pagination([...keyArgs])])),
    };
  }
  for (const typename of EMBEDDED_TYPES) policies[typename] = { keyFields: false, merge: true };
  for (const typename of SINGLETON_TYPES) policies[typename] = { keyFields: [] };
  return policies;
}

/** Everything to give InMemoryCache; spread it and add options of your own beside it. */
export function apolloCacheOptions(pagination: RelayStylePagination): Pick<InMemoryCacheConfig, 'typePolicies' | 'possibleTypes'> {
  return { typePolicies: apolloTypePolicies(pagination), possibleTypes: POSSIBLE_TYPES };
}
