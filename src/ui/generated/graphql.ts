/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/**
 * Kazoo's device types (`device_type`). Kazoo's schema leaves the type open ("arbitrary device type used by the UI
 * and billing system"); these are the types Kazoo 4.3 bills for (kazoo_services, `services.hrl`) and the ones Monster
 * UI's SmartPBX knows beside them, plus `OTHER` for any other.
 */
export type DeviceType =
  /** `application`: an application endpoint (Monster UI's SmartPBX; billed by Kazoo after 4.3). */
  | 'APPLICATION'
  /** `ata`: an analog telephone adapter. */
  | 'ATA'
  /** `cellphone`: a mobile phone reached by forwarding calls to its number (`callForward`). */
  | 'CELLPHONE'
  /** `fax`: a fax machine or fax server. */
  | 'FAX'
  /** `landline`: a fixed-line phone reached by forwarding calls to its number (`callForward`). */
  | 'LANDLINE'
  /** `mobile`: a mobile line of Kazoo's own carrier integration, known by its MDN (`mobile.mdn`). */
  | 'MOBILE'
  /**
   * Any other type (a reseller's own, or one newer than this API): `kazooDeviceType` holds it. For reading and
   * filtering only: mutations refuse it; write a type of your own with `extra: {device_type: "..."}`.
   */
  | 'OTHER'
  /** `sip_device`: a SIP phone (also the type of a device stored without one). */
  | 'SIP_DEVICE'
  /** `sip_uri`: a SIP URI Kazoo calls (`sip.route`) rather than a device that registers. */
  | 'SIP_URI'
  /** `smartphone`: a mobile phone with a SIP client, also reachable by call forwarding. */
  | 'SMARTPHONE'
  /** `softphone`: a SIP client on a computer. */
  | 'SOFTPHONE'
  /** `teammate`: a Teammate device, which Monster UI offers when configured to (`allowedExtraDeviceTypes`). */
  | 'TEAMMATE';

/**
 * Kinds of `UserError`. Kazoo's validation rules and the gateway's own input checks map onto the same codes; a Kazoo
 * rule the gateway does not know is `INVALID`.
 */
export type UserErrorCode =
  /** Another write changed the object at the same time (Kazoo's 409): send the change again. */
  | 'CONFLICT'
  /** A string or JSON key holds a control character (U+0000 to U+001F, U+007F to U+009F); checked by the gateway. */
  | 'CONTROL_CHARACTER'
  /** What the field names is disabled (Kazoo's `disabled`). */
  | 'DISABLED'
  /** A list holds the same item twice (Kazoo's `uniqueItems`). */
  | 'DUPLICATE_ITEMS'
  /** What the field names has expired (Kazoo's `expired`). */
  | 'EXPIRED'
  /** The value is refused for a reason without a code of its own (Kazoo's `invalid`, or a rule the gateway does not know). */
  | 'INVALID'
  /** Kazoo refused the login: wrong username, password, account name or API key. */
  | 'INVALID_CREDENTIALS'
  /** The value is not in the required format: an id, number, caller ID or SIP event (Kazoo's `format`, `pattern`). */
  | 'INVALID_FORMAT'
  /** The field may not be set (Kazoo's `forbidden`). */
  | 'NOT_ALLOWED'
  /** What the field names, or the object the mutation acts on, does not exist in Kazoo (Kazoo's `not_found`, or 404). */
  | 'NOT_FOUND'
  /** The value is not one of those allowed (Kazoo's `enum`). */
  | 'NOT_ONE_OF'
  /** The value is already used elsewhere: a SIP username, MAC address, mobile number (Kazoo's `unique`). */
  | 'NOT_UNIQUE'
  /** The account's service plan charges for this change, and Kazoo requires the charges to be accepted (Kazoo's 402). */
  | 'PAYMENT_REQUIRED'
  /** A required field is missing (Kazoo's `required`). */
  | 'REQUIRED'
  /** A JSON value is nested more than 32 levels deep; checked by the gateway. */
  | 'TOO_DEEP'
  /** A list has too few items (Kazoo's `minItems`). */
  | 'TOO_FEW_ITEMS'
  /** A number is too large (Kazoo's `maximum`). */
  | 'TOO_LARGE'
  /** A string is too long (Kazoo's `maxLength`). */
  | 'TOO_LONG'
  /** A list has too many items (Kazoo's `maxItems`). */
  | 'TOO_MANY_ITEMS'
  /** A string is too short (Kazoo's `minLength`). */
  | 'TOO_SHORT'
  /** A number is too small (Kazoo's `minimum`). */
  | 'TOO_SMALL'
  /** Kazoo accepts no such property here (Kazoo's `additionalProperties`). */
  | 'UNKNOWN_PROPERTY'
  /** The value has the wrong JSON type (Kazoo's `type`), or `extra` is not a JSON object. */
  | 'WRONG_TYPE';

export type DashboardAccountQueryVariables = Exact<{
  accountId?: string | null | undefined;
}>;


export type DashboardAccountQuery = { account: { id: string, kazooId: string, name: string | null, registrationSummary: { total: number, registered: number, unregistered: number, disabled: number } | null, devices: { nodes: Array<{ id: string, kazooId: string, name: string, deviceType: DeviceType, kazooDeviceType: string, enabled: boolean, ownerId: string | null, owner: { fullName: string | null } | null, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type DashboardMoreDevicesQueryVariables = Exact<{
  accountId: string;
  after: string;
}>;


export type DashboardMoreDevicesQuery = { account: { devices: { nodes: Array<{ id: string, kazooId: string, name: string, deviceType: DeviceType, kazooDeviceType: string, enabled: boolean, ownerId: string | null, owner: { fullName: string | null } | null, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type DashboardDevicePageFragment = { nodes: Array<{ id: string, kazooId: string, name: string, deviceType: DeviceType, kazooDeviceType: string, enabled: boolean, ownerId: string | null, owner: { fullName: string | null } | null, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } };

export type DashboardDeviceFragment = { id: string, kazooId: string, name: string, deviceType: DeviceType, kazooDeviceType: string, enabled: boolean, ownerId: string | null, owner: { fullName: string | null } | null, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null } | null };

export type DashboardRegistrationFragment = { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null };

export type DashboardRegistrationsSubscriptionVariables = Exact<{
  accountId?: string | null | undefined;
}>;


export type DashboardRegistrationsSubscription = { registrationChanged: { deviceId: string, at: string, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null }, device: { id: string, kazooId: string, name: string, deviceType: DeviceType, kazooDeviceType: string, enabled: boolean, ownerId: string | null, owner: { fullName: string | null } | null, registration: { registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null } | null } | null } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { accountId: string, accountName: string | null, authMethod: string | null, owner: { id: string, fullName: string | null } | null, account: { id: string, kazooId: string, name: string | null } } | null };

export type DevicesWithRegistrationQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DevicesWithRegistrationQuery = { viewer: { account: { id: string, name: string | null, registrationSummary: { total: number, registered: number, unregistered: number, disabled: number } | null, devices: { nodes: Array<{ id: string, kazooId: string, name: string, deviceType: DeviceType, enabled: boolean, macAddress: string | null, owner: { id: string, fullName: string | null } | null, registration: { id: string, registered: boolean, userAgent: string | null, contactIp: string | null, registeredAt: string | null, expiresAt: string | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } } | null };

export type UpdateDeviceMutationVariables = Exact<{
  deviceId: string;
  name: string;
}>;


export type UpdateDeviceMutation = { updateDevice: { device: { id: string, name: string, callWaiting: { enabled: boolean | null } | null } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } | null };

export type WatchRegistrationsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WatchRegistrationsSubscription = { registrationChanged: { at: string, deviceId: string, registration: { id: string, registered: boolean, userAgent: string | null, contactIp: string | null, expiresAt: string | null }, device: { id: string, name: string, deviceType: DeviceType, owner: { fullName: string | null } | null } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DashboardRegistrationFragmentDoc = new TypedDocumentString(`
    fragment DashboardRegistration on Registration {
  registered
  userAgent
  contactIp
  registeredAt
}
    `, {"fragmentName":"DashboardRegistration"}) as unknown as TypedDocumentString<DashboardRegistrationFragment, unknown>;
export const DashboardDeviceFragmentDoc = new TypedDocumentString(`
    fragment DashboardDevice on Device {
  id
  kazooId
  name
  deviceType
  kazooDeviceType
  enabled
  ownerId
  owner {
    fullName
  }
  registration {
    ...DashboardRegistration
  }
}
    fragment DashboardRegistration on Registration {
  registered
  userAgent
  contactIp
  registeredAt
}`, {"fragmentName":"DashboardDevice"}) as unknown as TypedDocumentString<DashboardDeviceFragment, unknown>;
export const DashboardDevicePageFragmentDoc = new TypedDocumentString(`
    fragment DashboardDevicePage on DeviceConnection {
  nodes {
    ...DashboardDevice
  }
  pageInfo {
    hasNextPage
    endCursor
  }
}
    fragment DashboardDevice on Device {
  id
  kazooId
  name
  deviceType
  kazooDeviceType
  enabled
  ownerId
  owner {
    fullName
  }
  registration {
    ...DashboardRegistration
  }
}
fragment DashboardRegistration on Registration {
  registered
  userAgent
  contactIp
  registeredAt
}`, {"fragmentName":"DashboardDevicePage"}) as unknown as TypedDocumentString<DashboardDevicePageFragment, unknown>;
export const DashboardAccountDocument = {"__meta__":{"hash":"sha256:fc297c86c0503cb46cb9626399e385f73ba66f7ed106f5d211fa374b98884bd2"}} as unknown as TypedDocumentString<DashboardAccountQuery, DashboardAccountQueryVariables>;
export const DashboardMoreDevicesDocument = {"__meta__":{"hash":"sha256:048026b62080bda049f6b64b4c1514708c2da1880ebcfa0391c93aea2ad19566"}} as unknown as TypedDocumentString<DashboardMoreDevicesQuery, DashboardMoreDevicesQueryVariables>;
export const DashboardRegistrationsDocument = {"__meta__":{"hash":"sha256:cab04b7e3ca77faf0063c9c4b43ae8cf080fb4b25cb7e517445277a2f9d615d2"}} as unknown as TypedDocumentString<DashboardRegistrationsSubscription, DashboardRegistrationsSubscriptionVariables>;
export const ViewerDocument = {"__meta__":{"hash":"sha256:c80320b269425a7ea04e7eb096003a5afb767519bfd90030288866c395cb45ab"}} as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const DevicesWithRegistrationDocument = {"__meta__":{"hash":"sha256:e3517caa596b66b08e5ece806cc3b500bbe33c451bea8e738a7078a2e7b99a6a"}} as unknown as TypedDocumentString<DevicesWithRegistrationQuery, DevicesWithRegistrationQueryVariables>;
export const UpdateDeviceDocument = {"__meta__":{"hash":"sha256:334101f0df0bdcf71be8f6a0d1bdc2bfbc6490fc4a83cde2b0f8e464d0f75b14"}} as unknown as TypedDocumentString<UpdateDeviceMutation, UpdateDeviceMutationVariables>;
export const WatchRegistrationsDocument = {"__meta__":{"hash":"sha256:7ad340fcac402f6cbda58ebcbe0631541fde1ad2b03254d55b848f82e3b6094e"}} as unknown as TypedDocumentString<WatchRegistrationsSubscription, WatchRegistrationsSubscriptionVariables>;