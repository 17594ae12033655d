// The draft-04 validator at the heart of Kazoo 4.3's kz_json_schema: a re-implementation of jesse
// (2600hz fork, jesse_validator_draft4.erl) for the keywords Kazoo's schemas use, run with Kazoo's
// options: all errors collected (`allowed_errors` infinity) and defaults written into the document
// (`use_defaults`, `apply_defaults_to_empty_objects`).
//
// What it reproduces from jesse:
// - keywords are checked in the order they appear in the schema object (errors come out in that order);
// - keywords only apply to their own types (`minLength` ignores numbers, `properties` ignores arrays...),
//   except `type`, `enum` and the combinators;
// - a missing property whose schema has a `default` and a `type` the default fits gets a copy of the
//   default, which is then validated like a present value (so `sip: {}` receives `sip.method` etc.);
// - error paths list property names and 0-based array indexes; a `required` error is reported at the
//   parent's path with the missing name as its value, an `additionalProperties` error at the extra
//   property's path with the whole object as its value;
// - `oneOf`/`anyOf` report one error for the combinator, not the errors inside the branches.
// Where jesse releases disagree with each other (several 1.5 builds lose or duplicate errors around
// `oneOf` and defaults), this follows draft-04: a branch is valid when it yields no error of its own.
import { kazooSchemas, type JsonType, type SchemaNode } from '../schemas/index.js';
import { jesseAcceptsFormat } from './formats.js';
import { pcreMatches } from './pcre.js';

export type JsonPath = readonly (string | number)[];

/** jesse's `data_invalid` reasons for the keywords Kazoo's schemas use. */
type JesseReason =
  | 'wrong_type'
  | 'not_in_enum'
  | 'wrong_length'
  | 'not_in_range'
  | 'not_unique'
  | 'no_match'
  | 'missing_required_property'
  | 'no_extra_properties_allowed'
  | 'wrong_format'
  | 'not_one_schema_valid'
  | 'any_schemas_not_valid';

/** jesse's {data_invalid, Schema, Reason, Value, Path} error tuple. */
export interface JesseError {
  readonly reason: JesseReason;
  /** The (sub)schema whose keyword failed. */
  readonly schema: SchemaNode;
  /** A snapshot of the failing value (for `missing_required_property`: the missing name). */
  readonly value: unknown;
  readonly path: JsonPath;
}

type JsonObjectValue = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObjectValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOfType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isJsonObject(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
  }
}

function matchesType(value: unknown, type: JsonType | readonly JsonType[]): boolean {
  return typeof type === 'string' ? isOfType(value, type) : type.some((one) => isOfType(value, one));
}

/** jesse's is_equal/2: deep equality, object key order ignored. */
function jesseEqual(left: unknown, right: unknown): boolean {
  if (isJsonObject(left) && isJsonObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && jesseEqual(left[key], right[key]))
    );
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => jesseEqual(item, right[index]));
  }
  return left === right;
}

/** JSON Schema counts characters (code points), as jesse does with unicode:characters_to_list/1. */
function characterCount(text: string): number {
  return Array.from(text).length;
}

function resolveRef(ref: string): SchemaNode {
  const target = kazooSchemas[ref];
  if (target === undefined) throw new Error(`Kazoo schema ${ref} is not embedded`);
  return target;
}

/** jesse's check_default/4 + is_valid_default/3 with both default options on. */
function defaultApplies(schema: SchemaNode): boolean {
  return 'default' in schema && schema.type !== undefined && matchesType(schema.default, schema.type);
}

class Run {
  readonly errors: JesseError[] = [];

  fail(reason: JesseReason, schema: SchemaNode, value: unknown, path: JsonPath): void {
    this.errors.push({ reason, schema, value: structuredClone(value), path: [...path] });
  }

  check(value: unknown, schema: SchemaNode, path: JsonPath): void {
    for (const keyword of Object.keys(schema)) {
      this.checkKeyword(keyword, value, schema, path);
    }
  }

  /** Whether `value` passes `schema` on its own, without touching `value` or this run's errors. */
  private passes(value: unknown, schema: SchemaNode, path: JsonPath): boolean {
    const trial = new Run();
    trial.check(structuredClone(value), schema, path);
    return trial.errors.length === 0;
  }

  private checkKeyword(keyword: string, value: unknown, schema: SchemaNode, path: JsonPath): void {
    switch (keyword) {
      case '$ref':
        if (schema.$ref !== undefined) this.check(value, resolveRef(schema.$ref), path);
        return;
      case 'type':
        if (schema.type !== undefined && !matchesType(value, schema.type)) this.fail('wrong_type', schema, value, path);
        return;
      case 'properties':
        if (schema.properties !== undefined && isJsonObject(value)) this.checkProperties(value, schema.properties, path);
        return;
      case 'patternProperties':
        if (schema.patternProperties !== undefined && isJsonObject(value)) {
          this.checkPatternProperties(value, schema.patternProperties, path);
        }
        return;
      case 'additionalProperties':
        if (schema.additionalProperties !== undefined && isJsonObject(value)) this.checkAdditionalProperties(value, schema, path);
        return;
      case 'required':
        if (schema.required !== undefined && isJsonObject(value)) {
          for (const name of schema.required) {
            if (!Object.hasOwn(value, name)) this.fail('missing_required_property', schema, name, path);
          }
        }
        return;
      case 'items':
        if (schema.items !== undefined && Array.isArray(value)) {
          const items = schema.items;
          value.forEach((item: unknown, index) => this.check(item, items, [...path, index]));
        }
        return;
      case 'uniqueItems':
        if (schema.uniqueItems === true && Array.isArray(value) && hasDuplicate(value)) {
          this.fail('not_unique', schema, value, path);
        }
        return;
      case 'minimum':
        if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) {
          this.fail('not_in_range', schema, value, path);
        }
        return;
      case 'maximum':
        if (schema.maximum !== undefined && typeof value === 'number' && value > schema.maximum) {
          this.fail('not_in_range', schema, value, path);
        }
        return;
      case 'minLength':
        if (schema.minLength !== undefined && typeof value === 'string' && characterCount(value) < schema.minLength) {
          this.fail('wrong_length', schema, value, path);
        }
        return;
      case 'maxLength':
        if (schema.maxLength !== undefined && typeof value === 'string' && characterCount(value) > schema.maxLength) {
          this.fail('wrong_length', schema, value, path);
        }
        return;
      case 'pattern':
        if (schema.pattern !== undefined && typeof value === 'string' && !pcreMatches(schema.pattern, value)) {
          this.fail('no_match', schema, value, path);
        }
        return;
      case 'enum':
        if (schema.enum !== undefined && !schema.enum.some((allowed) => jesseEqual(value, allowed))) {
          this.fail('not_in_enum', schema, value, path);
        }
        return;
      case 'format':
        if (schema.format !== undefined && !jesseAcceptsFormat(schema.format, value)) this.fail('wrong_format', schema, value, path);
        return;
      case 'oneOf':
        if (schema.oneOf !== undefined) {
          const passing = schema.oneOf.filter((branch) => this.passes(value, branch, path));
          const [only] = passing;
          if (passing.length === 1 && only !== undefined) this.check(value, only, path);
          else this.fail('not_one_schema_valid', schema, value, path);
        }
        return;
      case 'anyOf':
        if (schema.anyOf !== undefined) {
          const first = schema.anyOf.find((branch) => this.passes(value, branch, path));
          if (first !== undefined) this.check(value, first, path);
          else this.fail('any_schemas_not_valid', schema, value, path);
        }
        return;
      default:
        // `$schema`, `_id`, `default` (used by `properties`) and `kazoo-validation` (Kazoo's
        // extra validator, not modelled) do not validate anything themselves.
        return;
    }
  }

  private checkProperties(object: JsonObjectValue, properties: NonNullable<SchemaNode['properties']>, path: JsonPath): void {
    for (const [name, propertySchema] of Object.entries(properties)) {
      if (Object.hasOwn(object, name)) {
        this.check(object[name], propertySchema, [...path, name]);
      } else if (defaultApplies(propertySchema)) {
        object[name] = structuredClone(propertySchema.default);
        this.check(object[name], propertySchema, [...path, name]);
      }
    }
  }

  private checkPatternProperties(
    object: JsonObjectValue,
    patternProperties: NonNullable<SchemaNode['patternProperties']>,
    path: JsonPath,
  ): void {
    for (const name of Object.keys(object)) {
      for (const [pattern, propertySchema] of Object.entries(patternProperties)) {
        if (pcreMatches(pattern, name)) this.check(object[name], propertySchema, [...path, name]);
      }
    }
  }

  private checkAdditionalProperties(object: JsonObjectValue, schema: SchemaNode, path: JsonPath): void {
    const patterns = Object.keys(schema.patternProperties ?? {});
    const extras = Object.keys(object).filter(
      (name) =>
        !(schema.properties !== undefined && Object.hasOwn(schema.properties, name)) &&
        !patterns.some((pattern) => pcreMatches(pattern, name)),
    );
    const additional = schema.additionalProperties;
    for (const name of extras) {
      if (additional === false) this.fail('no_extra_properties_allowed', schema, object, [...path, name]);
      else if (typeof additional === 'object') this.check(object[name], additional, [...path, name]);
    }
  }
}

function hasDuplicate(items: readonly unknown[]): boolean {
  return items.some((item, index) => items.slice(index + 1).some((other) => jesseEqual(item, other)));
}

/**
 * Validates `doc` against the embedded schema `schemaId` the way jesse does under kz_json_schema.
 * Defaults are written into `doc` (pass a copy); returns jesse's errors in jesse's order.
 */
export function runJesse(schemaId: string, doc: unknown): JesseError[] {
  const run = new Run();
  run.check(doc, resolveRef(schemaId), []);
  return run.errors;
}
