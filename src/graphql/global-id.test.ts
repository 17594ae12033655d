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
    for (const id of ['', DEVICE, 'djE6RGV2aWNlOg', Buffer.from(`v1:Device:${ACCOUNT}`).toString('base64url'), Buffer.from(`v1:Nope:${ACCOUNT}:${DEVICE}`).toString('base64url'), Buffer.from(`v1:Device:${ACCOUNT}:../users`).toString('base64url'), 'x'.repeat(500)]) {
      expect(parseGlobalId(id)).toBeUndefined();
    }
    expect(() => assertGlobalId(globalId('User', ACCOUNT, DEVICE), 'Device', 'id')).toThrow('id must be the id of a Device');
  });
});
