// The schema as a client discovers it, through the gateway's own introspection (what GraphiQL, codegen and Apollo's
// tooling read): no internal directive shows, scalars carry the descriptions schema.graphql gives them, every instant
// is a DateTime, and the legacy enum values Kazoo still accepts are flagged deprecated, and still accepted.
import { buildSchema, getIntrospectionQuery, isScalarType, specifiedDirectives } from 'graphql';
import type { IntrospectionObjectType, IntrospectionQuery, IntrospectionTypeRef } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaSource } from '../../src/graphql/schema.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
let introspection: IntrospectionQuery;

beforeAll(async () => {
  harness = await startHarness();
  const result = await harness.graphql<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }));
  if (result.data == null) throw new Error(`introspection failed: ${JSON.stringify(result.errors)}`);
  introspection = result.data;
});
afterAll(() => harness.close());

const sdl = buildSchema(schemaSource);

function namedType(ref: IntrospectionTypeRef): string {
  return 'ofType' in ref && ref.ofType != null ? namedType(ref.ofType) : (ref as { name: string }).name;
}

function enumValues(name: string): { name: string; isDeprecated: boolean; deprecationReason: string | null }[] {
  const type = introspection.__schema.types.find((candidate) => candidate.name === name);
  if (type?.kind !== 'ENUM') throw new Error(`${name} is not an enum`);
  return type.enumValues.map(({ name: value, isDeprecated, deprecationReason }) => ({ name: value, isDeprecated, deprecationReason: deprecationReason ?? null }));
}

describe('introspection', () => {
  it("shows none of the gateway's own mapping directives, only GraphQL's", () => {
    const served = introspection.__schema.directives.map((directive) => directive.name);
    expect(served.sort()).toEqual(specifiedDirectives.map((directive) => directive.name).sort());
  });

  it('describes every custom scalar as schema.graphql does', () => {
    const custom = Object.values(sdl.getTypeMap()).filter(
      (type) => isScalarType(type) && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name),
    );
    expect(custom.map((type) => type.name).sort()).toEqual(['DateTime', 'IP', 'IPv4', 'JSON', 'Locale', 'MAC', 'TimeZone', 'URL']);
    for (const scalar of custom) {
      const served = introspection.__schema.types.find((type) => type.name === scalar.name);
      expect(served?.description, scalar.name).toBe(scalar.description);
    }
  });

  it('types every instant as DateTime', () => {
    const instants = introspection.__schema.types
      .filter((type): type is IntrospectionObjectType => type.kind === 'OBJECT' && !type.name.startsWith('__'))
      .flatMap((type) => type.fields.filter((field) => field.name === 'at' || field.name.endsWith('At')).map((field) => [`${type.name}.${field.name}`, namedType(field.type)]));
    expect(instants).toEqual(expect.arrayContaining([['RegistrationEvent.at', 'DateTime'], ['Registration.expiresAt', 'DateTime']]));
    expect(instants.filter(([, type]) => type !== 'DateTime')).toEqual([]);
  });

  it('flags the older codec names and the string bypass mode as deprecated, saying what to use instead', () => {
    const deprecated = (name: string) => enumValues(name).filter((value) => value.isDeprecated);
    expect(deprecated('AudioCodec').map((value) => value.name)).toEqual(['G722_16', 'G722_32', 'CELT_48', 'CELT_64', 'SPEEX_CAPITALISED']);
    expect(deprecated('AudioCodec').find((value) => value.name === 'G722_16')?.deprecationReason).toContain('G7221_AT_16000H');
    expect(deprecated('BypassMedia')).toEqual([{ name: 'AUTO', isDeprecated: true, deprecationReason: expect.stringContaining('`ON` or `OFF`') }]);
    expect(enumValues('AudioCodec').filter((value) => !value.isDeprecated)).toHaveLength(14);
  });
});

describe('behind the hidden directives', () => {
  it('still maps names and values to Kazoo, deprecated values included', async () => {
    const result = await harness.graphql<{ createDevice: { device: { raw: Record<string, unknown>; media: unknown; callRestriction: unknown } } }>(
      `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { device {
        raw media { audio { codecs } bypassMedia } callRestriction { classifier action } } } }`,
      {
        a: harness.accountId,
        input: {
          name: 'Legacy codecs',
          media: { audio: { codecs: ['G722_16', 'PCMU'] }, bypassMedia: 'AUTO' },
          callRestriction: [{ classifier: 'international', action: 'DENY' }],
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createDevice.device.raw).toMatchObject({
      media: { audio: { codecs: ['G722_16', 'PCMU'] }, bypass_media: 'auto' },
      call_restriction: { international: { action: 'deny' } },
    });
    expect(result.data?.createDevice.device.media).toEqual({ audio: { codecs: ['G722_16', 'PCMU'] }, bypassMedia: 'AUTO' });
    expect(result.data?.createDevice.device.callRestriction).toEqual([{ classifier: 'international', action: 'DENY' }]);
  });
});
