// Turns jesse errors into Crossbar's validation error object, as Kazoo 4.3's
// kz_json_schema:error_to_jobj/2 and build_validate_error/4 do, and merges error objects the way
// cb_context does (kz_json:merge_jobjs/2, a top-level merge: for one field, the newer entry wins).
import type { RuleError, ValidationErrors } from './index.js';
import type { JesseError, JsonPath } from './jesse.js';

interface KazooError {
  readonly path: JsonPath;
  readonly rule: string;
  readonly error: RuleError;
}

/** build_validate_error/4: path elements joined by ".", a literal "." in a key escaped as "%2E". */
function errorKey(path: JsonPath): string {
  return path.map((element) => String(element).replaceAll('.', '%2E')).join('.');
}

/** kz_term:to_binary/1 of a schema number ('undefined' when the keyword is absent). */
function text(value: number | undefined): string {
  return value === undefined ? 'undefined' : String(value);
}

/** kz_json:from_list/1 drops undefined values. */
function ruleError(fields: RuleError): RuleError {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as RuleError;
}

/** kz_json_schema:error_to_jobj/2, one clause per jesse reason. */
function toKazooError({ reason, schema, value, path }: JesseError): KazooError {
  switch (reason) {
    case 'wrong_type': {
      // get_types/1: a union type is joined with ", ".
      const types = typeof schema.type === 'string' ? schema.type : (schema.type ?? []).join(', ');
      return { path, rule: 'type', error: ruleError({ message: `Value did not match type(s): ${types}`, target: types, value }) };
    }
    case 'not_in_enum':
      return { path, rule: 'enum', error: ruleError({ message: 'Value not found in enumerated list of values', target: schema.enum ?? [], value }) };
    case 'wrong_length': {
      // Kazoo picks minLength or maxLength by comparing minLength with the UTF-8 byte size, while
      // jesse counted characters: a too-short non-ASCII string can be reported as too long.
      const bytes = Buffer.byteLength(String(value), 'utf8');
      if (schema.minLength !== undefined && schema.minLength > bytes) {
        const message = `String must be at least ${text(schema.minLength)} characters`;
        return { path, rule: 'minLength', error: ruleError({ message, target: schema.minLength, cause: value, value }) };
      }
      const message = `String must not be more than ${text(schema.maxLength)} characters`;
      return { path, rule: 'maxLength', error: ruleError({ message, target: schema.maxLength, cause: value, value }) };
    }
    case 'not_in_range':
      if (schema.minimum !== undefined && typeof value === 'number' && schema.minimum > value) {
        return { path, rule: 'minimum', error: ruleError({ message: `Value must be at least ${text(schema.minimum)}`, target: schema.minimum, value }) };
      }
      return { path, rule: 'maximum', error: ruleError({ message: `Value must be at most ${text(schema.maximum)}`, target: schema.maximum, value }) };
    case 'not_unique':
      return { path, rule: 'uniqueItems', error: ruleError({ message: 'List of items is not unique', value }) };
    case 'no_extra_properties_allowed':
      return {
        path,
        rule: 'additionalProperties',
        error: ruleError({ message: 'Strict checking of data is enabled; only include schema-defined properties', value }),
      };
    case 'no_match':
      return {
        path,
        rule: 'pattern',
        error: ruleError({ message: `Failed to match pattern '${schema.pattern ?? ''}'`, target: schema.pattern, value }),
      };
    case 'missing_required_property':
      return { path: [...path, String(value)], rule: 'required', error: ruleError({ message: 'Field is required but missing', value }) };
    case 'wrong_format': {
      // Kazoo's rule name here is "wrong_format", and the error also carries the schema's `format`.
      const error: RuleError & { format?: string } = { message: 'Field is not in the correct format', value, format: schema.format };
      return { path, rule: 'wrong_format', error: ruleError(error) };
    }
    case 'not_one_schema_valid':
    case 'any_schemas_not_valid':
      // No clause of its own: the catch-all names the rule after jesse's reason.
      return { path, rule: reason, error: ruleError({ message: 'failed to validate', value }) };
  }
}

/** cb_context:failed/2 folding the errors in order: each field keeps its last error only. */
export function toValidationErrors(errors: readonly JesseError[]): ValidationErrors {
  const result: ValidationErrors = {};
  for (const error of errors) {
    const { path, rule, error: ruleErrorValue } = toKazooError(error);
    result[errorKey(path)] = { [rule]: ruleErrorValue };
  }
  return result;
}

export function mergeErrorObjects(all: readonly ValidationErrors[]): ValidationErrors {
  const merged: ValidationErrors = {};
  for (const errors of all) {
    for (const [key, rules] of Object.entries(errors)) merged[key] = { ...rules };
  }
  return merged;
}
