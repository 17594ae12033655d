// Every part of the public schema that GraphiQL's docs explorer shows says what it is: the check reads the schema's
// introspection (what GraphiQL reads) and lists each type, field, argument, input field and enum value without a
// description, so a new field cannot be added undocumented.
import { buildSchema, introspectionFromSchema } from 'graphql';
import type { GraphQLSchema, IntrospectionInputValue, IntrospectionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

/**
 * Left out: introspection types (`__Type`, ...) and the built-in scalars, which graphql-js defines and describes, and
 * all directives, including our `@kazoo` and `@computed` mapping machinery: introspection reports directives apart
 * from types, they never appear on a type or field in the docs explorer, and the `@kazoo` description explains each
 * of its arguments.
 */
const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function isDescribed(description: string | null | undefined): boolean {
  return typeof description === 'string' && description.trim() !== '';
}

function undescribedArguments(owner: string, args: readonly IntrospectionInputValue[]): string[] {
  return args.filter((arg) => !isDescribed(arg.description)).map((arg) => `${owner}(${arg.name}:)`);
}

function undescribedMembers(type: IntrospectionType): string[] {
  switch (type.kind) {
    case 'OBJECT':
    case 'INTERFACE':
      return type.fields.flatMap((field) => [
        ...(isDescribed(field.description) ? [] : [`${type.name}.${field.name}`]),
        ...undescribedArguments(`${type.name}.${field.name}`, field.args),
      ]);
    case 'INPUT_OBJECT':
      return type.inputFields
        .filter((field) => !isDescribed(field.description))
        .map((field) => `${type.name}.${field.name}`);
    case 'ENUM':
      return type.enumValues
        .filter((value) => !isDescribed(value.description))
        .map((value) => `${type.name}.${value.name}`);
    default:
      return [];
  }
}

/** Coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) of everything without a description. */
function undescribed(schema: GraphQLSchema): string[] {
  const { __schema } = introspectionFromSchema(schema, { descriptions: true });
  return __schema.types
    .filter((type) => !type.name.startsWith('__') && !BUILT_IN_SCALARS.has(type.name))
    .flatMap((type) => [...(isDescribed(type.description) ? [] : [type.name]), ...undescribedMembers(type)]);
}

describe('schema descriptions', () => {
  it('finds what a schema leaves undescribed, down to arguments and enum values', () => {
    const schema = buildSchema(`
      "Root." type Query { "Described." described(id: ID): Colour  bare(" " blank: Int): Int }
      enum Colour { "Red." RED GREEN }
      input Shade { "Described." tone: Int  depth: Int }
      type Mutation { "Shades." shade(shade: Shade): Int }
    `);
    expect(undescribed(schema).sort()).toEqual(
      [
        'Colour',
        'Colour.GREEN',
        'Mutation',
        'Mutation.shade(shade:)',
        'Query.bare',
        'Query.bare(blank:)',
        'Query.described(id:)',
        'Shade',
        'Shade.depth',
      ].sort(),
    );
  });

  it('describes every type, field, argument, input field and enum value of the gateway schema', () => {
    expect(undescribed(buildGatewaySchema())).toEqual([]);
  });
});
