// The dashboard's device model: what a registration event does to the list, the counts and the filters.
import { describe, expect, it } from 'vitest';
import { DeviceStore, matchesFilter, stateOf } from './device-store.js';
import type { DashboardDeviceFragment } from './generated/operations.js';

function device(id: string, overrides: Partial<DashboardDeviceFragment> = {}): DashboardDeviceFragment {
  return {
    id,
    name: `Phone ${id}`,
    deviceType: 'sip_device',
    enabled: true,
    owner: null,
    registration: { registered: false, userAgent: null, contactIp: null, registeredAt: null },
    ...overrides,
  };
}

const registered = { registered: true, userAgent: 'Yealink SIP-T46S', contactIp: '10.0.0.7', registeredAt: '2026-01-01T00:00:00Z' };

function store(...devices: DashboardDeviceFragment[]): DeviceStore {
  const result = new DeviceStore();
  result.replaceAll(devices);
  return result;
}

describe('DeviceStore', () => {
  it('counts disabled devices as disabled whatever their registration, the others as registered or not', () => {
    const devices = store(
      device('a', { registration: registered }),
      device('b'),
      device('c', { enabled: false, registration: registered }),
      device('d', { enabled: false }),
    );
    expect(devices.counts()).toEqual({ registered: 1, unregistered: 1, disabled: 2 });
  });

  it('reports a flip of registered state as a change, and takes the new details', () => {
    const devices = store(device('a'));
    expect(devices.apply({ deviceId: 'a', registered: true, registration: registered, device: null })).toBe('changed');
    expect(devices.get('a')?.registration).toEqual(registered);
    expect(devices.counts()).toEqual({ registered: 1, unregistered: 0, disabled: 0 });
    expect(devices.apply({ deviceId: 'a', registered: false, registration: null, device: null })).toBe('changed');
    expect(devices.get('a')?.registration).toEqual({ registered: false, userAgent: null, contactIp: null, registeredAt: null });
  });

  it('reports the same state again (an initial snapshot, a refresh) as an update, not a change', () => {
    const devices = store(device('a', { registration: registered }));
    const refreshed = { ...registered, contactIp: '10.0.0.8' };
    expect(devices.apply({ deviceId: 'a', registered: true, registration: refreshed, device: null })).toBe('updated');
    expect(devices.get('a')?.registration.contactIp).toBe('10.0.0.8');
  });

  it('adds a device created after the list was loaded when the event describes it, and ignores it otherwise', () => {
    const devices = store(device('a'));
    expect(devices.apply({ deviceId: 'z', registered: true, registration: registered, device: null })).toBe('ignored');
    expect(devices.size).toBe(1);
    const created = device('n', { name: 'New phone' });
    expect(devices.apply({ deviceId: 'n', registered: true, registration: registered, device: created })).toBe('added');
    expect(devices.get('n')).toMatchObject({ name: 'New phone', registration: registered });
  });

  it('lists devices by name, numbers in names in numeric order', () => {
    const devices = store(device('1', { name: 'Desk 10' }), device('2', { name: 'desk 9' }), device('3', { name: 'Annex' }));
    expect(devices.list().map((each) => each.name)).toEqual(['Annex', 'desk 9', 'Desk 10']);
  });

  it('offers the device types present, a device without one counting as sip_device', () => {
    const devices = store(device('a', { deviceType: 'softphone' }), device('b', { deviceType: null }), device('c'));
    expect(devices.types()).toEqual(['sip_device', 'softphone']);
  });
});

describe('filters', () => {
  const softphone = device('s', { deviceType: 'softphone', registration: registered });
  const deskPhone = device('d');

  it('combine type and state', () => {
    expect(matchesFilter(softphone, { type: 'softphone', state: 'registered' })).toBe(true);
    expect(matchesFilter(softphone, { type: 'softphone', state: 'unregistered' })).toBe(false);
    expect(matchesFilter(deskPhone, { type: 'softphone', state: null })).toBe(false);
    expect(matchesFilter(deskPhone, { type: null, state: null })).toBe(true);
    expect(stateOf(deskPhone)).toBe('unregistered');
  });
});
