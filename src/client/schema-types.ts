// How a normalized client cache should treat each object type of schema.graphql, decided once for Apollo Client and
// urql's graphcache alike. Objects with an identity implement `Node` and are keyed by their global `id`; every other
// object type is filed here by what it is, because that decides whether a cache may merge two copies of it. The
// lists are checked against schema.graphql by schema-types.test.ts: a new type without a decision fails it.

/** Types with a global `id` (the `Node` interface): caches key them by `id` and need nothing more. */
export const NODE_TYPES = ['Account', 'Device', 'Registration', 'User'] as const;

/**
 * Objects without an identity of their own, held by a field of a Node: Kazoo's settings objects (`sip`, `callerId`,
 * `media`, `provision`...) and the gateway's per-object values (`registrationSummary`, a user's `devices` entries).
 * Two copies under the same field of the same object are one value seen through two selections, so a cache merges
 * them field by field: a mutation that selects only `sip { username }` must not wipe the `realm` a detail query
 * cached (frontend trial F11). They are never normalized on their own, so equal contents in two devices (a shared
 * provisioner template) stay apart. Lists of them are replaced as a whole (entries have no identity to match on).
 */
export const EMBEDDED_TYPES = [
  'AudioMedia',
  'CallForward',
  'CallRecording',
  'CallRecordingParameters',
  'CallRecordingSource',
  'CallRestriction',
  'CallWaiting',
  'CallerId',
  'CallerIdOptions',
  'CallerIdValue',
  'ContactList',
  'CustomSipHeaders',
  'DeviceHotdesk',
  'DialPlan',
  'DialPlanRule',
  'DoNotDisturb',
  'Formatter',
  'FormatterRule',
  'HotdeskedUser',
  'Media',
  'MediaEncryption',
  'Metaflows',
  'MusicOnHold',
  'PostalAddress',
  'PronouncedName',
  'Provision',
  'ProvisionKey',
  'RegistrationSummary',
  'Ringtones',
  'SipHeader',
  'SipSettings',
  'UserDevice',
  'UserHotdesk',
  'UserProfile',
  'UserVoicemail',
  'VideoMedia',
  'VoicemailCallback',
  'VoicemailNotify',
] as const;

/**
 * Objects a root query field answers without arguments: there is one per token, so the cache keeps one. It does not
 * know the token: a client that switches tokens must reset its cache (Apollo's `resetStore`, a new urql client).
 */
export const SINGLETON_TYPES = ['Viewer'] as const;

/** The parts of a Relay connection: the pagination field policies (or resolvers) below merge them. */
export const CONNECTION_TYPES = ['DeviceConnection', 'DeviceEdge', 'PageInfo', 'UserConnection', 'UserEdge'] as const;

/**
 * What mutations and subscriptions answer around the objects they carry (payloads, user errors, tokens, calls,
 * events): read once from the operation's result, never by another operation, so a cache stores them as they come.
 * The Nodes inside them (`payload.device`, `event.registration`) are normalized and update every cached copy.
 */
export const RESULT_TYPES = [
  'AccessToken',
  'CreateDevicePayload',
  'CreateUserPayload',
  'DeleteDevicePayload',
  'DeleteUserPayload',
  'DeviceChangeEvent',
  'LoginWithApiKeyPayload',
  'LoginWithCredentialsPayload',
  'NotifyDevicePayload',
  'Quickcall',
  'QuickcallDevicePayload',
  'RegistrationEvent',
  'ReplaceDevicePayload',
  'ReplaceUserPayload',
  'ResetDevicePresencePayload',
  'SyncDevicePayload',
  'UpdateDevicePayload',
  'UpdateUserPayload',
  'UserChangeEvent',
  'UserError',
] as const;

/**
 * The connection fields, each with the arguments that pick the list (everything but `first` and `after`, which
 * only pick a page of it): pages of one list are merged, different lists kept apart.
 */
export const CONNECTION_FIELDS = {
  Query: { devices: ['accountId', 'filter', 'orderBy'], users: ['accountId', 'filter'] },
  Account: { devices: ['filter', 'orderBy'], users: ['filter'] },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** Every id-less object type, for caches that must be told about each (graphcache's `keys`). */
export const ID_LESS_TYPES: readonly string[] = [...EMBEDDED_TYPES, ...SINGLETON_TYPES, ...CONNECTION_TYPES, ...RESULT_TYPES];

/** The implementations of each interface, for fragments on `Node` (`possibleTypes` of both caches). */
export const POSSIBLE_TYPES: Record<string, string[]> = { Node: [...NODE_TYPES] };
