// The example operations GraphiQL ships with must stay runnable: each is valid against schema.graphql and its
// variables name what it declares; in demo mode they target the demo account with the demo token.
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
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

  it('carry the demo token and account in demo mode, and an empty token to fill in otherwise', () => {
    for (const tab of exampleTabs(demo)) {
      expect(tokenFromHeaders(JSON.parse(tab.headers) as Record<string, unknown>)).toBe('demo-token');
      if (tab.variables !== '') expect(JSON.parse(tab.variables)).toMatchObject({ accountId: demo.accountId });
    }
    for (const tab of exampleTabs(null)) {
      expect(tokenFromHeaders(JSON.parse(tab.headers) as Record<string, unknown>)).toBeUndefined();
    }
  });
});
