// What counts as a registration change between two readings of an account.
import { describe, expect, it } from 'vitest';
import { diffRegistrations } from '../../src/subscriptions/registration-diff.js';

const phone = { contact: 'sip:100@192.0.2.1:5060', contact_ip: '192.0.2.1', contact_port: 5060, user_agent: 'Yealink', expires: 300 };

describe('diffRegistrations', () => {
  it('reports devices registering and dropping off', () => {
    expect(diffRegistrations({ a: phone, b: null }, { b: null, c: phone })).toEqual([
      { deviceId: 'c', kind: 'REGISTERED', registered: true, details: phone },
      { deviceId: 'a', kind: 'UNREGISTERED', registered: false, details: null },
    ]);
  });

  it('ignores expiry countdowns and refresh times', () => {
    expect(diffRegistrations({ a: phone }, { a: { ...phone, expires: 120, event_timestamp: 63_900_000_000 } })).toEqual([]);
  });

  it('reports a phone registering again from another contact or with other software', () => {
    const moved = { ...phone, contact_ip: '198.51.100.7' };
    const upgraded = { ...phone, user_agent: 'Yealink 2' };
    expect(diffRegistrations({ a: phone, b: phone }, { a: moved, b: upgraded })).toEqual([
      { deviceId: 'a', kind: 'CONTACT_CHANGED', registered: true, details: moved },
      { deviceId: 'b', kind: 'CONTACT_CHANGED', registered: true, details: upgraded },
    ]);
  });

  it('compares only registration when Kazoo gave no details (/devices/status)', () => {
    expect(diffRegistrations({ a: null }, { a: phone })).toEqual([]);
  });
});
