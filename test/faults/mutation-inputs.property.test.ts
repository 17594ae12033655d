// Property: whatever arguments a client sends to any mutation — random ids (valid, unknown, path-like, unicode),
// random input documents generated from the schema's own input types, values of the wrong type — the gateway answers
// with a GraphQL response and never an internal error, stays up, and nothing reaches Kazoo unvalidated: every request
// in the simulator's log is a known Crossbar route whose ids are 32 lower-case hex characters, and no request is sent
// at all when a string holds a control character.
// And, exhaustively: a CR, LF or NUL in each string argument and string input field of each mutation (found from the
// schema, so a new one is covered) is refused as a CONTROL_CHARACTER userError naming that field's path, and nothing
// reaches Kazoo; the two documented exceptions are the NOTIFY body text (line breaks allowed, NUL refused) and the
// login password (hashed).
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import type { GraphQLArgument, GraphQLField, GraphQLInputObjectType, GraphQLInputType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

const H = '[0-9a-f]{32}';
const DIALLED = '(?:%2B)?(?:[0-9A-Za-z*]|%23){1,64}';
/** Every Crossbar call a mutation may make: method and path shape. */
const ROUTES: [string, RegExp][] = [
  ['PUT', /^\/v2\/(user_auth|api_auth)$/],
  ['PUT', new RegExp(`^/v2/accounts/${H}/(devices|users)$`)],
  ['GET|POST|PATCH|DELETE|PUT', new RegExp(`^/v2/accounts/${H}/(devices|users)/${H}$`)],
  ['POST', new RegExp(`^/v2/accounts/${H}/devices/${H}/(sync|presence)$`)],
  ['GET', new RegExp(`^/v2/accounts/${H}/devices/${H}/quickcall/${DIALLED}$`)],
];
/**
 * Top-level codes: GraphQL's own refusal of ill-typed variables, and what Kazoo may answer that the input cannot fix.
 * Everything else (bad ids, unknown objects, Kazoo's validation, refused logins) is a userError of the payload.
 */
const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'UPSTREAM_REJECTED']);

/** The documented exceptions to the control-character rule, as `mutation.argument.field` paths. */
const MULTILINE = new Set(['notifyDevice.body.data']);
const HASHED = new Set(['loginWithCredentials.password']);
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTER_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Whether a mutation's variables hold a string (or object key) the gateway must refuse, exceptions left out. */
function holdsControlCharacter(mutation: string, value: unknown, path: string): boolean {
  if (typeof value === 'string') {
    if (HASHED.has(`${mutation}.${path}`)) return false;
    return (MULTILINE.has(`${mutation}.${path}`) ? CONTROL_CHARACTER_BUT_LINE_BREAKS : CONTROL_CHARACTER).test(value);
  }
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, item]) => {
    const at = Array.isArray(value) ? path : `${path === '' ? '' : `${path}.`}${key}`;
    return (!Array.isArray(value) && CONTROL_CHARACTER.test(key)) || holdsControlCharacter(mutation, item, at);
  });
}

let harness: Harness;
let deviceIds: string[];
let userIds: string[];

beforeAll(async () => {
  harness = await startHarness();
  const listed = await harness.graphql<{ devices: { nodes: { kazooId: string }[] }; users: { nodes: { kazooId: string }[] } }>(
    'query($a: ID!) { devices(accountId: $a, first: 20) { nodes { kazooId } } users(accountId: $a, first: 10) { nodes { kazooId } } }',
    { a: harness.accountId },
  );
  deviceIds = listed.data?.devices.nodes.map((node) => node.kazooId) ?? [];
  userIds = listed.data?.users.nodes.map((node) => node.kazooId) ?? [];
});
afterAll(() => harness.close());

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const pathLike = fc.constantFrom('../users', '..%2F..', '%2e%2e', 'a/b', '?x=1', '#frag', ' ', '', '0123456789ABCDEF0123456789ABCDEF');
const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40, unit: 'binary' }), pathLike);

function idArbitrary(name: string): fc.Arbitrary<string> {
  if (name === 'accountId') return fc.oneof({ weight: 6, arbitrary: fc.constant('') }, hex32, junk).map((id) => id || harness.accountId);
  const known = fc.constantFrom(...deviceIds, ...userIds);
  return fc.oneof({ weight: 3, arbitrary: known }, hex32, junk, hex32.map((id) => `${id}/sync`), hex32.map((id) => id.slice(1)));
}

const dialled = fc.oneof(fc.constantFrom('1000', '+14155550123', '*97', '#1'), fc.stringMatching(/^\+?[0-9A-Za-z*#]{1,64}$/), junk);

/** A value for an input type, following the schema: every field optional unless non-null, lists short. */
function inputArbitrary(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueArbitrary(type.ofType, depth);
  return fc.option(valueArbitrary(type, depth), { nil: null, freq: 6 });
}

function valueArbitrary(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) return fc.array(inputArbitrary(type.ofType, depth + 1), { maxLength: 3 });
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((value) => value.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    if (depth > 4) {
      const required = fields.filter((field) => isNonNullType(field.type));
      return fc.record(Object.fromEntries(required.map((field) => [field.name, inputArbitrary(field.type, depth + 1)])));
    }
    return fc.record(Object.fromEntries(fields.map((field) => [field.name, inputArbitrary(field.type, depth + 1)])), {
      requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
    });
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return idArbitrary('id');
      case 'Int':
        return fc.integer();
      case 'Float':
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case 'Boolean':
        return fc.boolean();
      case 'JSON':
        return fc.jsonValue({ maxDepth: 2 });
      case 'DateTime':
        return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      default:
        return junk;
    }
  }
  throw new Error(`no arbitrary for ${String(type)}`);
}

function argumentArbitrary(argument: GraphQLArgument): fc.Arbitrary<unknown> {
  const named = getNamedType(argument.type);
  const wellTyped =
    named.name === 'ID' ? idArbitrary(argument.name) : argument.name === 'number' ? dialled : inputArbitrary(argument.type, 0);
  // Now and then a value of the wrong type, which GraphQL itself must refuse.
  return fc.oneof({ weight: 9, arbitrary: wellTyped }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
}

interface Case {
  mutation: string;
  query: string;
  variables: Record<string, unknown>;
}

function caseArbitrary(field: GraphQLField<unknown, unknown>): fc.Arbitrary<Case> {
  const declarations = field.args.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
  const uses = field.args.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  const query = `mutation${declarations === '' ? '' : `(${declarations})`} { ${field.name}${uses === '' ? '' : `(${uses})`} { userErrors { field code } } }`;
  return fc
    .record(Object.fromEntries(field.args.map((argument) => [argument.name, argumentArbitrary(argument)])), {
      requiredKeys: field.args.filter((argument) => isNonNullType(argument.type)).map((argument) => argument.name),
    })
    .map((variables) => ({ mutation: field.name, query, variables }));
}

describe('random arguments to every mutation', () => {
  it('are answered as GraphQL, never crash anything, and reach Kazoo only as validated Crossbar routes', async () => {
    const mutations = Object.values(buildGatewaySchema().getMutationType()?.getFields() ?? {});
    expect(mutations.length).toBeGreaterThanOrEqual(14);
    harness.simulator.control.resetRequests();
    let checked = 0;

    await fc.assert(
      fc.asyncProperty(fc.oneof(...mutations.map(caseArbitrary)), async ({ mutation, query, variables }) => {
        const response = await fetch(`${harness.gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
          body: JSON.stringify({ query, variables }),
        });
        expect([200, 400]).toContain(response.status);
        const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        expect('data' in body || 'errors' in body).toBe(true);
        for (const error of body.errors ?? []) expect(EXPECTED_CODES, JSON.stringify(body)).toContain(error.extensions?.code);

        const sent = harness.simulator.control.requests.slice(checked);
        checked += sent.length;
        if (holdsControlCharacter(mutation, variables, '')) expect(sent, JSON.stringify(variables)).toEqual([]);
        for (const request of sent) {
          const known = ROUTES.some(([methods, path]) => methods.split('|').includes(request.method) && path.test(request.path));
          expect(known, `${request.method} ${request.path}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );

    expect((await fetch(`${harness.gateway.url}/healthz`)).status).toBe(200);
    const after = await harness.graphql('{ viewer { accountId } }');
    expect(after.errors).toBeUndefined();
  }, 180_000);
});

/** One place a mutation takes a string: an argument, or an input field below one (list items as index 0). */
interface StringSite {
  mutation: GraphQLField<unknown, unknown>;
  /** The path the client writes, e.g. `['input', 'sip', 'customSipHeaders', 'in', 0, 'value']`. */
  path: (string | number)[];
  /** A JSON value: the string goes inside it, under `probe`. */
  json: boolean;
}

function stringSites(mutation: GraphQLField<unknown, unknown>): StringSite[] {
  const sites: StringSite[] = [];
  const visit = (type: GraphQLInputType, path: (string | number)[], enclosing: ReadonlySet<string>): void => {
    const nullable = isNonNullType(type) ? type.ofType : type;
    if (isListType(nullable)) visit(nullable.ofType, [...path, 0], enclosing);
    else if (isInputObjectType(nullable)) {
      if (enclosing.has(nullable.name)) return;
      for (const field of Object.values(nullable.getFields())) visit(field.type, [...path, field.name], new Set([...enclosing, nullable.name]));
    } else if (isScalarType(nullable) && ['String', 'ID', 'JSON'].includes(nullable.name)) {
      sites.push({ mutation, path, json: nullable.name === 'JSON' });
    }
  };
  for (const argument of mutation.args) visit(argument.type, [argument.name], new Set());
  return sites;
}

/** A value GraphQL accepts for a required argument or field that the case does not aim at. */
function filler(type: GraphQLInputType): unknown {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) return [];
  if (isEnumType(nullable)) return nullable.getValues()[0]?.name;
  if (isInputObjectType(nullable)) return requiredFields(nullable);
  switch (nullable.name) {
    case 'Int':
    case 'Float':
      return 5;
    case 'Boolean':
      return false;
    case 'JSON':
      return {};
    case 'ID':
      return harness.accountId;
    default:
      return 'x';
  }
}

function requiredFields(type: GraphQLInputObjectType): Record<string, unknown> {
  const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
  return Object.fromEntries(fields.map((field) => [field.name, filler(field.type)]));
}

/** `current` with `leaf` written at `path` below it, creating the objects and one-item lists on the way. */
function withLeaf(type: GraphQLInputType, current: unknown, path: (string | number)[], leaf: unknown): unknown {
  const nullable = isNonNullType(type) ? type.ofType : type;
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  if (isListType(nullable)) return [withLeaf(nullable.ofType, undefined, rest, leaf)];
  if (!isInputObjectType(nullable)) throw new Error(`no field ${String(head)} in ${String(type)}`);
  const base = (current as Record<string, unknown> | undefined) ?? requiredFields(nullable);
  const field = nullable.getFields()[String(head)];
  if (field === undefined) throw new Error(`no field ${String(head)} in ${nullable.name}`);
  return { ...base, [head]: withLeaf(field.type, base[String(head)], rest, leaf) };
}

/** Arguments that would succeed: real ids, the demo credentials, a dialable number, a SIP event. */
function validArguments(mutation: GraphQLField<unknown, unknown>): Record<string, unknown> {
  const known: Record<string, unknown> = {
    accountId: harness.accountId,
    id: mutation.name.endsWith('User') ? userIds[0] : deviceIds[0],
    deviceId: deviceIds[0],
    number: '1000',
    event: 'check-sync',
    apiKey: harness.simulator.demo.apiKey,
    username: 'admin',
    password: 'kazoo-demo',
    accountName: 'demo',
  };
  const required = mutation.args.filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);
  return Object.fromEntries(required.map((argument) => [argument.name, argument.name in known ? known[argument.name] : filler(argument.type)]));
}

describe('a CR, LF or NUL in any string a mutation takes', () => {
  it('is refused as a CONTROL_CHARACTER userError naming the field, and nothing reaches Kazoo', async () => {
    const mutations = Object.values(buildGatewaySchema().getMutationType()?.getFields() ?? {});
    const sites = mutations.flatMap(stringSites);
    // Enough to know the walk found the input types' fields, not only the top-level arguments.
    expect(sites.length).toBeGreaterThan(200);
    const wrong: string[] = [];

    for (const site of sites) {
      const [argumentName] = site.path;
      const argument = site.mutation.args.find((candidate) => candidate.name === argumentName);
      if (argument === undefined) throw new Error(`no argument ${String(argumentName)}`);
      const field = site.path.join('.');
      const named = [...(site.json ? [...site.path, 'probe'] : site.path)].join('.');
      const coordinates = `${site.mutation.name}.${site.path.filter((segment) => typeof segment === 'string').join('.')}`;
      for (const character of ['\r', '\n', '\u0000']) {
        const text = `a${character}b`;
        const variables = validArguments(site.mutation);
        variables[argument.name] = withLeaf(argument.type, variables[argument.name], site.path.slice(1), site.json ? { probe: text } : text);
        const declarations = site.mutation.args.map((candidate) => `$${candidate.name}: ${String(candidate.type)}`).join(', ');
        const uses = site.mutation.args.map((candidate) => `${candidate.name}: $${candidate.name}`).join(', ');
        harness.simulator.control.resetRequests();
        const result = await harness.graphql<Record<string, { userErrors: { field: string[] | null; code: string }[] }>>(
          `mutation(${declarations}) { ${site.mutation.name}(${uses}) { userErrors { field code } } }`,
          variables,
        );
        const userErrors = result.data?.[site.mutation.name]?.userErrors ?? [];
        const refusedHere = userErrors.some((userError) => userError.code === 'CONTROL_CHARACTER' && userError.field?.join('.') === named);
        const sent = harness.simulator.control.requests.length;
        const exempt = HASHED.has(coordinates) || (MULTILINE.has(coordinates) && character !== '\u0000');
        if (exempt ? refusedHere : !refusedHere || sent > 0) {
          wrong.push(`${JSON.stringify(character)} in ${site.mutation.name} ${field}: ${exempt ? 'refused' : `${JSON.stringify(result.errors ?? result.data)}, ${sent} sent`}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
