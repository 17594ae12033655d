// `Device.deviceType` is an enum of Kazoo's known types plus OTHER, with Kazoo's own string beside it, and the
// `deviceType` filter finds exactly the devices whose field reports the value asked for: a device stored without a
// type is a SIP_DEVICE for both, and OTHER finds every type the enum does not know. OTHER cannot be written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

let harness: Harness;
/** Kazoo ids of the devices this suite stores straight into Kazoo, by how they are stored. */
const stored: Record<'untyped' | 'emptyType' | 'resellerType' | 'fax', string> = { untyped: '', emptyType: '', resellerType: '', fax: '' };

interface TypedDevice {
  kazooId: string;
  deviceType: string;
  kazooDeviceType: string;
}

beforeAll(async () => {
  harness = await startHarness();
  // Written the way any Crossbar client may write them, without the gateway.
  const bodies = {
    untyped: { name: 'Typeless phone' },
    emptyType: { name: 'Empty-typed phone', device_type: '' },
    resellerType: { name: 'Door intercom', device_type: 'door_intercom' },
    fax: { name: 'Office fax', device_type: 'fax' },
  };
  for (const [key, body] of Object.entries(bodies) as [keyof typeof stored, Record<string, unknown>][]) {
    const created = await crossbar<{ id: string }>(harness, 'PUT', `/accounts/${harness.accountId}/devices`, body);
    expect(created.status).toBe(201);
    stored[key] = created.body.data.id;
  }
});
afterAll(() => harness.close());

const TYPED_PAGE = `query($a: ID!, $f: DeviceFilter) { devices(accountId: $a, first: 1000, filter: $f) {
  nodes { kazooId deviceType kazooDeviceType } } }`;

async function devices(filter?: Record<string, unknown>): Promise<TypedDevice[]> {
  const result = await harness.graphql<{ devices: { nodes: TypedDevice[] } }>(TYPED_PAGE, { a: harness.accountId, f: filter });
  expect(result.errors).toBeUndefined();
  return result.data?.devices.nodes ?? [];
}

describe('device types', () => {
  it('reports a device stored without a type (or with an empty one) as SIP_DEVICE and "sip_device", as Kazoo lists it', async () => {
    const all = await devices();
    const byId = new Map(all.map((device) => [device.kazooId, device]));
    for (const id of [stored.untyped, stored.emptyType]) {
      expect(byId.get(id)).toEqual({ kazooId: id, deviceType: 'SIP_DEVICE', kazooDeviceType: 'sip_device' });
    }
    expect(byId.get(stored.fax)).toMatchObject({ deviceType: 'FAX', kazooDeviceType: 'fax' });
    expect(byId.get(stored.resellerType)).toMatchObject({ deviceType: 'OTHER', kazooDeviceType: 'door_intercom' });
    // The whole document says the same as the listing row.
    const one = await harness.graphql<{ device: Omit<TypedDevice, 'kazooId'> }>(
      'query($a: ID!, $id: ID!) { device(accountId: $a, id: $id) { deviceType kazooDeviceType } }',
      { a: harness.accountId, id: stored.untyped },
    );
    expect(one.data?.device).toEqual({ deviceType: 'SIP_DEVICE', kazooDeviceType: 'sip_device' });
  });

  it('filters on exactly what the field reports: SIP_DEVICE finds the untyped devices, OTHER the unknown types', async () => {
    const all = await devices();
    for (const deviceType of ['SIP_DEVICE', 'SOFTPHONE', 'CELLPHONE', 'FAX', 'OTHER']) {
      const found = await devices({ deviceType });
      expect(found.length, deviceType).toBeGreaterThan(0);
      expect(found.map((device) => device.kazooId), deviceType).toEqual(
        all.filter((device) => device.deviceType === deviceType).map((device) => device.kazooId),
      );
    }
    expect((await devices({ deviceType: 'SIP_DEVICE' })).map((device) => device.kazooId)).toEqual(
      expect.arrayContaining([stored.untyped, stored.emptyType]),
    );
    expect((await devices({ deviceType: 'OTHER' })).map((device) => device.kazooId)).toEqual([stored.resellerType]);
  });

  it('refuses a type that is not a value of the enum, on every run of a document (compiled ones too)', async () => {
    harness.simulator.control.resetRequests();
    for (let run = 0; run < 3; run++) {
      const result = await harness.graphql(TYPED_PAGE, { a: harness.accountId, f: { deviceType: 'softphone' } });
      expect(result.status).toBe(400);
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toMatch(/^Variable "\$f" got invalid value/);
    }
    expect(harness.simulator.control.requests).toHaveLength(0);
  });
});

describe('writing a device type', () => {
  const CREATE = `mutation($a: ID!, $input: DeviceInput!) { createDevice(accountId: $a, input: $input) {
    device { kazooId deviceType kazooDeviceType } userErrors { field code } } }`;

  it('writes a known type as the Kazoo value it stands for', async () => {
    const result = await harness.graphql<{ createDevice: { device: TypedDevice } }>(CREATE, {
      a: harness.accountId,
      input: { name: 'Front desk ATA', deviceType: 'ATA' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createDevice.device).toMatchObject({ deviceType: 'ATA', kazooDeviceType: 'ata' });
    const id = result.data?.createDevice.device.kazooId;
    expect((await crossbar<{ device_type: string }>(harness, 'GET', `/accounts/${harness.accountId}/devices/${id}`)).body.data.device_type).toBe('ata');
  });

  it('refuses OTHER, which stands for no Kazoo value, before anything is sent; a type of its own goes in extra', async () => {
    harness.simulator.control.resetRequests();
    const refused = await harness.graphql(CREATE, { a: harness.accountId, input: { name: 'Mystery box', deviceType: 'OTHER' } });
    expect(refused.errors).toBeUndefined();
    expect(refused.data).toEqual({ createDevice: { device: null, userErrors: [{ field: ['input', 'deviceType'], code: 'NOT_ALLOWED' }] } });
    expect(harness.simulator.control.requests.filter((request) => request.method !== 'GET')).toHaveLength(0);

    const own = await harness.graphql<{ createDevice: { device: TypedDevice } }>(CREATE, {
      a: harness.accountId,
      input: { name: 'Mystery box', extra: { device_type: 'mystery_box' } },
    });
    expect(own.errors).toBeUndefined();
    expect(own.data?.createDevice.device).toMatchObject({ deviceType: 'OTHER', kazooDeviceType: 'mystery_box' });
  });
});
