// The one place where GraphQL names meet Kazoo's JSON, in both directions, driven by schema.graphql itself:
// a field reads the snake_case of its name (`callerId` -> `caller_id`) unless its `@kazoo` directive says otherwise,
// enum values stand for the Kazoo value their `@kazoo(value:)` names, and `mapKey`/`mapValue` turn Kazoo objects
// keyed by ids (`{"international": {"action": "deny"}}`) into lists of entries and back.
// Resolvers therefore never spell a Kazoo key, and adding a field to the schema is all it takes to expose it.
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import type {
  GraphQLFieldResolver,
  GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLSchema,
} from 'graphql';
import { isRecord } from '../kazoo/client.js';
import type { KazooObject } from '../kazoo/types.js';
import type { GatewayContext } from './context.js';
import { toGraphQLError } from './errors.js';
import { DocumentRef } from './models.js';

interface KazooDirective {
  key?: string;
  value?: string;
  mapKey?: string;
  mapValue?: string;
  inline?: boolean;
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

type DirectableNode = Parameters<typeof getDirective>[1];

/** Directives by schema element: getDirective re-reads the AST on every call, and mutations ask per input field. */
const directives = new WeakMap<DirectableNode, KazooDirective | null>();

function kazooDirective(schema: GraphQLSchema, node: DirectableNode): KazooDirective | undefined {
  let directive = directives.get(node);
  if (directive === undefined) {
    directive = (getDirective(schema, node, 'kazoo')?.[0] as KazooDirective | undefined) ?? null;
    directives.set(node, directive);
  }
  return directive ?? undefined;
}

/** The Kazoo key a field or input field reads or writes: its `@kazoo(key:)`, or the snake_case of its name. */
export function kazooKeyOf(schema: GraphQLSchema, field: DirectableNode & { name: string }): string {
  return kazooDirective(schema, field)?.key ?? snakeCase(field.name);
}

/** Object keyed by id -> list of entries whose fields read snake_case keys like every other Kazoo object. */
function mapToEntries(value: unknown, mapKey: string, mapValue: string | undefined): KazooObject[] | null {
  if (!isRecord(value)) return null;
  return Object.entries(value).map(([key, entryValue]) =>
    mapValue === undefined
      ? { ...(isRecord(entryValue) ? entryValue : {}), [snakeCase(mapKey)]: key }
      : { [snakeCase(mapKey)]: key, [snakeCase(mapValue)]: entryValue },
  );
}

function kazooFieldResolver(key: string, directive: KazooDirective | undefined): GraphQLFieldResolver<unknown, GatewayContext> {
  const { mapKey, mapValue } = directive ?? {};
  const read = (source: unknown, context: GatewayContext): unknown =>
    source instanceof DocumentRef ? source.read(key, context) : isRecord(source) ? source[key] : undefined;
  if (mapKey === undefined) return (source, _args, context) => read(source, context);
  return (source, _args, context) => {
    const value = read(source, context);
    return value instanceof Promise
      ? value.then((resolved) => mapToEntries(resolved, mapKey, mapValue))
      : mapToEntries(value, mapKey, mapValue);
  };
}

/** Any failure a resolver throws reaches the client as a GraphQL error with a stable code, never as raw text. */
function withErrorCodes(resolve: GraphQLFieldResolver<unknown, GatewayContext>): GraphQLFieldResolver<unknown, GatewayContext> {
  return (source, args, context, info) => {
    try {
      const result = resolve(source, args, context, info);
      return result instanceof Promise
        ? result.catch((error: unknown) => {
            throw toGraphQLError(error);
          })
        : result;
    } catch (error) {
      throw toGraphQLError(error);
    }
  };
}

/**
 * Gives every field without an explicit resolver the Kazoo-key resolver (or, in `@computed` types, the plain one),
 * every enum value its Kazoo value, and every resolver error mapping. Explicit resolvers (in resolvers/) are kept.
 */
export function applyKazooMapping(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.ENUM_VALUE]: (valueConfig) => {
      const value = kazooDirective(schema, valueConfig)?.value;
      return value === undefined ? valueConfig : { ...valueConfig, value };
    },
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const directive = kazooDirective(schema, fieldConfig);
      const type = schema.getType(typeName);
      const computed = type !== undefined && getDirective(schema, type, 'computed') !== undefined;
      const resolve =
        fieldConfig.resolve ??
        (computed ? defaultFieldResolver : kazooFieldResolver(directive?.key ?? snakeCase(fieldName), directive));
      return {
        ...fieldConfig,
        resolve: withErrorCodes(resolve),
        ...(fieldConfig.subscribe === undefined ? {} : { subscribe: withErrorCodes(fieldConfig.subscribe) }),
      };
    },
  });
}

/** Input shapes that are neither plain objects nor `mapKey` lists, converted by a function of their own. */
export type InputShapeConverter = (value: unknown) => unknown;

export interface InputConversion {
  schema: GraphQLSchema;
  /** Converters by input object type name, applied to list values of that type. */
  listConverters?: Readonly<Record<string, InputShapeConverter>>;
}

/**
 * A GraphQL input object (as graphql-js coerced it: enums already hold their Kazoo values) -> a Kazoo document.
 * Only keys the client sent appear; an explicit null stays null (PATCH removes the key). `extra` is merged under the
 * modelled fields, so a modelled field wins over the same key in `extra`.
 */
export function toKazooDocument(
  conversion: InputConversion,
  type: GraphQLInputObjectType,
  input: Readonly<Record<string, unknown>>,
): KazooObject {
  const fields = type.getFields();
  const document: KazooObject = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'extra') continue;
    const field = fields[name];
    if (field === undefined) continue;
    const directive = kazooDirective(conversion.schema, field);
    const converted = convertInputValue(conversion, field, directive, value);
    if (directive?.inline === true && isRecord(converted)) Object.assign(document, converted);
    else document[kazooKeyOf(conversion.schema, field)] = converted;
  }
  const extra = input.extra;
  if (extra !== undefined && extra !== null) {
    if (!isRecord(extra)) {
      throw new GraphQLError('`extra` must be a JSON object of Kazoo fields', {
        extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.extra', rule: 'type', message: 'must be an object' }] },
      });
    }
    return deepMerge(extra, document);
  }
  return document;
}

function convertInputValue(
  conversion: InputConversion,
  field: GraphQLInputField,
  directive: KazooDirective | undefined,
  value: unknown,
): unknown {
  if (value === null || value === undefined) return value;
  const named = getNamedType(field.type);
  if (!isInputObjectType(named)) return value;
  if (isListOf(field.type)) {
    const items = value as Readonly<Record<string, unknown>>[];
    const converter = conversion.listConverters?.[named.name];
    if (converter !== undefined) return converter(items);
    const entries = items.map((item) => toKazooDocument(conversion, named, item));
    if (directive?.mapKey === undefined) return entries;
    const mapKey = snakeCase(directive.mapKey);
    const mapValue = directive.mapValue === undefined ? undefined : snakeCase(directive.mapValue);
    return Object.fromEntries(
      entries.map((entry) => {
        const { [mapKey]: key, ...rest } = entry;
        // An entry without its value (hotdesk settings left out) stands for Kazoo's empty object.
        return [String(key), mapValue === undefined ? rest : (rest[mapValue] ?? {})];
      }),
    );
  }
  return toKazooDocument(conversion, named, value as Readonly<Record<string, unknown>>);
}

function isListOf(type: GraphQLInputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** `base` with `override` merged in, objects merged key by key, `override` winning. */
export function deepMerge(base: Readonly<KazooObject>, override: Readonly<KazooObject>): KazooObject {
  const merged: KazooObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = merged[key];
    merged[key] = isRecord(existing) && isRecord(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

/** Removes null-valued keys at every depth: for a whole-document write, where null means "leave it out". */
export function withoutNulls(document: Readonly<KazooObject>): KazooObject {
  const cleaned: KazooObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (value === null) continue;
    cleaned[key] = isRecord(value) ? withoutNulls(value) : value;
  }
  return cleaned;
}

/**
 * The GraphQL input path of a Kazoo field (`sip.username` -> `input.sip.username`), so a Kazoo validation error
 * points at what the client wrote. Undefined when the Kazoo field is not modelled by the input type.
 */
export function inputPathOf(
  schema: GraphQLSchema,
  type: GraphQLInputObjectType,
  kazooPath: string,
  argumentName: string,
): string | undefined {
  const path = [argumentName];
  let current: GraphQLInputObjectType = type;
  const segments = kazooPath.split('.');
  for (const [position, segment] of segments.entries()) {
    const match = Object.values(current.getFields()).find(
      (field) => kazooKeyOf(schema, field) === segment,
    );
    if (match === undefined) return undefined;
    path.push(match.name);
    const named = getNamedType(match.type);
    if (position < segments.length - 1) {
      if (!isInputObjectType(named) || isListOf(match.type)) return path.join('.');
      current = named;
    }
  }
  return path.join('.');
}
