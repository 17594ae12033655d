// What each field of the schema costs in Kazoo calls, and the check that no field which may call Kazoo goes without a
// rule: the cost model (operation-cost.ts) walks an operation with these rules and nothing else, so a field that
// slipped in without one would be free to fan out.
//
// A field's calls are counted from the loaders its resolver reads through (LOADER_READS in src/loaders, which says
// what one batch of each costs and what its objects hold), or from a rule of its own for the calls a resolver makes
// directly (root reads, connections, mutations). Which keys of a device or user a field reads is the schema's Kazoo
// mapping (`@kazoo(key:)`, else the snake_case name) unless the field has a resolver of its own, which says so here.
//
// Fails closed. Every Kazoo call is made by a resolver of its own (src/graphql/resolvers) or by the document read of
// a device or user, so these fields must have an explicit rule, and compileCostRules names each one that has not:
// - every root field (queries, mutations, subscriptions);
// - every field with a resolver of its own, on any type (`HotdeskedUser.user` sits in a plain Kazoo sub-object);
// - every field whose type can lead to a Kazoo call (a device, a user, an account, a connection...), list or not:
//   its rule says what the objects it yields hold and how many there are;
// and a rule on a device or user must say what it reads of the document.
// Any other field reads what its parent already holds, and gets its rule from the schema: on a device or user, the
// Kazoo key it maps to (free when the listing row at hand has it, otherwise the document is read); on a gateway-built
// type (`@computed`) or a plain Kazoo sub-object (`sip`, `callerId`), nothing. Requiring rules for those too would
// add a hundred empty entries and catch nothing the conditions above do not.
// The check runs when the gateway starts (costModelFor in gateway.ts): a gateway whose code and schema disagree
// refuses to start rather than serve operations it cannot cost, even where tests were not run; cost-rules.test.ts
// runs it on the real schema, so it fails in CI first.
import { getNamedType, isAbstractType, isListType, isNonNullType, isObjectType } from 'graphql';
import type { GraphQLField, GraphQLNamedType, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { parseGlobalId } from '../graphql/global-id.js';
import { kazooKeyOf } from '../graphql/kazoo-mapping.js';
import { MAX_ORDER_PAGES } from '../graphql/listing-order.js';
import { isSearch } from '../graphql/listing-search.js';
import { MAX_LISTING_PAGES, MAX_PAGE } from '../graphql/pagination.js';
import { resolvers } from '../graphql/resolvers/index.js';
import { MAX_NODES } from '../graphql/resolvers/node.js';
import { isRecord } from '../kazoo/client.js';
import { isKazooId } from '../kazoo/paths.js';
import { LISTING_ROW_KEYS, LOADER_READS } from '../loaders/index.js';
import type { Listing, LoaderReads, Loaders } from '../loaders/index.js';
import { LISTING_THRESHOLD } from '../loaders/summaries.js';

/** Items assumed in a list whose length only Kazoo knows (the registrations of an account). */
const ASSUMED_LIST_LENGTH = 1000;
/** Devices assumed per user for `User.devices`. */
const ASSUMED_DEVICES_PER_USER = 10;
/** Users assumed hotdesked on one device, for `Device.hotdesk.users`. */
const ASSUMED_HOTDESKED_USERS = 10;
/**
 * Kazoo pages assumed for a whole listing of an account the gateway has not listed since it started (or has
 * forgotten, loaders/listing-sizes.ts): one, which most accounts fit in and which is what the model charged before it
 * learned sizes. A larger account is undercounted only until its listing is first read, which teaches its size. An
 * ordered listing, which the gateway bounds itself, is assumed at its bound instead (MAX_ORDER_PAGES).
 */
const DEFAULT_LISTING_PAGES = 1;
const DEFAULT_FIRST = 50;

/** A field's arguments; undefined when they cannot be read: the rules then assume the most expensive. */
export type Args = Readonly<Record<string, unknown>> | undefined;

/** What a device or user object holds of its Kazoo document: all of it, or some keys (a listing row; none: its id). */
export type Holds = 'document' | ReadonlySet<string>;

/**
 * The accounts the objects at one point of an operation belong to. An entry is undefined for an account the analysis
 * cannot name (the token's, when its JWT does not say): its listings are costed at their defaults.
 */
export type Accounts = readonly (string | undefined)[];

/** One field of an operation, as its rule sees it. */
export interface Batch {
  args: Args;
  /** Objects the field is asked of. */
  parents: number;
  accounts: Accounts;
  /** Kazoo pages the account's listing took when last read whole; undefined when not known. */
  learnedPages: (account: string | undefined, listing: Listing) => number | undefined;
}

export interface FieldRule {
  /** Calls the resolver makes itself, once for this field in the document (root fields). */
  calls?: (batch: Batch) => number;
  /** Calls the resolver makes itself for each parent (an account's connections). */
  callsPerParent?: (batch: Batch) => number;
  /** The loaders the resolver reads through: LOADER_READS says what they cost, batched as they batch. */
  loads?: readonly (keyof Loaders)[];
  /** Objects yielded per parent (lists). Default 1. */
  yields?: (args: Args) => number;
  /** What the devices or users it yields hold; default: what its first loader's objects hold, else the parent's. */
  holds?: Holds;
  /** Keys of the parent's Kazoo document it reads: some keys, or the whole document. */
  reads?: readonly string[] | 'document';
  /** A root field's accounts, when its arguments do not name them the usual way (namedAccounts). */
  accounts?: (args: Args, tokenAccount: string | undefined) => Accounts;
}

const once = (): number => 1;
const sum = <T>(items: readonly T[], count: (item: T) => number): number => items.reduce((total, item) => total + count(item), 0);

/** Reads nothing of its parent's document and calls nothing: what the parent built or read already. */
const NO_CALL: FieldRule = { reads: [] };
/** Reads these keys of its device or user document, as its resolver says, and calls nothing itself. */
const reads = (...keys: string[]): FieldRule => ({ reads: keys });
const noCalls = (...fields: string[]): Record<string, FieldRule> => Object.fromEntries(fields.map((field) => [field, NO_CALL]));

function listingPages(batch: Batch, account: string | undefined, listing: Listing): number {
  return batch.learnedPages(account, listing) ?? DEFAULT_LISTING_PAGES;
}

/** What one use of a loader costs: LOADER_READS, applied to the field's parents and accounts. */
function loaderCalls(loader: LoaderReads, batch: Batch): number {
  if (batch.parents === 0) return 0;
  const { reads: what } = loader;
  if (what === 'one') return loader.per === 'account' ? batch.accounts.length : batch.parents;
  if ('listing' in what) return sum(batch.accounts, (account) => listingPages(batch, account, what.listing));
  // Many parents are taken to mean many distinct ids; the rare page whose devices share exactly two owners makes one
  // call more.
  if (batch.parents < LISTING_THRESHOLD) return batch.parents;
  const [only, ...others] = batch.accounts;
  if (others.length === 0) return listingPages(batch, only, what.summaryOf);
  // Parents spread over several accounts (`nodes`): each account listed, or its few ids fetched one by one.
  return sum(batch.accounts, (account) => Math.max(LISTING_THRESHOLD - 1, listingPages(batch, account, what.summaryOf)));
}

/** What the objects of a loader hold: a summary loader asked for few ids reads their whole documents. */
function loaderHolds(loader: LoaderReads, parents: number): Holds | undefined {
  const { reads: what } = loader;
  if (typeof what === 'object' && 'summaryOf' in what && parents < LISTING_THRESHOLD) return 'document';
  return loader.holds;
}

/** The Kazoo calls of a field at one point of an operation: its resolver's own, and its loaders'. */
export function callsOf(rule: FieldRule, batch: Batch): number {
  const own = (rule.calls?.(batch) ?? 0) + batch.parents * (rule.callsPerParent?.(batch) ?? 0);
  return own + sum(rule.loads ?? [], (loader) => loaderCalls(LOADER_READS[loader], batch));
}

/** What the devices or users a field yields hold, from `parents` parents holding `parentHolds`. */
export function holdsOf(rule: FieldRule, parents: number, parentHolds: Holds): Holds {
  if (rule.holds !== undefined) return rule.holds;
  const loader = rule.loads?.[0];
  return (loader === undefined ? undefined : loaderHolds(LOADER_READS[loader], parents)) ?? parentHolds;
}

function first(args: Args): number {
  if (args === undefined) return MAX_PAGE;
  const value = args.first;
  if (value === undefined || value === null) return DEFAULT_FIRST;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_PAGE ? value : MAX_PAGE;
}

function pages(args: Args): number {
  return Math.ceil((first(args) + 1) / MAX_PAGE);
}

/** The filters given (null ones and a blank `search` are not filters); unreadable arguments: the costliest, `registered`. */
function filtersOf(args: Args): string[] {
  if (args === undefined) return ['registered'];
  const filter = args.filter;
  if (!isRecord(filter)) return [];
  return Object.entries(filter).flatMap(([name, value]) =>
    value === null || value === undefined || (name === 'search' && !isSearch(value)) ? [] : [name],
  );
}

/** The `orderBy` field of `devices`; unreadable arguments: the costliest, `OWNER`. */
function deviceOrder(args: Args): unknown {
  if (args === undefined) return 'OWNER';
  return isRecord(args.orderBy) ? args.orderBy.field : undefined;
}

/** A sort reads the whole listing, up to its bound (listing-order.ts); an account not listed yet: the bound. */
function orderedPages(batch: Batch, listing: Listing): number {
  return Math.max(...batch.accounts.map((account) => Math.min(MAX_ORDER_PAGES, batch.learnedPages(account, listing) ?? MAX_ORDER_PAGES)));
}

function devicePages(batch: Batch): number {
  const filters = filtersOf(batch.args);
  const registrations = filters.includes('registered') ? 1 : 0;
  const order = deviceOrder(batch.args);
  if (order !== undefined) return orderedPages(batch, 'devices') + (order === 'OWNER' ? orderedPages(batch, 'users') : 0) + registrations;
  if (filters.length === 0) return pages(batch.args);
  return MAX_LISTING_PAGES + registrations;
}

function userPages(batch: Batch): number {
  return filtersOf(batch.args).length === 0 ? pages(batch.args) : MAX_LISTING_PAGES;
}

/** `nodes(ids:)`: one read per id, each object a whole document. */
function nodeCount(args: Args): number {
  return Array.isArray(args?.ids) ? args.ids.length : MAX_NODES;
}

/** The Kazoo account an `accountId`-like argument names (a Kazoo id or an Account's global id). */
function accountNamedBy(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (isKazooId(value)) return value;
  const address = parseGlobalId(value);
  return address?.type === 'Account' ? address.accountId : undefined;
}

/**
 * The accounts a root field acts in, read from its arguments as src/graphql/scope.ts reads them: `accountId`, else
 * the account a global `id` (or each of `ids`) names, else the token's.
 */
export function namedAccounts(args: Args, tokenAccount: string | undefined): Accounts {
  if (args === undefined) return [undefined];
  if (args.accountId !== undefined && args.accountId !== null) return [accountNamedBy(args.accountId)];
  if (typeof args.id === 'string') return [parseGlobalId(args.id)?.accountId ?? tokenAccount];
  if (Array.isArray(args.ids) && args.ids.length > 0) {
    return [...new Set(args.ids.map((id) => (typeof id === 'string' ? parseGlobalId(id)?.accountId : undefined) ?? tokenAccount))];
  }
  return [tokenAccount];
}

/**
 * The connections, shared by the root lists and an account's own (Account.devices is Query.devices). Each parent's
 * connection reads its own pages (an account's lists under a page of devices list once per device). The connection
 * field yields `first` objects: the multiplier is carried through the connection, its edges and nodes, to the
 * devices themselves, which hold listing rows.
 */
/** deviceChanged, userChanged: the account check, and the listing of an initial state of every document. */
function documentChanges(listing: Listing): FieldRule {
  return {
    calls: (batch) => {
      const everyDocument = !Array.isArray(batch.args?.ids) && batch.args?.initial === true;
      return 1 + (everyDocument ? sum(batch.accounts, (account) => listingPages(batch, account, listing)) : 0);
    },
    // Each event runs on its own and reads its one document (an initial state's come from the listing above).
    yields: once,
  };
}

const DEVICES: FieldRule = { callsPerParent: devicePages, yields: first, holds: LISTING_ROW_KEYS.devices };
const USERS: FieldRule = { callsPerParent: userPages, yields: first, holds: LISTING_ROW_KEYS.users };
const REGISTRATIONS: FieldRule = { loads: ['registrations'], yields: () => ASSUMED_LIST_LENGTH };
const MUTATION: FieldRule = { calls: once };
/** A device action's payload holds the device by id only: any other field reads it. */
const DEVICE_ACTION: FieldRule = { calls: once, holds: new Set() };

/** The explicit rules, by type and field. */
export type CostRules = Readonly<Record<string, Readonly<Record<string, FieldRule>>>>;

export const COST_RULES: CostRules = {
  Query: {
    viewer: { calls: once },
    // A device or user is one GET, a registration one registration list, an account nothing until its fields ask.
    node: { calls: once, holds: 'document' },
    nodes: { calls: (batch) => nodeCount(batch.args), yields: nodeCount, holds: 'document' },
    account: { accounts: (args, tokenAccount) => (args === undefined ? [undefined] : [accountNamedBy(args.id) ?? tokenAccount]) },
    device: { loads: ['device'] },
    user: { loads: ['user'] },
    devices: DEVICES,
    users: USERS,
    registrations: REGISTRATIONS,
  },
  Mutation: {
    loginWithCredentials: MUTATION,
    loginWithApiKey: MUTATION,
    createDevice: MUTATION,
    updateDevice: MUTATION,
    replaceDevice: MUTATION,
    deleteDevice: MUTATION,
    syncDevice: DEVICE_ACTION,
    notifyDevice: DEVICE_ACTION,
    resetDevicePresence: DEVICE_ACTION,
    // The device is read with the caller's token before the call is placed: two calls, and the device is whole.
    quickcallDevice: { calls: () => 2 },
    createUser: MUTATION,
    updateUser: MUTATION,
    replaceUser: MUTATION,
    deleteUser: MUTATION,
  },
  Subscription: {
    // The account check; with `initial` and no `deviceIds`, the account's devices listing too. A batch of events
    // holds the devices named in `deviceIds`, or up to ASSUMED_LIST_LENGTH. Polling Kazoo is shared by every
    // subscriber of an account and is not counted.
    registrationChanged: {
      calls: (batch) => {
        const everyDevice = !Array.isArray(batch.args?.deviceIds) && (batch.args === undefined || batch.args.initial === true);
        return 1 + (everyDevice ? sum(batch.accounts, (account) => listingPages(batch, account, 'devices')) : 0);
      },
      yields: (args) => (Array.isArray(args?.deviceIds) ? args.deviceIds.length : ASSUMED_LIST_LENGTH),
    },
    // The same for documents: the account check, and with `initial` and no `ids` the account's listing.
    deviceChanged: documentChanges('devices'),
    userChanged: documentChanges('users'),
  },
  Account: {
    ...noCalls('id', 'kazooId'),
    name: { loads: ['account'] },
    devices: DEVICES,
    users: USERS,
    registrations: REGISTRATIONS,
    registrationSummary: { loads: ['deviceListing', 'registrations'] },
  },
  Viewer: {
    account: NO_CALL,
    // token_auth usually names the account; older Kazoo versions need the account document.
    accountName: { loads: ['account'] },
    owner: { loads: ['userSummary'] },
  },
  Device: {
    ...noCalls('id', 'kazooId', 'accountId', 'account'),
    name: reads('name'),
    deviceType: reads('device_type'),
    kazooDeviceType: reads('device_type'),
    enabled: reads('enabled'),
    ownerId: reads('owner_id'),
    macAddress: reads('mac_address'),
    outboundFlags: reads('outbound_flags'),
    hotdesk: reads('hotdesk'),
    owner: { reads: ['owner_id'], loads: ['userSummary'] },
    registration: { reads: [], loads: ['registrations'] },
    raw: { reads: 'document' },
  },
  DeviceHotdesk: { users: { yields: () => ASSUMED_HOTDESKED_USERS } },
  HotdeskedUser: { user: { loads: ['userSummary'] } },
  User: {
    ...noCalls('id', 'kazooId', 'accountId', 'account'),
    fullName: reads('first_name', 'last_name'),
    devices: { reads: [], loads: ['userDevices'], yields: () => ASSUMED_DEVICES_PER_USER },
    raw: { reads: 'document' },
  },
  UserDevice: noCalls('device'),
  Registration: {
    ...noCalls('id', 'userAgent', 'contact', 'contactIp', 'contactPort', 'sourceIp', 'expiresAt', 'registeredAt', 'username', 'realm'),
    device: { loads: ['deviceSummary'] },
  },
  RegistrationEvent: {
    registration: NO_CALL,
    device: { loads: ['deviceSummary'] },
  },
  // A change reads the document (an initial state starts from the listing its subscription already paid for).
  DeviceChangeEvent: { ...noCalls('deviceId', 'kazooId'), device: { loads: ['device'] } },
  UserChangeEvent: { ...noCalls('userId', 'kazooId'), user: { loads: ['user'] } },
  DeviceConnection: noCalls('edges', 'nodes'),
  DeviceEdge: noCalls('node'),
  UserConnection: noCalls('edges', 'nodes'),
  UserEdge: noCalls('node'),
  // Mutation payloads: what the mutation wrote or read, whole (a device action's device by id, DEVICE_ACTION).
  CreateDevicePayload: noCalls('device', 'deviceEdge'),
  UpdateDevicePayload: noCalls('device'),
  ReplaceDevicePayload: noCalls('device'),
  SyncDevicePayload: noCalls('device'),
  NotifyDevicePayload: noCalls('device'),
  ResetDevicePresencePayload: noCalls('device'),
  QuickcallDevicePayload: noCalls('call'),
  Quickcall: noCalls('device'),
  CreateUserPayload: noCalls('user', 'userEdge'),
  UpdateUserPayload: noCalls('user'),
  ReplaceUserPayload: noCalls('user'),
  // Kazoo sub-objects reshaped by resolvers of their own, from the value the parent holds.
  Media: noCalls('bypassMedia'),
  DialPlan: noCalls('rules'),
  CustomSipHeaders: noCalls('both'),
  Provision: noCalls('comboKeys', 'featureKeys'),
  Formatter: noCalls('rules'),
};

/** Whether a field has a resolver of its own (in src/graphql/resolvers), rather than the Kazoo mapping's or a property read. */
export type HasOwnResolver = (typeName: string, fieldName: string) => boolean;

export const hasGatewayResolver: HasOwnResolver = (typeName, fieldName) => {
  const typeResolvers: unknown = (resolvers as Record<string, unknown>)[typeName];
  return isRecord(typeResolvers) && Object.hasOwn(typeResolvers, fieldName);
};

/** A built type (`@computed`): its fields read the gateway's own models, not Kazoo JSON. */
function isComputed(type: GraphQLNamedType): boolean {
  return type.astNode?.directives?.some((directive) => directive.name.value === 'computed') === true;
}

/** A Kazoo document the gateway may hold only partly (a device, a user): a Node read from Kazoo, not built. */
export function isDocumentType(type: GraphQLNamedType): boolean {
  return isObjectType(type) && !isComputed(type) && type.getInterfaces().some((face) => face.name === 'Node');
}

function rootTypes(schema: GraphQLSchema): Set<GraphQLObjectType> {
  return new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type != null));
}

function isListField(field: GraphQLField<unknown, unknown>): boolean {
  return isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
}

/** Where a field's rule came from. */
export type RuleOrigin = 'explicit' | 'documentKey' | 'parentValue';

export interface CompiledCostRules {
  /** The schema's query, mutation and subscription types. */
  roots: ReadonlySet<GraphQLObjectType>;
  /** Devices and users: objects that may hold only part of their Kazoo document (isDocumentType). */
  documents: ReadonlySet<GraphQLObjectType>;
  /** Every field of every object type has one. */
  ruleOf(type: GraphQLObjectType, fieldName: string): FieldRule | undefined;
  originOf(type: GraphQLObjectType, fieldName: string): RuleOrigin | undefined;
  /** Object, interface and union types from which an operation may reach a Kazoo call. */
  costly: ReadonlySet<string>;
  /** Fields that need an explicit rule and have none, and rules for fields the schema lacks; empty when sound. */
  problems: readonly string[];
}

export function compileCostRules(
  schema: GraphQLSchema,
  hasOwnResolver: HasOwnResolver = hasGatewayResolver,
  rules: CostRules = COST_RULES,
): CompiledCostRules {
  const problems: string[] = [];
  const roots = rootTypes(schema);
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'),
  );
  for (const [typeName, fields] of Object.entries(rules)) {
    const type = schema.getType(typeName);
    for (const fieldName of Object.keys(fields)) {
      if (!isObjectType(type) || type.getFields()[fieldName] === undefined) {
        problems.push(`${typeName}.${fieldName}: a cost rule for a field the schema does not have`);
      }
    }
  }

  const explicit = (type: GraphQLObjectType, name: string): FieldRule | undefined => rules[type.name]?.[name];
  // A field calls Kazoo itself when its rule says so, or when it has a resolver of its own and no rule (unknown).
  const calls = (type: GraphQLObjectType, name: string): boolean => {
    const rule = explicit(type, name);
    if (rule === undefined) return hasOwnResolver(type.name, name) || roots.has(type);
    return rule.calls !== undefined || rule.callsPerParent !== undefined || (rule.loads?.length ?? 0) > 0;
  };
  const costly = new Set<string>();
  for (const type of objectTypes) {
    if (isDocumentType(type) || Object.keys(type.getFields()).some((name) => calls(type, name))) costly.add(type.name);
  }
  // Whatever leads to a costly type is costly: to a fixed point (the schema has cycles, Device -> User -> Device).
  for (let grew = true; grew; ) {
    grew = false;
    for (const type of Object.values(schema.getTypeMap())) {
      if (costly.has(type.name) || type.name.startsWith('__')) continue;
      const leads = isObjectType(type)
        ? Object.values(type.getFields()).some((field) => costly.has(getNamedType(field.type).name))
        : isAbstractType(type) && schema.getPossibleTypes(type).some((possible) => costly.has(possible.name));
      if (leads) {
        costly.add(type.name);
        grew = true;
      }
    }
  }

  const compiled = new Map<GraphQLObjectType, Map<string, { rule: FieldRule; origin: RuleOrigin }>>();
  for (const type of objectTypes) {
    const byField = new Map<string, { rule: FieldRule; origin: RuleOrigin }>();
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const rule = explicit(type, field.name);
      if (rule !== undefined) {
        // Left out, a document field's reads would read as none: a field that needs the document would be free.
        if (isDocumentType(type) && rule.reads === undefined) problems.push(`${coordinate}: its cost rule does not say what it reads of the document`);
        byField.set(field.name, { rule, origin: 'explicit' });
        continue;
      }
      const fieldType = getNamedType(field.type);
      if (roots.has(type)) problems.push(`${coordinate}: a root field without a cost rule`);
      else if (hasOwnResolver(type.name, field.name)) problems.push(`${coordinate}: has a resolver of its own but no cost rule`);
      else if (costly.has(fieldType.name)) {
        problems.push(`${coordinate}: yields ${isListField(field) ? 'a list of ' : ''}${fieldType.name}, which may call Kazoo, but has no cost rule`);
      }
      byField.set(
        field.name,
        isDocumentType(type)
          ? { rule: { reads: [kazooKeyOf(schema, field)] }, origin: 'documentKey' }
          : { rule: NO_CALL, origin: 'parentValue' },
      );
    }
    compiled.set(type, byField);
  }

  return {
    roots,
    documents: new Set(objectTypes.filter(isDocumentType)),
    ruleOf: (type, name) => compiled.get(type)?.get(name)?.rule,
    originOf: (type, name) => compiled.get(type)?.get(name)?.origin,
    costly,
    problems,
  };
}

/** Thrown when the gateway starts with a field that may call Kazoo and has no cost rule. */
export class UncostedFieldsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The cost model has no rule for fields that may call Kazoo (src/server/cost-rules.ts):\n${problems.join('\n')}`);
    this.name = 'UncostedFieldsError';
  }
}

const compiledBySchema = new WeakMap<GraphQLSchema, CompiledCostRules>();

/** The gateway's rules for `schema`, compiled once; UncostedFieldsError when any field that needs a rule lacks one. */
export function costModelFor(schema: GraphQLSchema): CompiledCostRules {
  let compiled = compiledBySchema.get(schema);
  if (compiled === undefined) {
    compiled = compileCostRules(schema);
    if (compiled.problems.length > 0) throw new UncostedFieldsError(compiled.problems);
    compiledBySchema.set(schema, compiled);
  }
  return compiled;
}
