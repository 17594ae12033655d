// The dashboard's model of an account's devices, without any DOM: the list from the account query, registration
// events applied to it, the registered / unregistered / disabled counts (from the API's registrationSummary, kept
// current by the events) and the filters. Rows are known by their global `id`; events name a device by its Kazoo id
// (`deviceId`), so the store keeps both. main.ts renders it.
import type { DashboardDeviceFragment, DashboardRegistrationFragment, DeviceType } from '../generated/graphql.js';

/** The header's counts and the state filter, as registrationSummary counts: each device in one state. */
export type DeviceState = 'registered' | 'unregistered' | 'disabled';

export const DEVICE_STATES: readonly DeviceState[] = ['registered', 'unregistered', 'disabled'];

/** What a row shows: its registration, `disabled` for a disabled device, `unknown` when Kazoo's could not be read. */
export type RowState = 'registered' | 'unregistered' | 'disabled' | 'unknown';

/** The counts of the API's `registrationSummary`. */
export interface DeviceCounts {
  total: number;
  registered: number;
  unregistered: number;
  disabled: number;
}

/** What the dashboard needs of a registrationChanged event (the subscription selects the same fragments). */
interface RegistrationChange {
  /** The device's Kazoo id. */
  deviceId: string;
  registration: DashboardRegistrationFragment;
  device: DashboardDeviceFragment | null;
}

export interface DeviceFilter {
  /** A Kazoo device type name (`softphone`), or null for all. */
  type: string | null;
  state: DeviceState | null;
}

const TYPE_LABELS: Record<Exclude<DeviceType, 'OTHER'>, string> = {
  SIP_DEVICE: 'SIP phone',
  SOFTPHONE: 'Softphone',
  CELLPHONE: 'Cell phone',
  SMARTPHONE: 'Smartphone',
  LANDLINE: 'Landline',
  MOBILE: 'Mobile',
  FAX: 'Fax',
  ATA: 'ATA',
  SIP_URI: 'SIP URI',
  APPLICATION: 'Application',
  TEAMMATE: 'Teammate',
};

/** Kazoo's type name, as the type filter and its URL use it (`sip_device` for a device stored without a type). */
const typeOf = (device: DashboardDeviceFragment): string => device.kazooDeviceType;

/** The type as people read it; a type the API does not know (`OTHER`) by Kazoo's own name. */
export const typeLabelOf = (device: DashboardDeviceFragment): string =>
  device.deviceType === 'OTHER' ? device.kazooDeviceType : TYPE_LABELS[device.deviceType];

export function rowStateOf(device: DashboardDeviceFragment): RowState {
  if (!device.enabled) return 'disabled';
  if (device.registration === null) return 'unknown';
  return device.registration.registered ? 'registered' : 'unregistered';
}

/**
 * Whether a device counts in `state`, as registrationSummary counts it: disabled whatever its registration, else
 * registered or not (unknown is neither).
 */
export function hasState(device: DashboardDeviceFragment, state: DeviceState): boolean {
  return rowStateOf(device) === state;
}

export function matchesFilter(device: DashboardDeviceFragment, filter: DeviceFilter): boolean {
  return (filter.type === null || typeOf(device) === filter.type) && (filter.state === null || hasState(device, filter.state));
}

/** What one device adds to the counts. */
function countsOf(device: DashboardDeviceFragment): DeviceCounts {
  const count = (state: DeviceState): number => (hasState(device, state) ? 1 : 0);
  return { total: 1, registered: count('registered'), unregistered: count('unregistered'), disabled: count('disabled') };
}

const NO_DEVICE: DeviceCounts = { total: 0, registered: 0, unregistered: 0, disabled: 0 };

const byName = (a: DashboardDeviceFragment, b: DashboardDeviceFragment): number =>
  a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }) || a.id.localeCompare(b.id);

type ChangeKind = 'added' | 'changed' | 'updated';

export class DeviceStore {
  private readonly devices = new Map<string, DashboardDeviceFragment>();
  /** Global id by Kazoo id, for events. */
  private readonly idsByKazooId = new Map<string, string>();
  private currentCounts: DeviceCounts = NO_DEVICE;

  /**
   * Takes the loaded list and the account's registrationSummary; without a summary (Kazoo could not count), the
   * counts are the list's own.
   */
  replaceAll(devices: readonly DashboardDeviceFragment[], summary: DeviceCounts | null): void {
    this.devices.clear();
    this.idsByKazooId.clear();
    for (const device of devices) this.put(device);
    this.currentCounts = summary ?? devices.reduce((sum, device) => addCounts(sum, countsOf(device)), NO_DEVICE);
  }

  get(id: string): DashboardDeviceFragment | undefined {
    return this.devices.get(id);
  }

  /**
   * Applies one registration event and tells what it did to which device: `added` for a device the list did not
   * have yet (created since it was loaded), `changed` when its registered state flipped, `updated` when only details
   * changed (or a state unknown at load became known); null for an unknown device the event does not describe.
   */
  apply(change: RegistrationChange): { kind: ChangeKind; device: DashboardDeviceFragment } | null {
    const knownId = this.idsByKazooId.get(change.deviceId);
    const known = knownId === undefined ? undefined : this.devices.get(knownId);
    const base = change.device ?? known;
    if (base === undefined) return null;
    const device = { ...base, registration: change.registration };
    this.put(device);
    this.currentCounts = addCounts(this.currentCounts, countsOf(device), known === undefined ? NO_DEVICE : countsOf(known));
    if (known === undefined) return { kind: 'added', device };
    const flipped = known.registration !== null && known.registration.registered !== change.registration.registered;
    return { kind: flipped ? 'changed' : 'updated', device };
  }

  /** Every device, in no particular order. */
  values(): IterableIterator<DashboardDeviceFragment> {
    return this.devices.values();
  }

  /** Every device, by name. */
  list(): DashboardDeviceFragment[] {
    return [...this.devices.values()].sort(byName);
  }

  counts(): DeviceCounts {
    return { ...this.currentCounts };
  }

  /** The device types present, by label, for the type filter: Kazoo's name and the label of each. */
  types(): { type: string; label: string }[] {
    const labels = new Map([...this.devices.values()].map((device) => [typeOf(device), typeLabelOf(device)]));
    return [...labels].map(([type, label]) => ({ type, label })).sort((a, b) => a.label.localeCompare(b.label));
  }

  get size(): number {
    return this.devices.size;
  }

  private put(device: DashboardDeviceFragment): void {
    this.devices.set(device.id, device);
    this.idsByKazooId.set(device.kazooId, device.id);
  }
}

/** `counts + added - removed`, field by field. */
function addCounts(counts: DeviceCounts, added: DeviceCounts, removed: DeviceCounts = NO_DEVICE): DeviceCounts {
  return {
    total: counts.total + added.total - removed.total,
    registered: counts.registered + added.registered - removed.registered,
    unregistered: counts.unregistered + added.unregistered - removed.unregistered,
    disabled: counts.disabled + added.disabled - removed.disabled,
  };
}
