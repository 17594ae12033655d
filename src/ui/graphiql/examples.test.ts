// The example operations GraphiQL ships with must stay runnable: each is valid against schema.graphql and its
// variables name what it declares; they need no account id (the token's account is meant), are trusted documents,
// and run as they are against a gateway with the demo token.
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../../test/helpers/harness.js';
import type { Harness } from '../../../test/helpers/harness.js';
import { exampleTabs } from './examples.js';
import { tokenFromHeaders } from './fetcher.js';

const schema = buildSchema(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'));
const demo = { token: 'demo-token', accountId: 'c'.repeat(32) };

describe('GraphiQL examples', () => {
  it('list devices, update a device and subscribe to registrations', () => {
    const operations = exampleTabs(demo).map((tab) => parse(tab.query).definitions[0] as OperationDefinitionNode);
    expect(operations.map((operation) => [operation.operation, operation.name?.value])).toEqual([
      ['query', 'DevicesWithRegistration'],
      ['query', 'Viewer'],
      ['mutation', 'UpdateDevice'],
      ['subscription', 'WatchRegistrations'],
    ]);
  });

  it.each(exampleTabs(demo).map((tab) => [/^(query|mutation|subscription) \w+/m.exec(tab.query)?.[0], tab]))(
    '%s is valid against the schema and its variables match',
    (_title, tab) => {
      const document = parse(tab.query);
      const operation = document.definitions[0] as OperationDefinitionNode;
      // graphql 16's validation skips the fields of an operation type the schema does not have.
      expect(schema.getRootType(operation.operation)).toBeDefined();
      expect(validate(schema, document)).toEqual([]);
      const declared = operation.variableDefinitions?.map((definition) => definition.variable.name.value) ?? [];
      const given = Object.keys(tab.variables === '' ? {} : (JSON.parse(tab.variables) as object));
      expect(given.every((name) => declared.includes(name))).toBe(true);
    },
  );

  it('are trusted documents: each is in the manifest codegen generates for the UI build (`npm run codegen`)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../generated/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>;
    const trusted = Object.values(manifest).flatMap((text) =>
      parse(text).definitions.flatMap((definition) => (definition.kind === 'OperationDefinition' ? [definition.name?.value] : [])),
    );
    const examples = exampleTabs(demo).map((tab) => (parse(tab.query).definitions[0] as OperationDefinitionNode).name?.value);
    expect(trusted).toEqual(expect.arrayContaining(examples));
  });

  it('carry the demo token in demo mode, an empty token to fill in otherwise, and no account id', () => {
    for (const tab of exampleTabs(demo)) {
      expect(tokenFromHeaders(JSON.parse(tab.headers) as Record<string, unknown>)).toBe('demo-token');
      expect(tab.query).not.toContain('accountId:');
      expect(tab.variables === '' ? {} : JSON.parse(tab.variables)).not.toHaveProperty('accountId');
    }
    for (const tab of exampleTabs(null)) {
      expect(tokenFromHeaders(JSON.parse(tab.headers) as Record<string, unknown>)).toBeUndefined();
    }
  });
});

describe('GraphiQL examples against a gateway', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  /** Runs a tab as GraphiQL would, with its own variables. */
  const run = <T>(title: string) => {
    const tab = exampleTabs(demo).find((each) => each.query.includes(title));
    if (tab === undefined) throw new Error(`no ${title} tab`);
    return harness.graphql<T>(tab.query, tab.variables === '' ? {} : (JSON.parse(tab.variables) as Record<string, unknown>));
  };

  it('answer the token’s account, its counts and its devices with no error', async () => {
    const devices = await run<{ viewer: { account: { name: string; registrationSummary: { total: number }; devices: { nodes: unknown[] } } } }>(
      'query DevicesWithRegistration',
    );
    expect(devices.errors).toBeUndefined();
    const account = devices.data?.viewer.account;
    expect(account?.name).toBe(harness.simulator.demo.accountName);
    expect(account?.devices.nodes).toHaveLength(Math.min(50, account?.registrationSummary.total ?? 0));
    const viewer = await run('query Viewer');
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data).toMatchObject({ viewer: { accountId: harness.accountId, account: { kazooId: harness.accountId } } });
  });

  it('show a refused input as a userError of the mutation’s payload, as they come', async () => {
    const update = await run('mutation UpdateDevice');
    expect(update.errors).toBeUndefined();
    expect(update.data).toMatchObject({ updateDevice: { device: null, userErrors: [{ field: ['id'], code: 'INVALID_FORMAT' }] } });
  });
});
