// Validation of request data against Kazoo 4.3's JSON schemas, behaving like kz_json_schema + jesse
// under cb_context:validate_request_data/4: all errors collected, non-strict type fixing, schema
// defaults applied on success, and errors shaped like Crossbar's 400 "validation error" data.
import { fixJsTypes } from './js-types.js';
import { runJesse } from './jesse.js';
import { mergeErrorObjects, toValidationErrors } from './kazoo-errors.js';

export type SchemaName = 'devices' | 'users' | 'devices_notify' | 'user_auth' | 'api_auth';
export interface RuleError {
  message: string;
  target?: unknown;
  cause?: unknown;
  value?: unknown;
}
export type ValidationErrors = Record<string, Record<string, RuleError>>; // dotted path -> rule -> error
type ValidationResult =
  | { valid: true; value: Record<string, unknown> } // coerced, schema defaults applied
  | { valid: false; errors: ValidationErrors };

/**
 * Validates `doc` (request data, private `_`/`pvt_` keys already removed as kz_doc:public_fields/1
 * does) against the named schema. `doc` is not modified.
 *
 * Like Kazoo, a failing document is retried after converting JavaScript-typed values ("5" for an
 * integer, "true" for a boolean; see js-types.ts), and the errors reported are those of the last
 * attempt. Each field carries one rule: when a value breaks several keywords, the one jesse checks
 * last is reported (Crossbar's error object is merged with kz_json:merge_jobjs/2).
 */
export function validateAgainstSchema(schema: SchemaName, doc: unknown): ValidationResult {
  let request = doc;
  // Each retry converts at least one wrong-typed value into a right-typed one, so this ends.
  for (;;) {
    const validated = structuredClone(request);
    const errors = runJesse(schema, validated);
    // Every SchemaName schema has `type: object`, so a document without errors is an object.
    if (errors.length === 0) return { valid: true, value: validated as Record<string, unknown> };
    const fixed = fixJsTypes(request, errors);
    if (fixed === undefined) return { valid: false, errors: toValidationErrors(errors) };
    request = fixed.request;
  }
}

/**
 * Merges validation error objects the way cb_context accumulates them (kz_json:merge_jobjs/2 is a
 * top-level merge): for a field present in several arguments, the later argument's rules replace
 * the earlier ones. Pass custom checks first and schema errors last, as Crossbar modules run them.
 */
export function mergeValidationErrors(...all: ValidationErrors[]): ValidationErrors {
  return mergeErrorObjects(all);
}
