// The executable schema: schema.graphql (the public contract) + explicit resolvers + the Kazoo mapping.
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { applyKazooMapping } from './kazoo-mapping.js';
import { enumValues, resolvers } from './resolvers/index.js';

/** schema.graphql sits at the project root, one level above both src/ and dist/. */
export const schemaSource = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

export function buildGatewaySchema(): GraphQLSchema {
  return applyKazooMapping(makeExecutableSchema({ typeDefs: schemaSource, resolvers: [resolvers, enumValues] }));
}
