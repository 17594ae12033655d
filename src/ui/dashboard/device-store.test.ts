// The dashboard's device model: what a registration event does to the list and to the counts the API gave, the
// rows of devices whose registration Kazoo could not read, the type labels and the filters.
import { describe, expect, it } from 'vitest';
import { DeviceStore, matchesFilter, rowStateOf, typeLabelOf } from './device-store.js';
import type { DeviceCounts } from './device-store.js';
import type { DashboardDeviceFragment, DashboardRegistrationFragment } from '../generated/graphql.js';

const unregistered: DashboardRegistrationFragment = { registered: false, userAgent: null, contactIp: null, registeredAt: null };
const registered: DashboardRegistrationFragment = {
  registered: true,
  userAgent: 'Yealink SIP-T46S',
  contactIp: '10.0.0.7',
  registeredAt: '2026-01-01T00:00:00.000Z',
};

/** A device whose Kazoo id is `kazooId`; its global id is not the Kazoo id, as in the API. */
function device(kazooId: string, overrides: Partial<DashboardDeviceFragment> = {}): DashboardDeviceFragment {
  return {
    id: `global-${kazooId}`,
    kazooId,
    name: `Phone ${kazooId}`,
    deviceType: 'SIP_DEVICE',
    kazooDeviceType: 'sip_device',
    enabled: true,
    ownerId: null,
    owner: null,
    registration: unregistered,
    ...overrides,
  };
}

function store(devices: DashboardDeviceFragment[], summary: DeviceCounts | null = null): DeviceStore {
  const result = new DeviceStore();
  result.replaceAll(devices, summary);
  return result;
}

describe('DeviceStore', () => {
  it('takes its counts from the registration summary', () => {
    const summary = { total: 61, registered: 30, unregistered: 31, disabled: 2 };
    expect(store([device('a')], summary).counts()).toEqual(summary);
  });

  it('counts the list itself without a summary, as the summary counts: each device in one state, disabled ones as disabled', () => {
    const devices = store([
      device('a', { registration: registered }),
      device('b'),
      device('c', { enabled: false, registration: registered }),
      device('d', { enabled: false }),
      device('e', { registration: null }),
    ]);
    expect(devices.counts()).toEqual({ total: 5, registered: 1, unregistered: 1, disabled: 2 });
  });

  it('finds the device of an event by its Kazoo id, reports a flip as a change, and moves the counts', () => {
    const devices = store([device('a'), device('b')], { total: 2, registered: 0, unregistered: 2, disabled: 0 });
    expect(devices.apply({ deviceId: 'a', registration: registered, device: null })).toMatchObject({ kind: 'changed', device: { id: 'global-a' } });
    expect(devices.get('global-a')?.registration).toEqual(registered);
    expect(devices.counts()).toEqual({ total: 2, registered: 1, unregistered: 1, disabled: 0 });
    expect(devices.apply({ deviceId: 'a', registration: unregistered, device: null })?.kind).toBe('changed');
    expect(devices.counts()).toEqual({ total: 2, registered: 0, unregistered: 2, disabled: 0 });
  });

  it('reports the same state again (an initial snapshot, a refresh) as an update, not a change', () => {
    const devices = store([device('a', { registration: registered })]);
    const refreshed = { ...registered, contactIp: '10.0.0.8' };
    expect(devices.apply({ deviceId: 'a', registration: refreshed, device: null })?.kind).toBe('updated');
    expect(devices.get('global-a')?.registration?.contactIp).toBe('10.0.0.8');
    expect(devices.counts()).toMatchObject({ registered: 1, unregistered: 0 });
  });

  it('shows a registration Kazoo could not read as unknown, counted in neither, until an event tells it', () => {
    const devices = store([device('a', { registration: null })], null);
    expect(rowStateOf(devices.get('global-a') as DashboardDeviceFragment)).toBe('unknown');
    expect(devices.counts()).toEqual({ total: 1, registered: 0, unregistered: 0, disabled: 0 });
    // Learning the state is no flip to highlight.
    expect(devices.apply({ deviceId: 'a', registration: registered, device: null })?.kind).toBe('updated');
    expect(rowStateOf(devices.get('global-a') as DashboardDeviceFragment)).toBe('registered');
    expect(devices.counts()).toEqual({ total: 1, registered: 1, unregistered: 0, disabled: 0 });
  });

  it('adds a device created after the list was loaded when the event describes it, and ignores it otherwise', () => {
    const devices = store([device('a')], { total: 1, registered: 0, unregistered: 1, disabled: 0 });
    expect(devices.apply({ deviceId: 'z', registration: registered, device: null })).toBeNull();
    expect(devices.size).toBe(1);
    const created = device('n', { name: 'New phone', enabled: false, registration: null });
    expect(devices.apply({ deviceId: 'n', registration: registered, device: created })?.kind).toBe('added');
    expect(devices.get('global-n')).toMatchObject({ name: 'New phone', registration: registered });
    // Created disabled: counted as disabled, whatever its registration.
    expect(devices.counts()).toEqual({ total: 2, registered: 0, unregistered: 1, disabled: 1 });
  });

  it('lists devices by name, numbers in names in numeric order', () => {
    const devices = store([device('1', { name: 'Desk 10' }), device('2', { name: 'desk 9' }), device('3', { name: 'Annex' })]);
    expect(devices.list().map((each) => each.name)).toEqual(['Annex', 'desk 9', 'Desk 10']);
  });

  it('offers the device types present, each once by Kazoo name, labelled, an unknown type by its own name', () => {
    const devices = store([
      device('a', { deviceType: 'SOFTPHONE', kazooDeviceType: 'softphone' }),
      device('b'),
      device('c'),
      device('d', { deviceType: 'OTHER', kazooDeviceType: 'intercom' }),
    ]);
    expect(devices.types()).toEqual([
      { type: 'intercom', label: 'intercom' },
      { type: 'sip_device', label: 'SIP phone' },
      { type: 'softphone', label: 'Softphone' },
    ]);
    expect(typeLabelOf(device('x', { deviceType: 'SIP_URI', kazooDeviceType: 'sip_uri' }))).toBe('SIP URI');
  });
});

describe('filters', () => {
  const softphone = device('s', { deviceType: 'SOFTPHONE', kazooDeviceType: 'softphone', registration: registered });
  const deskPhone = device('d');
  const disabledPhone = device('x', { enabled: false, registration: registered });

  it('combine type and state, states as the counts count them', () => {
    expect(matchesFilter(softphone, { type: 'softphone', state: 'registered' })).toBe(true);
    expect(matchesFilter(softphone, { type: 'softphone', state: 'unregistered' })).toBe(false);
    expect(matchesFilter(deskPhone, { type: 'softphone', state: null })).toBe(false);
    expect(matchesFilter(deskPhone, { type: null, state: null })).toBe(true);
    expect(matchesFilter(disabledPhone, { type: null, state: 'disabled' })).toBe(true);
    expect(matchesFilter(disabledPhone, { type: null, state: 'registered' })).toBe(false);
    expect(rowStateOf(disabledPhone)).toBe('disabled');
    expect(rowStateOf(deskPhone)).toBe('unregistered');
  });
});
