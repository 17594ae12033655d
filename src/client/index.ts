// The client kit: cache settings for Apollo Client and urql's graphcache that this API needs, for browser and Node
// clients to import. Neither client is a dependency of the gateway (only types are imported; each client's
// pagination helper is passed in), and the gateway never loads this module.
export { apolloCacheOptions, apolloTypePolicies } from './apollo.js';
export type { RelayStylePagination } from './apollo.js';
export { graphcacheKeys, graphcacheOptions, graphcacheResolvers } from './urql.js';
export type { RelayPagination } from './urql.js';
export {
  CONNECTION_FIELDS,
  CONNECTION_TYPES,
  EMBEDDED_TYPES,
  NODE_TYPES,
  POSSIBLE_TYPES,
  RESULT_TYPES,
  SINGLETON_TYPES,
} from './schema-types.js';
