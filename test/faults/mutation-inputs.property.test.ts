// Property: whatever arguments a client sends to any mutation — random ids (valid, unknown, path-like, unicode),
// random input documents generated from the schema's own input types, values of the wrong type — the gateway answers
// with a GraphQL response and never an internal error, stays up, and nothing reaches Kazoo unvalidated: every request
// in the simulator's log is a known Crossbar route whose ids are 32 lower-case hex characters.
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import type { GraphQLArgument, GraphQLField, GraphQLInputType } from 'graphql';
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
const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'UPSTREAM_REJECTED']);

let harness: Harness;
let deviceIds: string[];
let userIds: string[];

beforeAll(async () => {
  harness = await startHarness();
  const listed = await harness.graphql<{ devices: { nodes: { id: string }[] }; users: { nodes: { id: string }[] } }>(
    'query($a: ID!) { devices(accountId: $a, first: 20) { nodes { id } } users(accountId: $a, first: 10) { nodes { id } } }',
    { a: harness.accountId },
  );
  deviceIds = listed.data?.devices.nodes.map((node) => node.id) ?? [];
  userIds = listed.data?.users.nodes.map((node) => node.id) ?? [];
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
  const selection = isScalarType(getNamedType(field.type)) ? '' : ' { __typename }';
  const query = `mutation${declarations === '' ? '' : `(${declarations})`} { ${field.name}${uses === '' ? '' : `(${uses})`}${selection} }`;
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
      fc.asyncProperty(fc.oneof(...mutations.map(caseArbitrary)), async ({ query, variables }) => {
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
