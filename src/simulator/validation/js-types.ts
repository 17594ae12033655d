// Kazoo's non-strict schema validation (`crossbar.schema_strict_validation` false, the default):
// when validation fails, cb_context:validate_request_data/4 calls kz_json_schema:fix_js_types/2,
// which converts the value of every `wrong_type` error whose schema `type` is exactly "integer",
// "number" or "boolean" (not a union type) with kz_term:to_integer/1, to_number/1 or to_boolean/1;
// if anything was converted, the converted request is validated again from scratch.
//
// The kz_term conversions, on decoded JSON (strings are Erlang binaries, arrays are Erlang lists):
// - to_integer: a float is rounded (half away from zero); a string or a list of character codes is
//   list_to_integer'd ("+5", "-05") or else round(list_to_float(...)) ("2.5" -> 3; a float needs
//   digits on both sides of the dot: "5." and "1e3" fail); anything else fails.
// - to_number: the same string/list parsing, without rounding.
// - to_boolean: "true"/"false" (as a string or a list of character codes) only.
// So "5" -> 5, 5.5 -> 6, "true" -> true, and even [53] -> 5 (an Erlang string is a list of codes),
// while "yes", 1, null, {} and " 5" stay wrong.
import type { JesseError, JsonPath } from './jesse.js';
import { isJsonObject } from './jesse.js';

const ERLANG_INTEGER = /^[+-]?[0-9]+$/;
const ERLANG_FLOAT = /^[+-]?[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?$/;
const MAX_CODE_POINT = 0x10ffff;

/** The text kz_term sees for a binary or a list of character codes, if `value` is one. */
function erlangText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  const codes: number[] = [];
  for (const item of value) {
    if (!Number.isInteger(item) || item < 0 || item > MAX_CODE_POINT) return undefined;
    codes.push(item);
  }
  return String.fromCodePoint(...codes);
}

/** Erlang's round/1: halves go away from zero (JavaScript's Math.round sends -2.5 to -2). */
function erlangRound(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value)) + 0;
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return erlangRound(value);
  const text = erlangText(value);
  if (text === undefined) return undefined;
  if (ERLANG_INTEGER.test(text)) return Number(text) + 0;
  if (ERLANG_FLOAT.test(text)) return erlangRound(Number(text));
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  const text = erlangText(value);
  if (text === undefined) return undefined;
  if (ERLANG_INTEGER.test(text) || ERLANG_FLOAT.test(text)) return Number(text) + 0;
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  const text = erlangText(value);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

function convertedValue(error: JesseError): number | boolean | undefined {
  if (error.reason !== 'wrong_type') return undefined;
  switch (error.schema.type) {
    case 'integer':
      return toInteger(error.value);
    case 'number':
      return toNumber(error.value);
    case 'boolean':
      return toBoolean(error.value);
    default:
      return undefined;
  }
}

/** Replaces the value at `path` (which must exist) in `root`; false when there is nothing there. */
function replaceAt(root: unknown, path: JsonPath, value: unknown): boolean {
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) {
    parent = isJsonObject(parent) ? parent[String(step)] : Array.isArray(parent) ? parent[Number(step)] : undefined;
  }
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent[last] = value;
    return true;
  }
  if (isJsonObject(parent) && last !== undefined && Object.hasOwn(parent, last)) {
    parent[String(last)] = value;
    return true;
  }
  return false;
}

/**
 * kz_json_schema:fix_js_types/2: the request with every convertible wrong-typed value converted,
 * or undefined when nothing could be converted (the errors then stand).
 */
export function fixJsTypes(request: unknown, errors: readonly JesseError[]): { request: unknown } | undefined {
  const fixed = { request: structuredClone(request) };
  let converted = false;
  for (const error of errors) {
    const value = convertedValue(error);
    if (value === undefined) continue;
    if (error.path.length === 0) fixed.request = value;
    else if (!replaceAt(fixed.request, error.path, value)) continue;
    converted = true;
  }
  return converted ? fixed : undefined;
}
