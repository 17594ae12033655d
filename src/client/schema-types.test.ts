// The client kit's type decisions must match schema.graphql: each category is derived here from the schema itself, so
// a new object type without an `id` (a settings object Kazoo grows, a new payload) fails until it is filed, and a
// type that moves (a settings object that becomes a Node) fails until its decision is changed.
import { readFileSync } from 'node:fs';
import { buildSchema, getNamedType, isObjectType } from 'graphql';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CONNECTION_FIELDS,
  CONNECTION_TYPES,
  EMBEDDED_TYPES,
  ID_LESS_TYPES,
  NODE_TYPES,
  POSSIBLE_TYPES,
  RESULT_TYPES,
  SINGLETON_TYPES,
} from './schema-types.js';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);
const objectTypes = Object.values(schema.getTypeMap()).filter(
  (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__') && !ROOTS.has(type.name),
);
const objectType = (name: string): GraphQLObjectType => {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type of schema.graphql`);
  return type;
};
const isNode = (type: GraphQLObjectType): boolean => type.getInterfaces().some((each) => each.name === 'Node');
const nodes = objectTypes.filter(isNode);

/** The object types the fields of `type` return (through lists and non-null). */
const fieldTypes = (type: GraphQLObjectType): GraphQLObjectType[] =>
  Object.values(type.getFields())
    .map((field) => getNamedType(field.type))
    .filter(isObjectType);

/** Every object type reachable from `starts` through fields, without entering a type `stop` says no to. */
function reachable(starts: readonly GraphQLObjectType[], stop: (type: GraphQLObjectType) => boolean): string[] {
  const seen = new Set<string>();
  const queue = starts.flatMap(fieldTypes);
  for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
    if (seen.has(type.name) || stop(type)) continue;
    seen.add(type.name);
    queue.push(...fieldTypes(type));
  }
  return [...seen].sort();
}

/** Fields paged with `first`/`after`, with their other arguments (the connection fields), by the type holding them. */
const connectionFields: Record<string, Record<string, string[]>> = {};
const connectionTypes = new Set<string>();
for (const type of [objectType('Query'), ...objectTypes]) {
  for (const field of Object.values(type.getFields())) {
    const argNames = field.args.map((arg) => arg.name);
    if (!argNames.includes('first') || !argNames.includes('after')) continue;
    (connectionFields[type.name] ??= {})[field.name] = argNames.filter((name) => name !== 'first' && name !== 'after');
    const connection = getNamedType(field.type);
    // The connection, its edges and its PageInfo; what it lists are Nodes.
    if (isObjectType(connection)) {
      for (const part of [connection, ...fieldTypes(connection)]) if (!isNode(part)) connectionTypes.add(part.name);
    }
  }
}
const embedded = reachable(nodes, (type) => isNode(type) || connectionTypes.has(type.name));
const singletons = Object.values(objectType('Query').getFields())
  .filter((field) => field.args.length === 0)
  .map((field) => getNamedType(field.type))
  .filter((type): type is GraphQLObjectType => isObjectType(type) && !isNode(type))
  .map((type) => type.name);
const results = reachable([objectType('Mutation'), objectType('Subscription')], (type) => isNode(type) || embedded.includes(type.name));

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('the client kit’s type decisions', () => {
  it('file every object type of the schema without an `id`, each once', () => {
    const idLess = objectTypes.filter((type) => !isNode(type)).map((type) => type.name);
    expect(sorted(ID_LESS_TYPES)).toEqual(sorted(idLess));
    expect(new Set(ID_LESS_TYPES).size).toBe(ID_LESS_TYPES.length);
  });

  it('key the Node types by id, and give the Node interface its implementations', () => {
    expect(sorted(NODE_TYPES)).toEqual(sorted(nodes.map((type) => type.name)));
    for (const type of nodes) expect(String(type.getFields().id?.type)).toBe('ID!');
    expect(POSSIBLE_TYPES).toEqual({ Node: sorted(schema.getPossibleTypes(schema.getType('Node') as never).map((type) => type.name)) });
  });

  it('merge every id-less object a Node holds, and only those', () => {
    expect(sorted(EMBEDDED_TYPES)).toEqual(embedded);
  });

  it('page every connection field, keyed by the arguments that pick its list', () => {
    expect(CONNECTION_FIELDS).toEqual(connectionFields);
    expect(sorted(CONNECTION_TYPES)).toEqual(sorted([...connectionTypes]));
  });

  it('keep one viewer, and leave what only mutations and subscriptions answer as it comes', () => {
    expect(sorted(SINGLETON_TYPES)).toEqual(sorted(singletons));
    expect(sorted(RESULT_TYPES)).toEqual(results.filter((name) => !connectionTypes.has(name)));
  });
});
