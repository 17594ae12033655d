// urql graphcache's settings for this API (`keys`, pagination `resolvers`, `possibleTypes`), from the decisions of
// schema-types.ts. graphcache is not a dependency of the gateway: its pagination helper is passed in.
//   cacheExchange(graphcacheOptions(relayPagination))   // relayPagination from '@urql/exchange-graphcache/extras'
import type { CacheExchangeOpts, KeyingConfig, ResolverConfig } from '@urql/exchange-graphcache';
import type { relayPagination } from '@urql/exchange-graphcache/extras';
import { CONNECTION_FIELDS, ID_LESS_TYPES, POSSIBLE_TYPES } from './schema-types.js';

export type RelayPagination = typeof relayPagination;

/**
 * Every id-less type is embedded in its parent (`keys: () => null`), where graphcache merges it field by field; it
 * otherwise warns about each one ("Invalid key") on every write. Nodes keep graphcache's default key, `id`.
 */
export const graphcacheKeys: KeyingConfig = Object.fromEntries(ID_LESS_TYPES.map((typename) => [typename, () => null]));

/** Pages of one connection read as one list (graphcache compares the other arguments itself). */
export function graphcacheResolvers(pagination: RelayPagination): ResolverConfig {
  return Object.fromEntries(
    Object.entries(CONNECTION_FIELDS).map(([typename, fields]) => [
      typename,
      Object.fromEntries(Object.keys(fields).map((field) => [field, pagination()])),
    ]),
  );
}

/** Everything to give cacheExchange; spread it and add options of your own beside it. */
export function graphcacheOptions(pagination: RelayPagination): Pick<CacheExchangeOpts, 'keys' | 'resolvers' | 'possibleTypes'> {
  return { keys: graphcacheKeys, resolvers: graphcacheResolvers(pagination), possibleTypes: POSSIBLE_TYPES };
}
