// A registration as Kazoo's registrar reports it, read through the schema: when it expires, as an instant, and the
// fields Kazoo leaves unset, which it writes as the text "undefined".
import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../context.js';
import type { KazooRegistration } from '../../kazoo/types.js';
import type { RegistrationIndex } from '../../loaders/index.js';
import { buildGatewaySchema } from '../schema.js';
import { expiryOf } from './registration.js';

const ACCOUNT = 'a'.repeat(32);
const DEVICE = 'd'.repeat(32);

describe('expiryOf', () => {
  it('counts the seconds Kazoo had left from when it answered, to the second', () => {
    const readAt = Date.parse('2026-03-01T10:00:00.700Z');
    expect(expiryOf(257, readAt)?.toISOString()).toBe('2026-03-01T10:04:17.000Z');
    // Kazoo sends some numbers as text.
    expect(expiryOf('257', readAt)?.toISOString()).toBe('2026-03-01T10:04:17.000Z');
  });

  it('is null when Kazoo gave no expiry', () => {
    expect(expiryOf(undefined, Date.parse('2026-03-01T10:00:00Z'))).toBeNull();
    expect(expiryOf('undefined', Date.parse('2026-03-01T10:00:00Z'))).toBeNull();
  });
});

describe('Registration', () => {
  it('reads the "undefined" Kazoo writes for an address its registrar did not have as no address', async () => {
    // The shape of Kazoo's documented example (applications/crossbar/doc/registrations.md).
    const row: KazooRegistration = {
      authorizing_id: DEVICE,
      contact: 'sip:user_1@10.26.0.158:5060',
      contact_ip: '10.26.0.158',
      contact_port: '5060',
      event_timestamp: 63_912_000_000,
      expires: 257,
      network_ip: 'undefined',
      network_port: 'undefined',
      user_agent: 'Yealink SIP-T38G 38.0.0.115',
    };
    const index: RegistrationIndex = new Map([[DEVICE, { deviceId: DEVICE, details: row }]]);
    const context = { loaders: { registrations: { load: async () => index } } } as unknown as GatewayContext;
    const result = await execute({
      schema: buildGatewaySchema(),
      document: parse(`{ registrations(accountId: "${ACCOUNT}") { deviceId contactIp contactPort sourceIp expiresAt } }`),
      contextValue: context,
    });
    expect(result.errors).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result.data))).toEqual({
      registrations: [{ deviceId: DEVICE, contactIp: '10.26.0.158', contactPort: 5060, sourceIp: null, expiresAt: expect.any(String) }],
    });
  });
});
