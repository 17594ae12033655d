// The typed scalars over Kazoo's string fields, as a client meets them: a value that is not a MAC address, an IP
// address, a time zone, a language or an upload URL is refused before anything reaches Kazoo; what is sent is a form
// Kazoo works with; and whatever Kazoo holds comes back readable: canonical when valid, as stored otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const TYPED_FIELDS = `kazooId macAddress timezone language sip { ip }
  callRecording { any { any { url } } } raw`;

interface TypedDevice {
  kazooId: string;
  macAddress: string | null;
  timezone: string | null;
  language: string | null;
  sip: { ip: string | null } | null;
  callRecording: { any: { any: { url: string | null } | null } | null } | null;
  raw: Record<string, unknown>;
}

/** createDevice, and how many Crossbar calls it made. */
async function createDevice(input: Record<string, unknown>): Promise<{ result: GraphQLResult<{ createDevice: { device: TypedDevice } }>; calls: number }> {
  harness.simulator.control.resetRequests();
  const result = await harness.graphql<{ createDevice: { device: TypedDevice } }>(
    `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) { device { ${TYPED_FIELDS} } } }`,
    { a: harness.accountId, input },
  );
  return { result, calls: harness.simulator.control.requests.length };
}

describe('input of a typed scalar', () => {
  it.each([
    ['a MAC address of too few digits', { macAddress: 'zz:zz' }, 'input.macAddress'],
    ['a MAC address with a stray character', { macAddress: '00:04:f2:ab:79:0g' }, 'input.macAddress'],
    ['an IPv4 range', { sip: { method: 'IP', ip: '10.0.0.0/24' } }, 'input.sip.ip'],
    ['an IPv6 address where Kazoo takes IPv4 only', { sip: { method: 'IP', ip: '2001:db8::1' } }, 'input.sip.ip'],
    ['a time zone no database knows', { timezone: 'Mars/Olympus' }, 'input.timezone'],
    ['an offset instead of a time zone', { timezone: '+01:00' }, 'input.timezone'],
    ['a language that is no BCP 47 tag', { language: 'klingon-xx-yy' }, 'input.language'],
    ['a language written with an underscore', { language: 'en_US' }, 'input.language'],
    ['a relative URL', { callRecording: { any: { any: { url: '/recordings' } } } }, 'input.callRecording.any.any.url'],
    ['a URL Kazoo cannot upload to', { callRecording: { any: { any: { url: 's3://bucket/calls' } } } }, 'input.callRecording.any.any.url'],
  ])('refuses %s as BAD_USER_INPUT, naming the field, with no call to Kazoo', async (_case, fields, path) => {
    const { result, calls } = await createDevice({ name: 'Refused', ...fields });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toContain(`at "${path}"`);
    expect(calls).toBe(0);
  });

  it('refuses a bad value written in the document itself too, before anything runs', async () => {
    harness.simulator.control.resetRequests();
    const result = await harness.graphql(
      'mutation($a: ID!) { createDevice(accountId: $a, input: { name: "Literal", macAddress: "zz:zz" }) { device { kazooId } } }',
      { a: harness.accountId },
    );
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(result.errors?.[0]?.message).toMatch(/MAC address/);
    expect(harness.simulator.control.requests).toEqual([]);
  });

  it('sends Kazoo the forms it works with: bare lower-case MACs, zone names as the database spells them, serialised URLs', async () => {
    const { result } = await createDevice({
      name: 'Typed scalars',
      // Cisco's way of writing a MAC: groups of four, upper case.
      macAddress: '0004.F2AB.79C1',
      timezone: 'america/new_york',
      language: 'fr-ca',
      sip: { method: 'IP', ip: '192.0.2.77' },
      callRecording: { any: { any: { url: 'HTTPS://Recordings.Example.com/upload?name=' } } },
    });
    expect(result.errors).toBeUndefined();
    const device = result.data?.createDevice.device;
    expect(device?.raw).toMatchObject({
      mac_address: '0004f2ab79c1',
      timezone: 'America/New_York',
      language: 'fr-ca',
      sip: { method: 'ip', ip: '192.0.2.77' },
      call_recording: { any: { any: { url: 'https://recordings.example.com/upload?name=' } } },
    });
    expect(device).toMatchObject({
      macAddress: '0004f2ab79c1',
      timezone: 'America/New_York',
      language: 'fr-ca',
      sip: { ip: '192.0.2.77' },
      callRecording: { any: { any: { url: 'https://recordings.example.com/upload?name=' } } },
    });
  });
});

describe('output of a typed scalar', () => {
  it('returns values Kazoo holds that are not valid as Kazoo stored them, without an error or a blank field', async () => {
    // Kazoo's schemas type these fields as plain strings: any client of Crossbar may have written this.
    const stored = await crossbar<{ id: string }>(harness, 'PUT', `/accounts/${harness.accountId}/devices`, {
      name: 'Written by another client',
      mac_address: 'zz:zz',
      timezone: 'Mars/Olympus',
      language: 'klingon-xx-yy',
      sip: { ip: 'the front desk' },
      call_recording: { any: { any: { url: 'recordings' } } },
    });
    expect(stored.status).toBe(201);
    const result = await harness.graphql<{ device: TypedDevice }>(
      `query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { ${TYPED_FIELDS} } }`,
      { a: harness.accountId, id: stored.body.data.id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.device).toMatchObject({
      macAddress: 'zz:zz',
      timezone: 'Mars/Olympus',
      language: 'klingon-xx-yy',
      sip: { ip: 'the front desk' },
      callRecording: { any: { any: { url: 'recordings' } } },
    });
  });
});
