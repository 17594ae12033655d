// What a mutation may send to Kazoo, checked before anything is sent. Kazoo copies the strings it is given into
// documents, SIP headers (custom headers, caller ID, a NOTIFY's Event) and a quickcall's originate request, where a
// CR or LF starts a new header line and a NUL cuts a C string short; and the gateway itself walks JSON values
// recursively when it converts them. So, driven by the schema's argument and input types (a field is covered by being
// declared), every String or ID argument and input field of a mutation, and every string and key inside its JSON
// values, is refused when it holds a control character, and a JSON value nested deeper than MAX_JSON_DEPTH levels is
// refused whole. The `@text` directive in schema.graphql names the exceptions. An enum value marked `@readOnly`
// (`DeviceType.OTHER`, which stands for no one Kazoo value) is refused too. The few arguments that end up in SIP
// headers on their own (a NOTIFY's event, a quickcall's caller ID) have stricter rules of their own, below.
// Problems are reported with the path the client wrote as a list of keys (a JSON key may itself hold a dot), and
// become the mutation's userErrors (errors.ts).
import { getDirective } from '@graphql-tools/utils';
import { getNullableType, isEnumType, isInputObjectType, isListType } from 'graphql';
import type {
  GraphQLArgument,
  GraphQLEnumType,
  GraphQLInputField,
  GraphQLInputType,
  GraphQLResolveInfo,
  GraphQLSchema,
} from 'graphql';
import { KazooError } from '../kazoo/errors.js';

/** Kazoo documents are a handful of levels deep; anything far deeper is not a document but an attack on a stack. */
const MAX_JSON_DEPTH = 32;
/** One answer names at most this many problems, however many strings of a large input are wrong. */
const MAX_REPORTED = 20;

/** U+0000–U+001F (C0, which holds CR, LF, TAB and NUL), U+007F (DEL) and U+0080–U+009F (C1). */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** The same without TAB, LF and CR, for multi-line text. */
const CONTROL_CHARACTER_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * How a string is checked: `strict` refuses every control character, `multiline` allows TAB, LF and CR,
 * `unchecked` is for values that never reach Kazoo as they are (a password the gateway only hashes).
 */
type TextRule = 'strict' | 'multiline' | 'unchecked';

interface TextDirective {
  multiline?: boolean;
  hashed?: boolean;
}

/** Rules by argument or input field: getDirective re-reads the AST on every call. */
const textRules = new WeakMap<GraphQLArgument | GraphQLInputField, TextRule>();

function textRule(schema: GraphQLSchema, element: GraphQLArgument | GraphQLInputField): TextRule {
  let rule = textRules.get(element);
  if (rule === undefined) {
    const directive = getDirective(schema, element, 'text')?.[0] as TextDirective | undefined;
    rule = directive?.hashed === true ? 'unchecked' : directive?.multiline === true ? 'multiline' : 'strict';
    textRules.set(element, rule);
  }
  return rule;
}

/** One thing the gateway refuses in a mutation's arguments. */
interface InputProblem {
  /** The path the client wrote: `['input', 'callerId', 'internal', 'name']`, `['input', 'flags', '2']`. */
  field: readonly string[];
  /** The gateway's rule: `controlCharacter` or `maxDepth`. */
  rule: string;
  message: string;
}

/** The internal values of an enum's `@readOnly` values, by enum. */
const readOnlyValues = new WeakMap<GraphQLEnumType, ReadonlyMap<unknown, string>>();

function readOnlyValuesOf(schema: GraphQLSchema, type: GraphQLEnumType): ReadonlyMap<unknown, string> {
  let values = readOnlyValues.get(type);
  if (values === undefined) {
    values = new Map(
      type.getValues().flatMap((value) => (getDirective(schema, value, 'readOnly') === undefined ? [] : [[value.value, value.name]])),
    );
    readOnlyValues.set(type, values);
  }
  return values;
}

/**
 * What the arguments of the field being resolved hold that is refused: a string with a control character its rule
 * forbids, or a JSON value nested too deep. At most MAX_REPORTED problems, in the order the client wrote them.
 */
export function argumentProblems(info: GraphQLResolveInfo, args: Readonly<Record<string, unknown>>): InputProblem[] {
  const field = info.parentType.getFields()[info.fieldName];
  const problems: InputProblem[] = [];
  for (const argument of field?.args ?? []) {
    checkValue(info.schema, argument.type, args[argument.name], [argument.name], textRule(info.schema, argument), problems);
  }
  return problems.slice(0, MAX_REPORTED);
}

/** A value as graphql-js coerced it: lists are arrays, input objects plain objects, enums already Kazoo values. */
function checkValue(
  schema: GraphQLSchema,
  type: GraphQLInputType,
  value: unknown,
  path: readonly string[],
  rule: TextRule,
  problems: InputProblem[],
): void {
  if (value === null || value === undefined || problems.length >= MAX_REPORTED) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (Array.isArray(value)) {
      value.forEach((item, index) => checkValue(schema, nullable.ofType, item, [...path, String(index)], rule, problems));
    }
    return;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const [name, fieldValue] of Object.entries(value as Readonly<Record<string, unknown>>)) {
      const field = fields[name];
      if (field !== undefined) {
        checkValue(schema, field.type, fieldValue, [...path, name], textRule(schema, field), problems);
      }
    }
    return;
  }
  // Enum values are the schema's own, but a read-only one stands for no value to send. Every scalar (String, ID,
  // JSON...) is checked as the JSON it is sent as.
  if (isEnumType(nullable)) {
    const readOnly = readOnlyValuesOf(schema, nullable).get(value);
    if (readOnly !== undefined) problems.push({ field: path, rule: 'readOnly', message: `cannot be ${readOnly}: that value is only reported, never written` });
  } else {
    checkJson(value, path, rule, problems);
  }
}

/** Where a JSON value sits, as a chain to its parent: a path string is only built for a value that is refused. */
interface JsonNode {
  value: unknown;
  depth: number;
  parent: JsonNode | undefined;
  /** The key under its parent; for the root, the path of the argument or input field holding the value. */
  keys: readonly string[];
}

function pathOf(node: JsonNode): string[] {
  const keys: (readonly string[])[] = [];
  for (let at: JsonNode | undefined = node; at !== undefined; at = at.parent) keys.push(at.keys);
  return keys.reverse().flat();
}

/** Walks a JSON value without recursion, so no depth of input can overflow the stack before it is refused. */
function checkJson(root: unknown, path: readonly string[], rule: TextRule, problems: InputProblem[]): void {
  const pending: JsonNode[] = [{ value: root, depth: 0, parent: undefined, keys: path }];
  for (let node = pending.pop(); node !== undefined && problems.length < MAX_REPORTED; node = pending.pop()) {
    const { value, depth } = node;
    if (typeof value === 'string') {
      const problem = textProblem(value, rule);
      if (problem !== undefined) problems.push({ field: pathOf(node), rule: 'controlCharacter', message: problem });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      problems.push({ field: path, rule: 'maxDepth', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value);
    if (entries.some(([key]) => CONTROL_CHARACTER.test(key))) {
      problems.push({ field: pathOf(node), rule: 'controlCharacter', message: 'has a key holding a control character' });
    }
    // Pushed last to first, so that problems are found, and reported, in the order the client wrote them.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index] as [string, unknown];
      pending.push({ value: item, depth: depth + 1, parent: node, keys: [key] });
    }
  }
}

function textProblem(value: string, rule: TextRule): string | undefined {
  switch (rule) {
    case 'unchecked':
      return undefined;
    case 'multiline':
      return CONTROL_CHARACTER_BUT_LINE_BREAKS.test(value)
        ? 'may hold line breaks and tabs but no other control character (U+0000–U+001F, U+007F–U+009F)'
        : undefined;
    case 'strict':
      return CONTROL_CHARACTER.test(value) ? 'must not hold control characters (U+0000–U+001F, U+007F–U+009F)' : undefined;
  }
}

function refuse(argument: string, rule: string, message: string): never {
  throw new KazooError('INVALID_ARGUMENT', `\`${argument}\` ${message}`, { fieldErrors: [{ field: argument, rule, message }] });
}

/** RFC 3265 token characters, which an event type (`check-sync`) and its parameters (`reboot=true`) are made of. */
const SIP_TOKEN = "[A-Za-z0-9.!%*_+`'~-]+";
const SIP_EVENT = new RegExp(`^${SIP_TOKEN}(?:;${SIP_TOKEN}(?:=${SIP_TOKEN})?)*$`);
const MAX_SIP_EVENT_LENGTH = 64;

/** A SIP Event header value: an event type, optionally with `;name` or `;name=value` parameters. */
export function assertSipEvent(value: string, argument: string): string {
  if (value.length === 0 || value.length > MAX_SIP_EVENT_LENGTH || !SIP_EVENT.test(value)) {
    refuse(
      argument,
      'format',
      `must be a SIP event of 1 to ${MAX_SIP_EVENT_LENGTH} characters: letters, digits and . ! % * _ + \` ' ~ -, ` +
        'optionally followed by ;name or ;name=value parameters of the same characters',
    );
  }
  return value;
}

/** Kazoo's caller_id schema: a caller ID name or number is at most 35 characters. */
const MAX_CALLER_ID_LENGTH = 35;
/** Letters, marks, digits, punctuation, symbols and spaces: nothing invisible or that breaks a line. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u;
/** Dialable characters, like a dialled number's: digits, letters, `*` and `#`, optionally after a `+`. */
const CALLER_ID_NUMBER = /^\+?[0-9A-Za-z*#]+$/;

/** A caller ID name a phone displays: 1 to 35 printable characters. */
export function assertCallerIdName(value: string, argument: string): string {
  // Counted in characters, as Kazoo's JSON schema counts them, not in UTF-16 units.
  const length = [...value].length;
  if (length === 0 || length > MAX_CALLER_ID_LENGTH || !PRINTABLE.test(value)) {
    refuse(argument, 'format', `must be 1 to ${MAX_CALLER_ID_LENGTH} printable characters`);
  }
  return value;
}

/** A caller ID number a phone displays: 1 to 35 dialable characters. */
export function assertCallerIdNumber(value: string, argument: string): string {
  if (value.length === 0 || value.length > MAX_CALLER_ID_LENGTH || !CALLER_ID_NUMBER.test(value)) {
    refuse(argument, 'format', `must be 1 to ${MAX_CALLER_ID_LENGTH} digits, letters, '*' or '#', optionally after a '+'`);
  }
  return value;
}
