import { describe, expect, it } from 'vitest';
import { assertGlobalId, globalId, parseGlobalId } from './global-id.js';

const ACCOUNT = '0419099fca3923b2e12dca0709107aa6';
const DEVICE = '01ae4c92075367e72dda0baadb3c9832';

describe('global ids', () => {
  it('name one object of one type in one account, and say which', () => {
    const device = globalId('Device', ACCOUNT, DEVICE);
    expect(parseGlobalId(device)).toEqual({ type: 'Device', accountId: ACCOUNT, kazooId: DEVICE });
    expect(parseGlobalId(globalId('Account', ACCOUNT))).toEqual({ type: 'Account', accountId: ACCOUNT, kazooId: ACCOUNT });
    // The same Kazoo id in two types, or in two accounts, gives two ids.
    expect(new Set([device, globalId('User', ACCOUNT, DEVICE), globalId('Device', DEVICE, DEVICE)]).size).toBe(3);
  });

  it('are opaque: no Kazoo id shows in them', () => {
    const id = globalId('Device', ACCOUNT, DEVICE);
    expect(id).not.toContain(DEVICE);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuse anything the gateway did not make', () => {
    const device = Buffer.from(globalId('Device', ACCOUNT, DEVICE), 'base64url');
    const bytes = (mutate: (copy: Buffer) => Buffer): string => mutate(Buffer.from(device)).toString('base64url');
    for (const id of [
      '',
      DEVICE,
      'x'.repeat(500),
      bytes((copy) => copy.subarray(0, 20)),
      bytes((copy) => Buffer.concat([copy, Buffer.from([0])])),
      bytes((copy) => ((copy[0] = 2), copy)),
      bytes((copy) => ((copy[1] = 9), copy)),
      `${globalId('Device', ACCOUNT, DEVICE)}=`,
      `${globalId('Device', ACCOUNT, DEVICE)}.`,
    ]) {
      expect(parseGlobalId(id)).toBeUndefined();
    }
    expect(() => assertGlobalId(globalId('User', ACCOUNT, DEVICE), 'Device', 'id')).toThrow('id must be the id of a Device');
  });

  it('are short: 46 characters for a document, 24 for an account', () => {
    expect(globalId('Device', ACCOUNT, DEVICE)).toHaveLength(46);
    expect(globalId('Account', ACCOUNT)).toHaveLength(24);
  });
});
