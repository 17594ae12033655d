// The cost rules fail closed: every field of the schema is costed, and a field that may call Kazoo without a rule of
// its own is named, so the gateway refuses to start rather than let it run free.
import { extendSchema, getNamedType, getOperationAST, isListType, isNonNullType, isObjectType, parse } from 'graphql';
import type { GraphQLField, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { kazooKeyOf } from '../graphql/kazoo-mapping.js';
import { buildGatewaySchema } from '../graphql/schema.js';
import { COST_RULES, compileCostRules, costModelFor, hasGatewayResolver, isDocumentType, UncostedFieldsError } from './cost-rules.js';
import type { HasOwnResolver } from './cost-rules.js';
import { analyseOperation } from './operation-cost.js';

const schema = buildGatewaySchema();
const A = '0123456789abcdef0123456789abcdef';

function extended(sdl: string): GraphQLSchema {
  return extendSchema(schema, parse(sdl), { assumeValidSDL: true });
}

/** The gateway's resolvers, plus the ones a test pretends were added. */
function withResolvers(...coordinates: string[]): HasOwnResolver {
  return (type, field) => coordinates.includes(`${type}.${field}`) || hasGatewayResolver(type, field);
}

const objectTypes = (of: GraphQLSchema): GraphQLObjectType[] =>
  Object.values(of.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));

const isList = (field: GraphQLField<unknown, unknown>): boolean =>
  isListType(isNonNullType(field.type) ? field.type.ofType : field.type);

describe('the schema as it is', () => {
  it('has no field that may call Kazoo without a rule, and no rule for a field it lacks', () => {
    expect(compileCostRules(schema).problems).toEqual([]);
    expect(() => costModelFor(schema)).not.toThrow();
  });

  it('walked whole: every list field of objects that may call Kazoo, and every root field, has an explicit rule', () => {
    const rules = compileCostRules(schema);
    const unruled: string[] = [];
    for (const type of objectTypes(schema)) {
      for (const field of Object.values(type.getFields())) {
        expect(rules.ruleOf(type, field.name), `${type.name}.${field.name}`).toBeDefined();
        const leadsToKazoo = rules.costly.has(getNamedType(field.type).name);
        const root = type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
        if ((root || (isList(field) && leadsToKazoo)) && rules.originOf(type, field.name) !== 'explicit') {
          unruled.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(unruled).toEqual([]);
  });

  it('walked whole: every field of a device or user is costed by what it reads of the document', () => {
    const rules = compileCostRules(schema);
    const documentTypes = objectTypes(schema).filter(isDocumentType);
    expect(documentTypes.map((type) => type.name).sort()).toEqual(['Device', 'User']);
    for (const type of documentTypes) {
      for (const field of Object.values(type.getFields())) {
        const rule = rules.ruleOf(type, field.name);
        if (rules.originOf(type, field.name) === 'explicit') expect(rule?.reads, `${type.name}.${field.name}`).toBeDefined();
        else expect(rule, `${type.name}.${field.name}`).toEqual({ reads: [kazooKeyOf(schema, field)] });
      }
    }
  });

  it('knows which types may lead to Kazoo calls, through interfaces too, and which cannot', () => {
    const { costly } = compileCostRules(schema);
    for (const name of ['Device', 'User', 'Account', 'Node', 'DeviceConnection', 'DeviceHotdesk', 'Quickcall']) expect(costly).toContain(name);
    for (const name of ['PageInfo', 'UserError', 'AccessToken', 'RegistrationSummary', 'SipSettings']) expect(costly).not.toContain(name);
  });
});

describe('a field added without a rule', () => {
  it('is named when it has a resolver of its own, whatever it returns', () => {
    const added = extended('extend type Device { twin: String }');
    expect(compileCostRules(added, withResolvers('Device.twin')).problems).toEqual(['Device.twin: has a resolver of its own but no cost rule']);
  });

  it('in a Kazoo sub-object, makes the way to that sub-object need a rule too', () => {
    const added = extended('extend type SipSettings { realmName: String }');
    expect(compileCostRules(added, withResolvers('SipSettings.realmName')).problems).toEqual([
      'Device.sip: yields SipSettings, which may call Kazoo, but has no cost rule',
      'SipSettings.realmName: has a resolver of its own but no cost rule',
    ]);
  });

  it('is named when it is a list of objects that may call Kazoo, even without a resolver', () => {
    expect(compileCostRules(extended('extend type Device { twins: [Device!] }')).problems).toEqual([
      'Device.twins: yields a list of Device, which may call Kazoo, but has no cost rule',
    ]);
    expect(compileCostRules(extended('extend type Registration { neighbours: [Node] }')).problems).toEqual([
      'Registration.neighbours: yields a list of Node, which may call Kazoo, but has no cost rule',
    ]);
  });

  it('is named when it leads to a document from a built type', () => {
    expect(compileCostRules(extended('extend type Registration { owner: User }')).problems).toEqual([
      'Registration.owner: yields User, which may call Kazoo, but has no cost rule',
    ]);
  });

  it('is named when a rule on a device or user does not say what it reads', () => {
    const forgetful = { ...COST_RULES, User: { ...COST_RULES.User, raw: {} } };
    expect(compileCostRules(schema, hasGatewayResolver, forgetful).problems).toEqual([
      'User.raw: its cost rule does not say what it reads of the document',
    ]);
  });

  it('is named at the root, and a rule for a field that is gone is named too', () => {
    const added = extended('extend type Query { ping: Boolean }');
    const stale = { ...COST_RULES, Device: { ...COST_RULES.Device, gone: {} } };
    expect(compileCostRules(added, hasGatewayResolver, stale).problems).toEqual([
      'Device.gone: a cost rule for a field the schema does not have',
      'Query.ping: a root field without a cost rule',
    ]);
  });

  it('keeps the gateway from costing anything with that schema', () => {
    const added = extended('extend type Device { twins: [Device!] }');
    expect(() => costModelFor(added)).toThrow(UncostedFieldsError);
    const document = parse(`{ device(accountId: "${A}", id: "${A}") { id } }`);
    const operation = getOperationAST(document);
    if (operation == null) throw new Error('no operation');
    expect(() => analyseOperation(added, document, operation)).toThrow(/Device\.twins/);
  });

  it('needs none when it only reads a key of a device: it costs the document read a listing row cannot answer', () => {
    const added = extended('extend type Device { nickname: String }');
    expect(compileCostRules(added).problems).toEqual([]);
    const cost = (fields: string) => {
      const document = parse(`{ devices(accountId: "${A}", first: 50) { nodes { ${fields} } } }`);
      const operation = getOperationAST(document);
      if (operation == null) throw new Error('no operation');
      return analyseOperation(added, document, operation).cost;
    };
    expect(cost('name')).toBe(1);
    expect(cost('name nickname')).toBe(51);
  });
});
