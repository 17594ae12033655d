// The one place where GraphQL names meet Kazoo's JSON, in both directions, driven by schema.graphql itself:
// a field reads the snake_case of its name (`callerId` -> `caller_id`) unless its `@kazoo` directive says otherwise,
// enum values stand for the Kazoo value their `@kazoo(value:)` names, and `mapKey`/`mapValue` turn Kazoo objects
// keyed by ids (`{"international": {"action": "deny"}}`) into lists of entries and back.
// Resolvers therefore never spell a Kazoo key, and adding a field to the schema is all it takes to expose it.
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
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
import { KazooError } from '../kazoo/errors.js';
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

function snakeCase(name: string): string {
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

/**
 * A list input whose Kazoo shape is neither a list nor a `mapKey` object (provisioner keys), converted by functions of
 * its own, both ways: to Kazoo, and from the paths of Kazoo's errors back to the entries.
 */
export interface ListShape {
  toKazoo: (entries: unknown) => unknown;
  /** The Kazoo key an entry is stored under, by which Kazoo's errors name it. */
  keyOf: (entry: Readonly<Record<string, unknown>>) => string;
  /** The entry field a Kazoo path below the entry's key came from (`[]`: the entry itself); undefined if none. */
  fieldsBelow: (kazooPath: readonly string[]) => readonly string[] | undefined;
}

export interface InputConversion {
  schema: GraphQLSchema;
  /** Shapes by input object type name, applied to list values of that type. */
  listShapes?: Readonly<Record<string, ListShape>>;
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
      throw new KazooError('INVALID_ARGUMENT', '`input.extra` must be a JSON object of Kazoo fields', {
        fieldErrors: [{ field: 'input.extra', rule: 'type', message: 'must be a JSON object of Kazoo fields' }],
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
    const shape = conversion.listShapes?.[named.name];
    if (shape !== undefined) return shape.toKazoo(items);
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
function deepMerge(base: Readonly<KazooObject>, override: Readonly<KazooObject>): KazooObject {
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

/** Where a Kazoo field of a written document came from in the client's input (inputLocationOf). */
export interface InputLocation {
  /** From the argument down, list entries by their position in the list the client sent. */
  path: readonly string[];
  /** Whether `path` names the Kazoo field itself, or only the nearest input around it. */
  exact: boolean;
}

/**
 * The place in the client's input that a Kazoo field of the document written from it came from, so that a Kazoo
 * validation error points at what the client wrote: `sip.username` -> `input.sip.username`; an entry of a keyed list
 * by its position in the list sent (`provision.combo_keys.3` -> `input.provision.comboKeys.<position of the key with
 * index 3>`, `call_restriction.international.action` -> `input.callRestriction.<position>.action`); a key the client
 * put in `extra` -> `input.extra....`. A Kazoo field the input does not hold (a stored key a PATCH kept) gets the
 * nearest input around it, not exact. Kazoo escapes a dot inside a key as `%2E` (kazoo-crossbar.md §1.3).
 */
export function inputLocationOf(
  conversion: InputConversion,
  type: GraphQLInputObjectType,
  input: Readonly<Record<string, unknown>>,
  kazooField: string,
  argumentName: string,
): InputLocation {
  const segments = kazooField.split('.').map((segment) => segment.replaceAll('%2E', '.'));
  const modelled = locateInObject(conversion, type, input, segments, [argumentName]);
  if (modelled.exact) return modelled;
  // `extra` is merged under the modelled fields, so a key it holds that no modelled field wrote came from it.
  const extra = input.extra;
  if (isRecord(extra) && holdsPath(extra, segments)) return { path: [argumentName, 'extra', ...segments], exact: true };
  return modelled;
}

function holdsPath(value: unknown, segments: readonly string[]): boolean {
  let at = value;
  for (const segment of segments) {
    if (!isRecord(at) || !(segment in at)) return false;
    at = at[segment];
  }
  return true;
}

function locateInObject(
  conversion: InputConversion,
  type: GraphQLInputObjectType,
  value: unknown,
  segments: readonly string[],
  path: readonly string[],
): InputLocation {
  const [segment, ...rest] = segments;
  if (segment === undefined) return { path, exact: true };
  for (const field of Object.values(type.getFields())) {
    if (field.name === 'extra') continue;
    const directive = kazooDirective(conversion.schema, field);
    const fieldValue = isRecord(value) ? value[field.name] : undefined;
    if (directive?.inline === true) {
      // The entries' keys sit in this object itself, beside its own keys (dial plan rules beside `system`).
      const position = entryPosition(conversion, field, directive, fieldValue, segment);
      if (position !== undefined) return locateBelowEntry(conversion, field, directive, fieldValue, position, rest, [...path, field.name]);
    } else if (kazooKeyOf(conversion.schema, field) === segment) {
      return locateInField(conversion, field, directive, fieldValue, rest, [...path, field.name]);
    }
  }
  return { path, exact: false };
}

function locateInField(
  conversion: InputConversion,
  field: GraphQLInputField,
  directive: KazooDirective | undefined,
  value: unknown,
  segments: readonly string[],
  path: readonly string[],
): InputLocation {
  const [key, ...rest] = segments;
  if (key === undefined) return { path, exact: true };
  const named = getNamedType(field.type);
  if (isInputObjectType(named)) {
    if (!isListOf(field.type)) return locateInObject(conversion, named, value, segments, path);
    const position = entryPosition(conversion, field, directive, value, key);
    if (position === undefined) return { path, exact: false };
    return locateBelowEntry(conversion, field, directive, value, position, rest, path);
  }
  // JSON values and lists of values are sent as they are: Kazoo's path below them is the client's.
  if (isListOf(field.type) || named.name === 'JSON') return { path: [...path, ...segments], exact: true };
  return { path, exact: false };
}

/** The position, in the list the client sent, of the entry Kazoo names by `key`. */
function entryPosition(
  conversion: InputConversion,
  field: GraphQLInputField,
  directive: KazooDirective | undefined,
  entries: unknown,
  key: string,
): number | undefined {
  if (!Array.isArray(entries)) return undefined;
  const mapKey = directive?.mapKey;
  const keyOf = conversion.listShapes?.[getNamedType(field.type).name]?.keyOf ??
    (mapKey === undefined ? undefined : (entry: Readonly<Record<string, unknown>>) => String(entry[mapKey]));
  if (keyOf === undefined) {
    // A plain list of objects, sent as a Kazoo list: Kazoo names an entry by its index.
    const index = Number(key);
    return Number.isInteger(index) && index >= 0 && index < entries.length && String(index) === key ? index : undefined;
  }
  // The last entry with the key is the one Kazoo received (later entries overwrite earlier ones).
  for (let position = entries.length - 1; position >= 0; position--) {
    const entry: unknown = entries[position];
    if (isRecord(entry) && keyOf(entry) === key) return position;
  }
  return undefined;
}

function locateBelowEntry(
  conversion: InputConversion,
  field: GraphQLInputField,
  directive: KazooDirective | undefined,
  entries: unknown,
  position: number,
  segments: readonly string[],
  listPath: readonly string[],
): InputLocation {
  const path = [...listPath, String(position)];
  const entryType = getNamedType(field.type) as GraphQLInputObjectType;
  const entry: unknown = (entries as readonly unknown[])[position];
  const shape = conversion.listShapes?.[entryType.name];
  if (shape !== undefined) {
    const below = shape.fieldsBelow(segments);
    return below === undefined ? { path, exact: false } : { path: [...path, ...below], exact: true };
  }
  const mapValue = directive?.mapValue;
  if (mapValue === undefined || segments.length === 0) return locateInObject(conversion, entryType, entry, segments, path);
  // The Kazoo value under the entry's key is the entry's `mapValue` field.
  const valueField = entryType.getFields()[mapValue];
  if (valueField === undefined) return { path, exact: false };
  const value = isRecord(entry) ? entry[mapValue] : undefined;
  return locateInField(conversion, valueField, kazooDirective(conversion.schema, valueField), value, segments, [...path, mapValue]);
}
