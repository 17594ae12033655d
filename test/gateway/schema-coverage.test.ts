// Every property of Kazoo 4.3's device and user documents (the JSON schemas Crossbar validates with) is a typed
// GraphQL field to read, and a typed input field to write, reached through the schema's own name mapping.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { getDirective } from '@graphql-tools/utils';
import { getNamedType, isInputObjectType, isObjectType } from 'graphql';
import type { GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { kazooKeyOf } from '../../src/graphql/kazoo-mapping.js';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

const SCHEMAS = new URL('../../../shared/kazoo-4.3/schemas/', import.meta.url);

interface JsonSchema {
  _id?: string;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
}

function loadSchemas(): Map<string, JsonSchema> {
  const byId = new Map<string, JsonSchema>();
  for (const file of readdirSync(SCHEMAS).filter((name) => name.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')) as JsonSchema;
    if (schema._id !== undefined) byId.set(schema._id, schema);
  }
  return byId;
}

/** Dotted paths of every named property, not descending into maps keyed by ids (those are one GraphQL field). */
function propertyPaths(schemas: Map<string, JsonSchema>, node: JsonSchema, prefix: string[] = []): string[][] {
  const resolved = node.$ref === undefined ? node : { ...schemas.get(node.$ref), ...node, $ref: undefined };
  const paths: string[][] = [];
  for (const [key, child] of Object.entries(resolved.properties ?? {})) {
    const path = [...prefix, key];
    paths.push(path);
    paths.push(...propertyPaths(schemas, child, path));
  }
  return paths;
}

type Fielded = GraphQLObjectType | GraphQLInputObjectType;

/** Follows a Kazoo path through GraphQL types; answers the GraphQL path, or where it stopped. */
function follow(schema: GraphQLSchema, root: Fielded, path: string[]): { found: boolean; graphqlPath: string } {
  let type: Fielded = root;
  const graphqlPath: string[] = [];
  for (const segment of path) {
    const field = Object.values(type.getFields()).find((candidate) => kazooKeyOf(schema, candidate) === segment);
    if (field === undefined) return { found: false, graphqlPath: [...graphqlPath, `?${segment}`].join('.') };
    graphqlPath.push(field.name);
    const mapped = getDirective(schema, field, 'kazoo')?.[0] as { mapKey?: string } | undefined;
    const named = getNamedType(field.type);
    if (mapped?.mapKey !== undefined) break;
    if (isObjectType(named) || isInputObjectType(named)) type = named;
    else break;
  }
  return { found: true, graphqlPath: graphqlPath.join('.') };
}

// Kazoo's schemas come from ../shared, beside the project; a clone without it skips this suite.
describe.skipIf(!existsSync(SCHEMAS))("coverage of Kazoo 4.3's documents", () => {
  const schemas = existsSync(SCHEMAS) ? loadSchemas() : new Map<string, JsonSchema>();
  const gateway = buildGatewaySchema();
  const type = (name: string): Fielded => gateway.getType(name) as Fielded;
  // Kazoo hashes a user's password and never returns it.
  const writeOnly = new Set(['password']);

  it.each([
    ['devices', 'Device', 'DeviceInput'],
    ['users', 'User', 'UserInput'],
  ])('every property of %s is a field of %s and of %s', (schemaId, outputType, inputType) => {
    const paths = propertyPaths(schemas, schemas.get(schemaId) ?? {});
    expect(paths.length).toBeGreaterThan(30);
    const unreadable = paths
      .filter((path) => !writeOnly.has(path.join('.')))
      .filter((path) => !follow(gateway, type(outputType), path).found)
      .map((path) => path.join('.'));
    const unwritable = paths.filter((path) => !follow(gateway, type(inputType), path).found).map((path) => path.join('.'));
    expect(unreadable).toEqual([]);
    expect(unwritable).toEqual([]);
  });
});
