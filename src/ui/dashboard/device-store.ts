// The dashboard's model of an account's devices, without any DOM: the list from the devices query, registration
// events applied to it, the registered / unregistered / disabled counts and the filters. main.ts renders it.
import type { DashboardDeviceFragment, DashboardRegistrationFragment } from './generated/operations.js';

export type DeviceState = 'registered' | 'unregistered' | 'disabled';

export const DEVICE_STATES: readonly DeviceState[] = ['registered', 'unregistered', 'disabled'];

/** What the dashboard needs of a registrationChanged event (the subscription selects the same fragments). */
export interface RegistrationChange {
  deviceId: string;
  registered: boolean;
  registration: DashboardRegistrationFragment | null;
  device: DashboardDeviceFragment | null;
}

export interface DeviceFilter {
  /** A Kazoo device type, or null for all. */
  type: string | null;
  state: DeviceState | null;
}

/** A device without a type counts as `sip_device`, as in Kazoo. */
export const typeOf = (device: DashboardDeviceFragment): string => device.deviceType ?? 'sip_device';

/** Disabled devices count as disabled whatever their registration; the others as registered or not. */
export function stateOf(device: DashboardDeviceFragment): DeviceState {
  if (!device.enabled) return 'disabled';
  return device.registration.registered ? 'registered' : 'unregistered';
}

export function matchesFilter(device: DashboardDeviceFragment, filter: DeviceFilter): boolean {
  return (filter.type === null || typeOf(device) === filter.type) && (filter.state === null || stateOf(device) === filter.state);
}

const byName = (a: DashboardDeviceFragment, b: DashboardDeviceFragment): number =>
  a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }) || a.id.localeCompare(b.id);

export class DeviceStore {
  private readonly devices = new Map<string, DashboardDeviceFragment>();

  replaceAll(devices: readonly DashboardDeviceFragment[]): void {
    this.devices.clear();
    for (const device of devices) this.devices.set(device.id, device);
  }

  get(id: string): DashboardDeviceFragment | undefined {
    return this.devices.get(id);
  }

  /**
   * Applies one registration event and tells what it did: `added` for a device the list did not have yet (created
   * since it was loaded), `changed` when the device's registered state flipped, `updated` when only details changed,
   * `ignored` for an unknown device the event does not describe.
   */
  apply(change: RegistrationChange): 'added' | 'changed' | 'updated' | 'ignored' {
    const known = this.devices.get(change.deviceId);
    const registration: DashboardRegistrationFragment = change.registration ?? {
      registered: change.registered,
      userAgent: null,
      contactIp: null,
      registeredAt: null,
    };
    const base = change.device ?? known;
    if (base === undefined) return 'ignored';
    this.devices.set(change.deviceId, { ...base, registration: { ...registration, registered: change.registered } });
    if (known === undefined) return 'added';
    return known.registration.registered === change.registered ? 'updated' : 'changed';
  }

  /** Every device, in no particular order. */
  values(): IterableIterator<DashboardDeviceFragment> {
    return this.devices.values();
  }

  /** Every device, by name. */
  list(): DashboardDeviceFragment[] {
    return [...this.devices.values()].sort(byName);
  }

  counts(): Record<DeviceState, number> {
    const counts: Record<DeviceState, number> = { registered: 0, unregistered: 0, disabled: 0 };
    for (const device of this.devices.values()) counts[stateOf(device)] += 1;
    return counts;
  }

  /** The device types present, sorted, for the type filter. */
  types(): string[] {
    return [...new Set([...this.devices.values()].map(typeOf))].sort();
  }

  get size(): number {
    return this.devices.size;
  }
}
