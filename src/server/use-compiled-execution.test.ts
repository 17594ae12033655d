// Compiled execution (from a document's second run) must answer exactly what graphql-js would: the same data and the same errors (message, path,
// code) for every field of a device and a user, for pages with registrations and owners, for Kazoo's refusals and for
// refused variables. Each operation runs both ways on the same simulator, with fresh per-request contexts.
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  execute,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLObjectType,
  isLeafType,
  isObjectType,
  parse,
  validate,
} from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kazooLogin } from '../../test/helpers/harness.js';
import { createContext } from '../graphql/context.js';
import { CursorCodec } from '../graphql/pagination.js';
import { buildGatewaySchema, schemaSource } from '../graphql/schema.js';
import { KazooClient } from '../kazoo/client.js';
import { ListingSizes } from '../loaders/index.js';
import { startSimulator } from '../simulator/index.js';
import type { Simulator } from '../simulator/index.js';
import { useCompiledExecution } from './use-compiled-execution.js';

const schema = buildGatewaySchema();
const compiled = useCompiledExecution(schema, schemaSource);
/** One key for both ways, as a gateway has: the cursors they answer must be the same. */
const cursors = CursorCodec.withRandomKey();
const listingSizes = new ListingSizes();
let simulator: Simulator;
let client: KazooClient;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  client = new KazooClient({ baseUrl: simulator.url, timeoutMs: 5_000 });
  token = await kazooLogin(simulator.url, simulator.demo.apiKey);
});
afterAll(async () => {
  await client.destroy();
  await simulator.close();
});

/** Every field of a type that takes no required argument, objects expanded `depth` levels deep. */
function everyField(schema: GraphQLSchema, typeName: string, depth: number): string {
  const type = schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) throw new Error(`${typeName} is not an object type`);
  const fields: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((argument) => getNullableType(argument.type) !== argument.type)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) fields.push(field.name);
    else if (isObjectType(named) && depth > 0) fields.push(`${field.name} { __typename ${everyField(schema, named.name, depth - 1)} }`);
  }
  return fields.join(' ');
}

/** Both ways, as the JSON a client would receive; `actual` is the gateway's second run, the first compiled one. */
async function bothWays(query: string, variables: Record<string, unknown>): Promise<{ expected: unknown; actual: unknown }> {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error('no operation');
  const expected = await execute({ schema, document, variableValues: variables, contextValue: createContext(client, cursors, listingSizes, token) });
  const run = () =>
    compiled.execute({
      document,
      operation,
      operationName: null,
      request: { query, variables },
      context: createContext(client, cursors, listingSizes, token),
    } as unknown as GatewayGraphQLRequestContext);
  const interpreted = await run();
  const actual = await run();
  // Kazoo's request id is per call, and a registration's expiry, counted to the second from when Kazoo answered, may
  // fall on either side of a second boundary between the runs: the two things that may differ.
  const asClientSees = (result: unknown): unknown =>
    JSON.parse(JSON.stringify(result, (key, value: unknown) => (key === 'requestId' || key === 'expiresAt' ? typeof value : value)));
  expect(asClientSees(interpreted)).toEqual(asClientSees(expected));
  return { expected: asClientSees(expected), actual: asClientSees(actual) };
}

describe('compiled execution', () => {
  it('answers every field of every device and its owner as graphql-js does', async () => {
    const query = `query($a: ID!) { devices(accountId: $a, first: 100) { edges { cursor node { ${everyField(schema, 'Device', 3)} } } pageInfo { hasNextPage endCursor } } }`;
    const { expected, actual } = await bothWays(query, { a: simulator.demo.accountId });
    expect(JSON.stringify(expected)).toContain('"registration"');
    expect(actual).toEqual(expected);
  });

  it('answers every field of every user and their devices as graphql-js does', async () => {
    const query = `query($a: ID!) { users(accountId: $a, first: 100) { edges { node { ${everyField(schema, 'User', 2)} } } } }`;
    const { expected, actual } = await bothWays(query, { a: simulator.demo.accountId });
    expect(actual).toEqual(expected);
  });

  it("reports Kazoo's refusals and the gateway's own with the same message, path and code", async () => {
    const query = `query($a: ID!, $other: ID!) {
      missing: device(accountId: $a, id: "0000000000000000000000000000dead") { id name }
      malformed: device(accountId: $a, id: "../users") { id }
      elsewhere: devices(accountId: $other, first: 1) { edges { node { id } } }
    }`;
    const { expected, actual } = await bothWays(query, { a: simulator.demo.accountId, other: 'ffffffffffffffffffffffffffffffff' });
    expect(expected).toMatchObject({
      errors: [
        { path: ['malformed'], extensions: { code: 'BAD_USER_INPUT' } },
        { path: ['elsewhere'], extensions: { code: 'NOT_FOUND', requestId: 'string' } },
      ],
    });
    expect(actual).toEqual(expected);
  });

  it('refuses a variable of the wrong type with a message that names it, before calling Kazoo', async () => {
    const query = 'query($a: ID!, $first: Int) { devices(accountId: $a, first: $first) { pageInfo { hasNextPage } } }';
    const before = simulator.control.requests.length;
    const { actual } = await bothWays(query, { a: simulator.demo.accountId, first: 'ten' });
    expect(actual).toEqual({
      errors: [expect.objectContaining({ message: expect.stringMatching(/^Variable "\$first" got invalid value "ten"/) })],
    });
    // Only graphql-js's run may have been counted before the refusal: neither reached Kazoo.
    expect(simulator.control.requests.length).toBe(before);
  });

  it('refuses a scalar deep inside an input variable as graphql-js does, naming its input path', async () => {
    const mutation = 'mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { device { name } } }';
    const before = simulator.control.requests.length;
    const { expected, actual } = await bothWays(mutation, { a: simulator.demo.accountId, input: { name: 'Bad MAC', macAddress: 'zz:zz' } });
    expect(actual).toEqual(expected);
    expect(actual).toEqual({
      errors: [expect.objectContaining({ message: expect.stringMatching(/^Variable "\$input" got invalid value "zz:zz" at "input\.macAddress"/) })],
    });
    expect(simulator.control.requests.length).toBe(before);
  });

  it('names the variable when a value inside it is refused, as Apollo needs to answer BAD_USER_INPUT', async () => {
    const query = 'query($a: ID!, $f: DeviceFilter) { devices(accountId: $a, filter: $f) { pageInfo { hasNextPage } } }';
    for (const f of [{ enabled: 'no' }, { registered: 3 }, { deviceType: 'softphone' }]) {
      const { actual } = await bothWays(query, { a: simulator.demo.accountId, f });
      expect(actual).toEqual({ errors: [expect.objectContaining({ message: expect.stringMatching(/^Variable "\$f" got invalid value /) })] });
    }
  });

  it('answers introspection (what GraphiQL asks) as graphql-js does', async () => {
    const { expected, actual } = await bothWays(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), {});
    expect(JSON.stringify(expected)).toContain('"registrationChanged"');
    expect(actual).toEqual(expected);
  });

  it('honours fragments, aliases, __typename and @skip/@include from variables as graphql-js does', async () => {
    const query = `query($a: ID!, $withOwner: Boolean!, $lean: Boolean!) {
      first: devices(accountId: $a, first: 3) { ...page }
      next: devices(accountId: $a, first: 2, filter: { registered: true }) { edges { node { __typename label: name } } }
      me: viewer { __typename ... on Viewer { accountId } }
    }
    fragment page on DeviceConnection {
      edges { cursor node { id owner @include(if: $withOwner) { fullName } sip @skip(if: $lean) { username } } }
    }`;
    for (const flags of [{ withOwner: true, lean: false }, { withOwner: false, lean: true }]) {
      const { expected, actual } = await bothWays(query, { a: simulator.demo.accountId, ...flags });
      expect(actual).toEqual(expected);
    }
  });

  it("runs mutations once per run and reports Kazoo's validation errors with the input path, as graphql-js does", async () => {
    const mutation = `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) {
      device { name deviceType sip { username } } userErrors { field code } } }`;
    const created = (name: string) => ({ a: simulator.demo.accountId, input: { name, deviceType: 'SOFTPHONE', sip: { username: name, password: 'secret-pass' } } });
    const before = simulator.control.requests.filter((request) => request.method === 'PUT').length;
    const document = parse(mutation);
    const operation = getOperationAST(document);
    const viaCompiled = async (variables: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(
          await compiled.execute({
            document,
            operation,
            operationName: null,
            request: { query: mutation, variables },
            context: createContext(client, cursors, listingSizes, token),
          } as unknown as GatewayGraphQLRequestContext),
        ),
      ) as unknown;
    const viaGraphqlJs = await execute({ schema, document, variableValues: created('jsdevice1'), contextValue: createContext(client, cursors, listingSizes, token) });
    const answer = (name: string) => ({ data: { createDevice: { device: { name, deviceType: 'SOFTPHONE', sip: { username: name } }, userErrors: [] } } });
    expect(JSON.parse(JSON.stringify(viaGraphqlJs))).toEqual(answer('jsdevice1'));
    for (const name of ['jitdevice1', 'jitdevice2']) {
      expect(await viaCompiled(created(name))).toEqual(answer(name));
    }
    expect(simulator.control.requests.filter((request) => request.method === 'PUT').length - before).toBe(3);

    const refused = { a: simulator.demo.accountId, input: { sip: { username: 'JITDEVICE1', password: 'abc' } } };
    const expected = JSON.parse(JSON.stringify(await execute({ schema, document, variableValues: refused, contextValue: createContext(client, cursors, listingSizes, token) })));
    expect(expected.data.createDevice.userErrors).toEqual(expect.arrayContaining([{ field: ['input', 'sip', 'username'], code: 'NOT_UNIQUE' }]));
    expect(await viaCompiled(refused)).toEqual(expected);
  });
});
