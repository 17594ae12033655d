// The simulator validates like Kazoo 4.3's own JSON schemas: its embedded copies cannot drift from
// the originals in ../shared, and over thousands of documents generated from those originals it
// accepts exactly the documents a standard draft-04 validator (ajv) accepts.
//
// Where Kazoo knowingly differs from plain draft-04, the generator stays out of the difference or
// the ajv side is told about it:
// - type fixing (kz_json_schema:fix_js_types/2): integer and boolean fields never receive values
//   Kazoo would convert (numeric strings, non-integer numbers, "true"/"false", lists of character
//   codes); their wrong-typed values are ones no conversion fixes (null, {}, [], "abc", "yes"...);
// - PCRE patterns (jesse uses Erlang's re): the POSIX class in `^[[:alnum:]_]+$` is mapped to its
//   ASCII meaning for ajv, and no generated string or key ends in "\n" or holds "\r", U+2028 or
//   U+2029 (PCRE's `$` also matches before a final newline, and its `.` only excludes "\n");
// - formats: jesse checks `email` as ^[^@]+@[^@]+$ and does not check `uri` or `regex`, so emails
//   come from a set where that and ajv-formats agree, and URIs and regexes are always well formed.
// Kazoo's `kazoo-validation` extension (metaflow modules) is modelled by neither side.
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kazooSchemas } from '../../src/simulator/schemas/index.js';
import { validateAgainstSchema, type SchemaName } from '../../src/simulator/validation/index.js';

const Ajv = ajvDraft04.default;
const addFormats = ajvFormats.default;

const SCHEMA_DIR = fileURLToPath(new URL('../../../shared/kazoo-4.3/schemas/', import.meta.url));
const SEED = 430_2023;

type Schema = { readonly [keyword: string]: unknown };
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function asSchema(value: unknown): Schema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a schema: ${JSON.stringify(value)}`);
  return value as Schema;
}

function loadOriginals(): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  for (const file of readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.json')).sort()) {
    const schema = asSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')));
    schemas.set(String(schema._id), schema);
  }
  return schemas;
}

/** A schema without its annotations (descriptions, support levels), keyword order kept. */
function validationKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(validationKeywords);
  if (typeof node !== 'object' || node === null) return node;
  const kept: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'description' || keyword === 'support_level') continue;
    if (keyword === 'properties' || keyword === 'patternProperties') {
      kept[keyword] = Object.fromEntries(Object.entries(asSchema(value)).map(([name, sub]) => [name, validationKeywords(sub)]));
    } else if (keyword === 'items' || keyword === 'additionalProperties' || keyword === 'oneOf' || keyword === 'anyOf') {
      kept[keyword] = validationKeywords(value);
    } else {
      kept[keyword] = value;
    }
  }
  return kept;
}

// jesse matches patterns with PCRE; the only PCRE-only syntax in these schemas is a POSIX class.
const PCRE_ONLY_PATTERNS: Readonly<Record<string, string>> = { '^[[:alnum:]_]+$': '^[A-Za-z0-9_]+$' };
const pcreAwareRegExp = Object.assign((pattern: string, flags: string) => new RegExp(PCRE_ONLY_PATTERNS[pattern] ?? pattern, flags), {
  code: 'pcreAwareRegExp',
});

function compileWithAjv(originals: Map<string, Schema>): (schema: SchemaName, doc: unknown) => boolean {
  const ajv = new Ajv({ strictTypes: false, code: { regExp: pcreAwareRegExp } });
  ajv.addVocabulary(['_id', 'support_level', 'kazoo-validation']);
  addFormats(ajv);
  for (const [id, schema] of originals) ajv.addSchema(schema, id);
  return (schema, doc) => {
    const validate = ajv.getSchema(schema);
    if (validate === undefined) throw new Error(`ajv has no schema ${schema}`);
    return validate(doc) === true;
  };
}

// ---- document generation, driven by the schemas ----

const MAX_DEPTH = 5;

/** Valid keys for each patternProperties pattern, and keys the pattern refuses. */
const PATTERN_KEYS: Readonly<Record<string, { valid: readonly string[]; invalid: readonly string[] }>> = {
  '^[a-zA-z0-9_\\-]+$': { valid: ['X-Custom-Header', 'X_[tag]^`', 'abc123'], invalid: ['X.Header', 'bad header', 'é'] },
  '^[a-zA-Z0-9]{32}$': { valid: ['a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'], invalid: ['a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d', 'user_1'] },
  '^[0-9]+$': { valid: ['1', '2', '10'], invalid: ['one', '1a'] },
  '^[[:alnum:]_]+$': { valid: ['from', 'to_did', 'Caller1'], invalid: ['caller-id', 'x.y'] },
  '.+': { valid: ['_', '^\\+1(\\d{10})$', 'default'], invalid: [''] },
};

/** Characters building strings for `pattern` fields: matching ones, and ones that break the pattern. */
const PATTERN_ALPHABETS: Readonly<Record<string, { valid: string; invalid: readonly string[] }>> = {
  '^[.\\w_-]+$': { valid: 'abcXYZ0189._-', invalid: [' ', '@', 'é', '/'] },
  '^([+@.\\w_-]+)$': { valid: 'abcXYZ0189._-+@', invalid: [' ', 'é', '/', '!'] },
};

const EMAILS = { valid: ['user@example.com', 'first.last+tag@sub.example.org'], invalid: ['plainaddress', 'a@b@example.com', '@example.com', 'user@'] };
const URIS = ['http://example.com/recordings', 'https://storage.example.net/bucket/key?x=1', 'ftp://files.example.org/rec'];
const REGEXES = ['^\\+?1?(\\d{10})$', '.*', '^(\\d+)$'];
const FREE_TEXT_UNITS = ['a', 'Z', '0', ' ', '-', '.', 'é', '中', '😀', '"', '\\'];

/** Wrong-typed values Kazoo cannot fix either, per expected type. */
const WRONG_TYPED: Readonly<Record<string, readonly Json[]>> = {
  string: [5, true, null, {}, []],
  integer: [true, null, {}, [], 'abc', '', '1x', 'true'],
  boolean: [0, 1, null, {}, [], 'yes', 'TRUE', ''],
  object: ['x', 5, false, null, []],
  array: ['x', 5, true, null, {}],
  null: ['x', 0, false, {}, []],
};

function types(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.map(String);
  return schema.properties !== undefined || schema.patternProperties !== undefined ? ['object'] : [];
}

class DocumentGenerator {
  /** `validWeight` to 1: how often each value is generated valid rather than broken. */
  constructor(
    private readonly schemas: Map<string, Schema>,
    private readonly validWeight: number,
  ) {}

  private mostlyValid<T>(valid: fc.Arbitrary<T>, invalid: readonly fc.Arbitrary<T>[]): fc.Arbitrary<T> {
    if (invalid.length === 0) return valid;
    return fc.oneof({ arbitrary: valid, weight: this.validWeight }, ...invalid.map((arbitrary) => ({ arbitrary, weight: 1 })));
  }

  forSchema(schema: Schema, depth: number): fc.Arbitrary<Json> {
    if (typeof schema.$ref === 'string') return this.forSchema(this.resolve(schema.$ref), depth);
    const combinator = schema.oneOf ?? schema.anyOf;
    if (Array.isArray(combinator)) {
      return fc.oneof(...combinator.map((branch) => this.forSchema({ ...withoutCombinators(schema), ...asSchema(branch) }, depth)));
    }
    const schemaTypes = types(schema);
    const wrongTyped = WRONG_TYPED[schemaTypes[0] ?? ''] ?? [];
    const wrong = wrongTyped.filter((value) => !schemaTypes.some((type) => WRONG_TYPED[type] === undefined || fitsType(value, type)));
    if (Array.isArray(schema.enum)) {
      const allowed = schema.enum as Json[];
      const outside = [fc.constant('not-in-enum'), ...(wrong.length > 0 ? [fc.constantFrom(...wrong)] : [])];
      return this.mostlyValid<Json>(fc.constantFrom(...allowed), outside);
    }
    const valid = fc.oneof(...schemaTypes.map((type) => this.forType(type, schema, depth)));
    return this.mostlyValid(valid, wrong.length > 0 ? [fc.constantFrom(...wrong)] : []);
  }

  private resolve(ref: string): Schema {
    const schema = this.schemas.get(ref);
    if (schema === undefined) throw new Error(`unknown $ref ${ref}`);
    return schema;
  }

  private forType(type: string, schema: Schema, depth: number): fc.Arbitrary<Json> {
    switch (type) {
      case 'object':
        return this.forObject(schema, depth);
      case 'array': {
        if (schema.items === undefined) throw new Error('array schema without items');
        const item = this.forSchema(asSchema(schema.items), depth + 1);
        const list = fc.array(item, { maxLength: 3 });
        return schema.uniqueItems === true ? fc.oneof(list, item.map((value) => [value, value])) : list;
      }
      case 'string':
        return this.forString(schema);
      case 'integer':
        return forInteger(schema);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        throw new Error(`no generator for type ${type}`);
    }
  }

  private forString(schema: Schema): fc.Arbitrary<Json> {
    const min = typeof schema.minLength === 'number' ? schema.minLength : undefined;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    if (schema.format === 'email') return this.mostlyValid(fc.constantFrom(...EMAILS.valid), [fc.constantFrom(...EMAILS.invalid)]);
    if (schema.format === 'uri') return fc.constantFrom(...URIS);
    if (schema.format === 'regex') return fc.constantFrom(...REGEXES);
    if (typeof schema.pattern === 'string') {
      const alphabet = PATTERN_ALPHABETS[schema.pattern];
      if (alphabet === undefined) throw new Error(`no alphabet for pattern ${schema.pattern}`);
      const matching = lengthsAround(min ?? 1, max).chain((length) =>
        fc.array(fc.constantFrom(...alphabet.valid), { minLength: length, maxLength: length }).map((chars) => chars.join('')),
      );
      const broken = fc.tuple(matching, fc.constantFrom(...alphabet.invalid)).map(([text, bad]) => `${bad}${text}`);
      return this.mostlyValid(matching, [broken]);
    }
    return lengthsAround(min, max).chain((length) =>
      fc.array(fc.constantFrom(...FREE_TEXT_UNITS), { minLength: length, maxLength: length }).map((units) => units.join('')),
    );
  }

  private forObject(schema: Schema, depth: number): fc.Arbitrary<Json> {
    const nested = depth < MAX_DEPTH;
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const properties = Object.entries(asSchema(schema.properties ?? {})).filter(([name]) => nested || required.has(name));
    const patternProperties = nested ? Object.entries(asSchema(schema.patternProperties ?? {})) : [];
    const additional = schema.additionalProperties;

    // Required properties are nearly always all there; optional ones come a few at a time.
    const requiredOnes = properties.filter(([name]) => required.has(name));
    const optionalOnes = properties.filter(([name]) => !required.has(name));
    const presentRequired = this.mostlyValid(fc.constant(requiredOnes), [fc.subarray(requiredOnes)]);
    const someOptional = fc.subarray(optionalOnes, { maxLength: Math.min(10, optionalOnes.length) });
    const chosen = fc
      .tuple(presentRequired, someOptional)
      .chain(([present, optional]) =>
        fc.record(Object.fromEntries([...present, ...optional].map(([name, sub]) => [name, this.forSchema(asSchema(sub), depth + 1)]))),
      );

    const none = fc.constant<[string, Json][]>([]);
    const patterned =
      patternProperties.length === 0
        ? none
        : fc.array(
            fc.constantFrom(...patternProperties).chain(([pattern, sub]) => {
              const keys = PATTERN_KEYS[pattern];
              if (keys === undefined) throw new Error(`no keys for pattern ${pattern}`);
              const key = this.mostlyValid(fc.constantFrom(...keys.valid), [fc.constantFrom(...keys.invalid)]);
              return fc.tuple(key, this.forSchema(asSchema(sub), depth + 1));
            }),
            { maxLength: 2 },
          );

    const extras: fc.Arbitrary<[string, Json][]> =
      additional === false
        ? this.mostlyValid(none, [fc.constant<[string, Json][]>([['zz_not_in_schema', 1]])])
        : typeof additional === 'object' && additional !== null
          ? fc.array(fc.tuple(fc.constantFrom('tollfree', 'international', 'toll.free'), this.forSchema(asSchema(additional), depth + 1)), {
              maxLength: nested ? 2 : 0,
            })
          : this.mostlyValid(none, [fc.constant<[string, Json][]>([['zz_unknown_extra', { any: ['thing', 1] }]])]);

    return fc.tuple(chosen, patterned, extras).map(([named, patternPairs, extraPairs]) => ({
      ...Object.fromEntries([...patternPairs, ...extraPairs]),
      ...named,
    }));
  }
}

function withoutCombinators(schema: Schema): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([keyword]) => keyword !== 'oneOf' && keyword !== 'anyOf'));
}

function fitsType(value: Json, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default:
      return value === null;
  }
}

function lengthsAround(min: number | undefined, max: number | undefined): fc.Arbitrary<number> {
  const low = min ?? 0;
  const high = max ?? Math.max(low, 12);
  const boundaries = [low, high, low - 1, high + 1].filter((length) => length >= 0);
  return fc.oneof(fc.constantFrom(...boundaries), fc.integer({ min: low, max: Math.min(high, low + 40) }));
}

function forInteger(schema: Schema): fc.Arbitrary<Json> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const boundaries = [min, max, min === undefined ? undefined : min - 1, max === undefined ? undefined : max + 1].filter(
    (value): value is number => value !== undefined,
  );
  const inRange = fc.integer({ min: min ?? -1_000, max: max ?? 100_000 });
  return boundaries.length > 0 ? fc.oneof(fc.constantFrom(...boundaries), inRange) : inRange;
}

// ---- the checks ----

const originalsPresent = existsSync(SCHEMA_DIR);
const suiteName = originalsPresent
  ? 'conformance with Kazoo 4.3 schemas'
  : `conformance with Kazoo 4.3 schemas (skipped: ${SCHEMA_DIR} not found)`;

describe.skipIf(!originalsPresent)(suiteName, () => {
  const originals = originalsPresent ? loadOriginals() : new Map<string, Schema>();

  it('embeds every original schema, equal on every validation keyword and in keyword order', () => {
    expect(Object.keys(kazooSchemas).sort()).toEqual([...originals.keys()].sort());
    for (const [id, original] of originals) {
      expect(JSON.stringify(kazooSchemas[id]), id).toBe(JSON.stringify(validationKeywords(original)));
    }
  });

  const runs: readonly [SchemaName, number, number][] = [
    ['devices', 1500, 70],
    ['users', 1500, 70],
    ['devices_notify', 300, 6],
    ['user_auth', 300, 8],
    ['api_auth', 300, 6],
  ];

  for (const [schemaName, numRuns, validWeight] of runs) {
    it(`accepts exactly the ${schemaName} documents ajv accepts (${numRuns} generated)`, () => {
      const ajvAccepts = compileWithAjv(originals);
      const root = originals.get(schemaName);
      if (root === undefined) throw new Error(`missing original ${schemaName}`);
      const documents = new DocumentGenerator(originals, validWeight).forSchema(root, 0);
      let accepted = 0;
      fc.assert(
        fc.property(documents, (doc) => {
          const result = validateAgainstSchema(schemaName, doc);
          expect(result.valid, JSON.stringify(result.valid ? doc : result.errors)).toBe(ajvAccepts(schemaName, doc));
          if (result.valid) {
            accepted += 1;
            // Defaults and fixed types never make a document invalid, nor drop what it had.
            expect(ajvAccepts(schemaName, result.value)).toBe(true);
            expect(Object.keys(result.value)).toEqual(expect.arrayContaining(Object.keys(doc as object)));
          } else {
            expect(Object.keys(result.errors).length).toBeGreaterThan(0);
          }
        }),
        { seed: SEED, numRuns },
      );
      // The generator must exercise both sides of the boundary.
      expect(accepted).toBeGreaterThan(numRuns * 0.2);
      expect(accepted).toBeLessThan(numRuns * 0.8);
    });
  }
});
