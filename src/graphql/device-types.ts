// Kazoo's device types as the `DeviceType` enum reports them. Kazoo leaves `device_type` open, so the enum of
// schema.graphql names the types Kazoo and its UIs know, each standing for its Kazoo value (`@kazoo(value:)`), and
// `OTHER` for every other. Field and filter read a type through the same two steps, so `devices(filter: {deviceType})`
// finds exactly the devices whose `deviceType` reports that value.
import { isEnumType } from 'graphql';
import type { GraphQLSchema } from 'graphql';

/** Kazoo's listing view (`doc.device_type || 'sip_device'`) counts a device stored without a type as a SIP device. */
const UNTYPED_DEVICE = 'sip_device';
/** The enum value for a type the enum does not know; its internal value is its name, as it has no Kazoo value. */
const OTHER_DEVICE_TYPE = 'OTHER';

/** The type Kazoo stores, as its own listing reports it: a device without one (or with an empty one) is a SIP device. */
export function kazooDeviceType(stored: unknown): string {
  if (stored === undefined || stored === null || stored === '') return UNTYPED_DEVICE;
  return String(stored);
}

/** The Kazoo values of the enum's known types, by schema: read once from schema.graphql's `DeviceType`. */
const knownTypes = new WeakMap<GraphQLSchema, ReadonlySet<unknown>>();

function knownTypesOf(schema: GraphQLSchema): ReadonlySet<unknown> {
  let known = knownTypes.get(schema);
  if (known === undefined) {
    const type = schema.getType('DeviceType');
    if (!isEnumType(type)) throw new Error('schema.graphql lost its DeviceType enum');
    known = new Set(type.getValues().flatMap((value) => (value.name === OTHER_DEVICE_TYPE ? [] : [value.value])));
    knownTypes.set(schema, known);
  }
  return known;
}

/** The `DeviceType` internal value (the Kazoo value the enum stands for, or OTHER) of a Kazoo type. */
export function deviceTypeOf(schema: GraphQLSchema, kazooType: string): string {
  return knownTypesOf(schema).has(kazooType) ? kazooType : OTHER_DEVICE_TYPE;
}
