// What the simulator's Kazoo announces as registrations and documents change, before any broker is involved: a
// REGISTER is a reg_success (new, then refreshes at half the expiry), an unregister is a reg_success with Expires 0
// and a deregister notice, a phone that goes silent gets nothing from Kamailio and a deregister only Expires + 180 s
// later (none when the device suppresses it), and every device or user write is a doc_* event. Time is injected.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/simulator/random.js';
import { Registrar } from '../../src/simulator/registrar.js';
import type { RegistrarEvent } from '../../src/simulator/registrar.js';
import { Store } from '../../src/simulator/store.js';
import type { DocumentWrite } from '../../src/simulator/store.js';

const ACCOUNT = '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10';
const T0 = Date.UTC(2026, 11, 5, 12);

function setup(device: Record<string, unknown> = {}): { store: Store; registrar: Registrar; events: RegistrarEvent[]; deviceId: string } {
  const store = new Store();
  const account = store.addAccount({ id: ACCOUNT, name: 'acme', realm: 'acme.sip.example.com', timezone: 'UTC', language: 'en-us', apiKey: 'k', created: 0 });
  const doc = store.insert(ACCOUNT, 'device', 'd1', { name: 'Desk', sip: { username: 'u1', password: 'p', expire_seconds: 300 }, ...device });
  const registrar = new Registrar(store, seededRandom());
  const events: RegistrarEvent[] = [];
  registrar.onEvent((event) => events.push(event));
  registrar.register(account, doc, {}, T0);
  return { store, registrar, events, deviceId: doc._id };
}

const kinds = (events: RegistrarEvent[]): string[] => events.map((event) => event.kind);

describe('registrations', () => {
  it('announces a new registration, then a refresh at half the expiry', () => {
    const { registrar, events } = setup();
    registrar.sweep(T0 + 149_000);
    expect(kinds(events)).toEqual(['new']);
    registrar.sweep(T0 + 151_000);
    expect(kinds(events)).toEqual(['new', 'refresh']);
    expect(events[1]?.at).toBe(T0 + 150_000);
  });

  it('announces an unregister at once', () => {
    const { registrar, events, deviceId } = setup();
    registrar.unregister(ACCOUNT, deviceId, T0 + 1_000);
    expect(kinds(events)).toEqual(['new', 'unregister']);
  });

  it('says nothing when a phone goes silent, and ecallmgr\'s expiry comes Expires + 180 s after its last REGISTER', () => {
    const { store, registrar, events, deviceId } = setup();
    const account = store.account(ACCOUNT);
    const doc = store.doc(ACCOUNT, 'device', deviceId);
    if (account === undefined || doc === undefined) throw new Error('setup');
    registrar.register(account, doc, { refresh: false }, T0);
    registrar.sweep(T0 + 300_000);
    expect(registrar.registeredDeviceIds(ACCOUNT, T0 + 300_000)).toEqual([]);
    expect(kinds(events)).toEqual(['new', 'refresh']);
    registrar.sweep(T0 + 479_000);
    expect(kinds(events)).toEqual(['new', 'refresh']);
    registrar.sweep(T0 + 480_000);
    expect(kinds(events)).toEqual(['new', 'refresh', 'expired']);
  });
});

describe('documents', () => {
  it('announces every write as created, edited or (a soft delete) deleted', () => {
    const { store } = setup();
    const writes: DocumentWrite[] = [];
    store.onWrite((write) => writes.push(write));
    const created = store.insert(ACCOUNT, 'user', 'u1', { first_name: 'Ada' });
    const edited = store.replace(ACCOUNT, created, { first_name: 'Ada', last_name: 'L' });
    store.softDelete(ACCOUNT, edited);
    expect(writes.map((write) => [write.action, write.doc._id, write.doc.pvt_type])).toEqual([
      ['created', 'u1', 'user'],
      ['edited', 'u1', 'user'],
      ['deleted', 'u1', 'user'],
    ]);
  });
});
