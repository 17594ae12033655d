// Relay's compiler over a set of fragments a Relay app of this API would write: connections on `devices` and `users`
// (at the root and through `viewer { account }`), refetchable Device, User and Account fragments, `node`/`nodes`
// queries, and mutations that append or delete edges. It must compile against schema.graphql; and the same set must
// fail, with the compiler's own message, against a schema that lost what Relay needs (a regression this catches).
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, print, visit } from 'graphql';
import type { ASTVisitor } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';

const RELAY_COMPILER = fileURLToPath(new URL('../../node_modules/.bin/relay-compiler', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** Relay's module rule: a fragment is `<Module>_<prop>`, an operation `<Module>Query` (or Mutation, Subscription). */
const MODULES: Record<string, string[]> = {
  DeviceCard: [
    `fragment DeviceCard_device on Device @refetchable(queryName: "DeviceCardRefetchQuery") {
      id kazooId name deviceType kazooDeviceType enabled
      registration { id registered userAgent expiresAt }
      owner { ...UserCard_user }
    }`,
  ],
  UserCard: [
    `fragment UserCard_user on User @refetchable(queryName: "UserCardRefetchQuery") {
      id kazooId fullName email hotdesk { hotdeskId requirePin }
    }`,
  ],
  DeviceList: [
    `fragment DeviceList_query on Query
      @refetchable(queryName: "DeviceListPaginationQuery")
      @argumentDefinitions(
        count: { type: "Int", defaultValue: 25 }
        cursor: { type: "String" }
        filter: { type: "DeviceFilter" }
        orderBy: { type: "DeviceOrder" }
      ) {
      devices(first: $count, after: $cursor, filter: $filter, orderBy: $orderBy)
        @connection(key: "DeviceList_devices", filters: ["filter", "orderBy"]) {
        edges { node { id ...DeviceCard_device } }
      }
    }`,
  ],
  UserList: [
    `fragment UserList_query on Query
      @refetchable(queryName: "UserListPaginationQuery")
      @argumentDefinitions(count: { type: "Int", defaultValue: 25 }, cursor: { type: "String" }, search: { type: "String" }) {
      users(first: $count, after: $cursor, filter: { search: $search }) @connection(key: "UserList_users") {
        edges { node { id ...UserCard_user } }
      }
    }`,
  ],
  AccountDevices: [
    `fragment AccountDevices_account on Account
      @refetchable(queryName: "AccountDevicesPaginationQuery")
      @argumentDefinitions(count: { type: "Int", defaultValue: 25 }, cursor: { type: "String" }) {
      id name
      registrationSummary { total registered unregistered disabled }
      devices(first: $count, after: $cursor) @connection(key: "AccountDevices_devices") {
        edges { node { id ...DeviceCard_device } }
      }
    }`,
  ],
  AccountUsers: [
    `fragment AccountUsers_account on Account
      @refetchable(queryName: "AccountUsersPaginationQuery")
      @argumentDefinitions(count: { type: "Int", defaultValue: 25 }, cursor: { type: "String" }) {
      users(first: $count, after: $cursor) @connection(key: "AccountUsers_users") {
        edges { node { id ...UserCard_user } }
      }
    }`,
  ],
  AccountScreen: [`query AccountScreenQuery { viewer { account { ...AccountDevices_account ...AccountUsers_account } } }`],
  ListsScreen: [`query ListsScreenQuery { ...DeviceList_query ...UserList_query }`],
  DeviceScreen: [`query DeviceScreenQuery($id: ID!) { node(id: $id) { id ...DeviceCard_device @alias } }`],
  Selection: [`query SelectionQuery($ids: [ID!]!) { nodes(ids: $ids) { id ...DeviceCard_device @alias ...UserCard_user @alias } }`],
  CreateDevice: [
    `mutation CreateDeviceMutation($input: DeviceInput!, $connections: [ID!]!) {
      createDevice(input: $input) {
        deviceEdge @appendEdge(connections: $connections) { cursor node { id ...DeviceCard_device } }
        userErrors { field code message }
      }
    }`,
  ],
  DeleteDevice: [
    `mutation DeleteDeviceMutation($id: ID!) {
      deleteDevice(id: $id) { deletedDeviceId @deleteRecord userErrors { field code message } }
    }`,
  ],
  LiveRegistrations: [
    `subscription LiveRegistrationsSubscription { registrationChanged(initial: true) { deviceId registration { id registered userAgent } } }`,
  ],
};

interface Run {
  status: number;
  /** What the compiler printed (stdout and stderr), without colours. */
  output: string;
}

function relayCompiler(cwd: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(RELAY_COMPILER, ['--output', 'quiet-with-errors', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      // The compiler colours its messages even into a pipe.
      resolve({ status, output: `${stdout}${stderr}`.replace(/\u001b\[[0-9;]*m/g, '') });
    });
  });
}

const projects: string[] = [];
afterAll(() => Promise.all(projects.map((project) => rm(project, { recursive: true, force: true }))));

/** A Relay project of the fragment set over `schema`; compiles it, then validates that its artifacts are current. */
async function compileFragments(schema: string): Promise<Run> {
  const project = await mkdtemp(join(tmpdir(), 'relay-'));
  projects.push(project);
  await mkdir(join(project, 'src'));
  await writeFile(join(project, 'schema.graphql'), schema);
  await writeFile(join(project, 'relay.config.json'), JSON.stringify({ src: './src', schema: './schema.graphql', language: 'typescript' }));
  for (const [module, documents] of Object.entries(MODULES)) {
    const source = documents.map((document, index) => `export const document${index} = graphql\`\n${document}\n\`;\n`).join('');
    await writeFile(join(project, 'src', `${module}.ts`), `import { graphql } from 'relay-runtime';\n${source}`);
  }
  // --validate alone fails on artifacts not yet written: write them, then check the compiler finds them current.
  const compiled = await relayCompiler(project);
  return compiled.status === 0 ? relayCompiler(project, ['--validate']) : compiled;
}

/** schema.graphql with an edit made to its syntax tree. */
async function regressedSchema(edit: ASTVisitor): Promise<string> {
  return print(visit(parse(await readFile(SCHEMA, 'utf8')), edit));
}

describe('relay-compiler', () => {
  it('compiles connections, refetchable fragments, node queries and edge mutations against schema.graphql', async () => {
    const run = await compileFragments(await readFile(SCHEMA, 'utf8'));
    expect(run).toEqual({ status: 0, output: expect.not.stringContaining('ERROR') });
  });

  it('fails, in its own words, on a schema whose PageInfo has no backward fields', async () => {
    const run = await compileFragments(
      await regressedSchema({
        ObjectTypeDefinition: (type) =>
          type.name.value !== 'PageInfo'
            ? undefined
            : { ...type, fields: type.fields?.filter((field) => !['hasPreviousPage', 'startCursor'].includes(field.name.value)) },
      }),
    );
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("Expected the field type 'DeviceConnection' to expose a 'pageInfo { hasPreviousPage }' field");
  });

  it('fails, in its own words, on a schema whose Device is not a Node', async () => {
    const run = await compileFragments(
      await regressedSchema({
        ObjectTypeDefinition: (type) => (type.name.value === 'Device' ? { ...type, interfaces: [] } : undefined),
      }),
    );
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("Invalid fragment spread 'DeviceCard_device', the type of this fragment ('Device') can never occur for parent type 'Node'");
  });
});
