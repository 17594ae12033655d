// The executable schema: schema.graphql (the public contract) + explicit resolvers + the Kazoo mapping.
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLSchema } from 'graphql';
import { applyKazooMapping } from './kazoo-mapping.js';
import { enumValues, resolvers } from './resolvers/index.js';
import { scalarBehaviours } from './scalars.js';

/** schema.graphql sits at the project root, one level above both src/ and dist/. */
export const schemaSource = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

/** The directives that tell the gateway how to map and check values: machinery, no part of the public contract. */
const INTERNAL_DIRECTIVES: ReadonlySet<string> = new Set(['kazoo', 'computed', 'text', 'readOnly']);

export function buildGatewaySchema(): GraphQLSchema {
  return withoutInternalDirectives(
    applyKazooMapping(makeExecutableSchema({ typeDefs: schemaSource, resolvers: [resolvers, enumValues, scalarBehaviours] })),
  );
}

/**
 * The schema without the internal directives' definitions, so introspection (GraphiQL, codegen, clients) never lists
 * them. Their uses stay on the types' and fields' AST nodes, where kazoo-mapping.ts and input-checks.ts read them
 * at run time: without a definition getDirective reads the arguments as plain literals, and every argument of these
 * directives is a string or a boolean, read the same either way.
 */
function withoutInternalDirectives(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const directives = config.directives.filter((directive) => !INTERNAL_DIRECTIVES.has(directive.name));
  return new GraphQLSchema({ ...config, directives });
}
