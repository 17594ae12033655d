// The cost model: how many Crossbar calls an operation may make, estimated from the document (and its variables)
// before it runs, so an operation that would fan out into thousands of upstream calls is refused instead of draining
// Kazoo's per-account rate limit for everybody behind the gateway. It follows how the gateway actually calls Kazoo
// (src/loaders, src/graphql/models.ts), counting calls, not fields:
//
// - A root read is one call (`viewer`, `device`, `user`, `registrations`, `node`; `nodes` one per id); a mutation is
//   its calls: one, or two for `quickcallDevice` (the device is read with the caller's token before the call is
//   placed). An Account costs nothing until its fields read: its lists cost as the root lists, its name one read,
//   its registration summary a listing and a registration list.
// - A connection (`devices`, `users`) costs its Crossbar pages: one per 1000 rows asked (`first`, default 50). With
//   any filter (Kazoo's `ownerId` and `enabled`, or the gateway's own `deviceType`, `registered` and `search`; a blank
//   `search` is none) the gateway reads full pages until the page is filled, up to MAX_LISTING_PAGES
//   (src/graphql/pagination.ts): such a connection costs that bound, plus the registration list for `registered`.
//   With `orderBy` the gateway reads the whole listing, up to MAX_ORDER_PAGES (src/graphql/listing-order.ts), and for
//   `OWNER` the users listing too, up to the same bound: it costs those bounds, plus the registration list for
//   `registered`. A connection yields `first` nodes.
// - A device or user from a listing holds only the listing's keys (the summary). Selecting any field the summary lacks
//   (`sip`, `callerId`, `raw`...) costs one GET per node, however many such fields are selected.
//   Objects from `device`, `user`, `viewer.owner` and mutation payloads are whole documents: their fields are free.
//   The exception is the device a device action (`syncDevice`, `notifyDevice`, `resetDevicePresence`) answers,
//   held by id only: any field but its ids costs one GET.
// - Batched per account, so counted once per field in the document whatever the number of parent nodes:
//   `Device.registration` (one registration list), `Device.owner` and `Registration.device` (one listing of the
//   account, or a GET each when fewer than LISTING_THRESHOLD ids are asked).
// - `User.devices` costs one call per user, and yields ASSUMED_DEVICES_PER_USER devices each.
// - Lists whose length Kazoo alone knows (`registrations`) are assumed to hold ASSUMED_LIST_LENGTH items.
// - A subscription costs its account check, then per batch of events what its fields need: a batch holds the devices
//   named in `deviceIds`, or up to ASSUMED_LIST_LENGTH (with `initial`, every device of the account). Polling Kazoo
//   is shared by all subscribers of an account and is not counted.
// - A field of an interface type (`node: Node`) costs what the costliest of its object types would.
// - Introspection and `__typename` cost nothing, and introspection's depth is graphql-js's to bound; the aliases and
//   selections under `__schema` and `__type` count like any others.
//
// Arguments are read as graphql-js will run them: with the variables coerced, defaults included. When the variables
// cannot be coerced (the operation will not run) every argument is taken at its most expensive (`first: 1000`...).
// Fragments are expanded at most once per selection set, as graphql-js executes them, and the walk stops after
// MAX_ANALYSED_SELECTIONS selections (the operation is then refused as too complex): analysing any document, however
// its fragments nest, takes time bounded by that number, over HTTP and WebSocket alike.
//
// The dashboard query (`devices(first: 200) { edges { node { id name registration { registered } owner { firstName
// lastName } } } }`) costs 1 page + 1 registration list + 1 owners listing = 3. Asking the same page for
// `sip { username }` costs 203; `users(first: 1000) { nodes { devices { device { raw } } } }` costs 11 002.
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
} from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { kazooKeyOf } from '../graphql/kazoo-mapping.js';
import { MAX_ORDER_PAGES } from '../graphql/listing-order.js';
import { isSearch } from '../graphql/listing-search.js';
import { MAX_LISTING_PAGES, MAX_PAGE } from '../graphql/pagination.js';
import { isRecord } from '../kazoo/client.js';
import { DEVICE_SUMMARY_KEYS, USER_DEVICE_SUMMARY_KEYS, USER_SUMMARY_KEYS } from '../kazoo/types.js';
import { MAX_NODES } from '../graphql/resolvers/node.js';
import { LISTING_THRESHOLD } from '../loaders/summaries.js';

/** Items assumed in a list whose length only Kazoo knows (the registrations of an account). */
const ASSUMED_LIST_LENGTH = 1000;
/** Devices assumed per user for `User.devices`. */
const ASSUMED_DEVICES_PER_USER = 10;
/**
 * Selections the analysis walks at most, fragments expanded (each spread once per selection set, as graphql-js does);
 * an operation with more is refused as QUERY_TOO_COMPLEX. Apollo's own count over HTTP (maxRecursiveSelections, which
 * expands every spread) uses the same number.
 */
export const MAX_ANALYSED_SELECTIONS = 10_000;
const DEFAULT_FIRST = 50;

/** Where a device or user object came from, which decides which of its fields are free. */
type Source = 'document' | 'reference' | 'deviceListing' | 'userListing' | 'userDeviceListing';

const SUMMARY_KEYS: Record<Exclude<Source, 'document'>, ReadonlySet<string>> = {
  // Only the ids: the object is the one a mutation named.
  reference: new Set(),
  deviceListing: DEVICE_SUMMARY_KEYS,
  userListing: USER_SUMMARY_KEYS,
  userDeviceListing: USER_DEVICE_SUMMARY_KEYS,
};

/** A field's arguments; undefined when they cannot be read: the rules then assume the most expensive. */
type Args = Readonly<Record<string, unknown>> | undefined;

interface FieldRule {
  /** Calls made once for this field in the document, whatever the number of parents (batched per account). */
  batched?: (args: Args, parents: number) => number;
  /** Calls made for each parent. */
  perParent?: number;
  /** Objects yielded per parent (lists). Default 1. */
  yields?: (args: Args) => number;
  /** Where the yielded devices or users come from; default: the parent's source. */
  source?: Source;
  /** Keys of the parent's Kazoo document the field reads; default: the field's own Kazoo key. */
  reads?: readonly string[] | 'document';
}

const once = (): number => 1;
/**
 * One listing of the account, or a GET per id below the listing threshold (src/loaders/summaries.ts). Many parents
 * are taken to mean many distinct ids; the rare page whose devices share exactly two owners makes one call more.
 */
const summaryBatch = (_args: Args, parents: number): number => (parents < LISTING_THRESHOLD ? parents : 1);

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

function devicePages(args: Args): number {
  const filters = filtersOf(args);
  const registrations = filters.includes('registered') ? 1 : 0;
  const order = deviceOrder(args);
  if (order !== undefined) return MAX_ORDER_PAGES + (order === 'OWNER' ? MAX_ORDER_PAGES : 0) + registrations;
  if (filters.length === 0) return pages(args);
  return MAX_LISTING_PAGES + registrations;
}

function userPages(args: Args): number {
  return filtersOf(args).length === 0 ? pages(args) : MAX_LISTING_PAGES;
}

/** `nodes(ids:)`: one read per id, each object a whole document. */
function nodeCount(args: Args): number {
  return Array.isArray(args?.ids) ? args.ids.length : MAX_NODES;
}

/** The connection rules, shared by the root lists and an account's own (Account.devices is Query.devices). */
const DEVICES_RULE: FieldRule = { batched: devicePages, yields: first, source: 'deviceListing' };
const USERS_RULE: FieldRule = { batched: userPages, yields: first, source: 'userListing' };
const REGISTRATIONS_RULE: FieldRule = { batched: once, yields: () => ASSUMED_LIST_LENGTH };

const RULES: Record<string, Record<string, FieldRule>> = {
  Query: {
    viewer: { batched: once },
    // A device or user is one GET, a registration one registration list, an account nothing until its fields ask.
    node: { batched: once, source: 'document' },
    nodes: { batched: nodeCount, yields: nodeCount, source: 'document' },
    account: {},
    device: { batched: once, source: 'document' },
    user: { batched: once, source: 'document' },
    // The multiplier is carried through the connection, its edges and nodes, to the devices themselves.
    devices: DEVICES_RULE,
    users: USERS_RULE,
    registrations: REGISTRATIONS_RULE,
  },
  Account: {
    name: { batched: once },
    devices: DEVICES_RULE,
    users: USERS_RULE,
    registrations: REGISTRATIONS_RULE,
    // A listing of the account's devices and its registration list.
    registrationSummary: { batched: () => 2 },
  },
  Viewer: {
    // token_auth usually names the account; older Kazoo versions need the account document.
    accountName: { batched: once },
    owner: { batched: once, source: 'document' },
  },
  Device: {
    id: { reads: [] },
    kazooId: { reads: [] },
    accountId: { reads: [] },
    account: { reads: [] },
    owner: { reads: ['owner_id'], batched: summaryBatch, source: 'userListing' },
    registration: { reads: [], batched: once },
    raw: { reads: 'document' },
  },
  User: {
    id: { reads: [] },
    kazooId: { reads: [] },
    accountId: { reads: [] },
    account: { reads: [] },
    fullName: { reads: ['first_name', 'last_name'] },
    devices: { reads: [], perParent: 1, yields: () => ASSUMED_DEVICES_PER_USER, source: 'userDeviceListing' },
    raw: { reads: 'document' },
  },
  Registration: {
    device: { batched: summaryBatch, source: 'deviceListing' },
  },
  Subscription: {
    registrationChanged: {
      batched: once,
      yields: (args) => (Array.isArray(args?.deviceIds) ? args.deviceIds.length : ASSUMED_LIST_LENGTH),
    },
  },
  RegistrationEvent: {
    device: { batched: summaryBatch, source: 'deviceListing' },
  },
  // Every other mutation is one call (MUTATION_FIELD).
  Mutation: {
    quickcallDevice: { batched: () => 2 },
  },
  SyncDevicePayload: { device: { source: 'reference' } },
  NotifyDevicePayload: { device: { source: 'reference' } },
  ResetDevicePresencePayload: { device: { source: 'reference' } },
};

/** A mutation without a rule of its own: one write, action or login call. */
const MUTATION_FIELD: FieldRule = { batched: once };

/** Types whose objects are Kazoo documents the gateway may hold only partly. */
const DOCUMENT_TYPES = new Set(['Device', 'User']);

interface OperationAnalysis {
  /** Estimated Crossbar calls. */
  cost: number;
  /** Deepest field nesting, introspection excluded (graphql-js limits introspection depth itself). */
  depth: number;
  /** Aliased fields, fragments expanded. */
  aliases: number;
  /**
   * Selections walked, fragments expanded. Past MAX_ANALYSED_SELECTIONS the walk stops: the other numbers are then
   * what was counted until then.
   */
  selections: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  /** The operation's variables, coerced; undefined when they could not be. */
  variables: Readonly<Record<string, unknown>> | undefined;
  aliases: number;
  depth: number;
  selections: number;
}

/** Thrown through the walk when it passes MAX_ANALYSED_SELECTIONS. */
class SelectionBoundReached extends Error {}

/**
 * Analyses a validated operation (fragment cycles are already refused by validation). `variables` are the request's
 * raw variables, coerced here as graphql-js will coerce them.
 */
export function analyseOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> = {},
): OperationAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 }).coerced;
  const walk: Walk = { schema, fragments, variables: coerced, aliases: 0, depth: 0, selections: 0 };
  if (root === undefined || root === null) return { cost: 0, depth: 0, aliases: 0, selections: 0 };
  const defaultRule = operation.operation === 'mutation' ? MUTATION_FIELD : undefined;
  let cost = 0;
  try {
    cost = selectionCost(walk, root, [operation.selectionSet], 1, 'document', 1, defaultRule);
  } catch (error) {
    if (!(error instanceof SelectionBoundReached)) throw error;
  }
  return { cost, depth: walk.depth, aliases: walk.aliases, selections: walk.selections };
}

function selectionCost(
  walk: Walk,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  parents: number,
  source: Source,
  depth: number,
  /** The rule of the fields without one of their own (mutations). */
  defaultRule?: FieldRule,
): number {
  const fields = collectFields(walk, type, selectionSets);
  let cost = 0;
  let needsDocument = false;
  for (const nodes of fields.values()) {
    const node = nodes[0] as FieldNode;
    const name = node.name.value;
    if (name.startsWith('__')) {
      const meta = metaField(walk.schema, type, name);
      const metaType = meta === undefined ? undefined : getNamedType(meta.type);
      if (isObjectType(metaType)) walkIntrospection(walk, metaType, selectionSetsOf(nodes));
      continue;
    }
    walk.depth = Math.max(walk.depth, depth);
    const field = type.getFields()[name];
    if (field === undefined) continue;
    const rule = RULES[type.name]?.[name] ?? defaultRule ?? {};
    if (DOCUMENT_TYPES.has(type.name) && source !== 'document' && !summaryHolds(walk.schema, field, rule, source)) {
      needsDocument = true;
    }
    const args = argumentsOf(field, node, walk.variables);
    cost += (rule.batched?.(args, parents) ?? 0) + parents * (rule.perParent ?? 0);
    const childType = getNamedType(field.type);
    const children = parents * (rule.yields?.(args) ?? 1);
    if (isObjectType(childType)) {
      cost += selectionCost(walk, childType, selectionSetsOf(nodes), children, rule.source ?? source, depth + 1);
    } else if (isAbstractType(childType)) {
      // An interface (`Node`) or union: whichever object type it turns out to be, the costliest is counted.
      let costliest = 0;
      for (const possible of walk.schema.getPossibleTypes(childType)) {
        costliest = Math.max(costliest, selectionCost(walk, possible, selectionSetsOf(nodes), children, rule.source ?? source, depth + 1));
      }
      cost += costliest;
    }
  }
  return cost + (needsDocument ? parents : 0);
}

/** Under `__schema` and `__type`: nothing costs and depth is graphql-js's to bound, but aliases and selections count. */
function walkIntrospection(walk: Walk, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): void {
  for (const nodes of collectFields(walk, type, selectionSets).values()) {
    const name = (nodes[0] as FieldNode).name.value;
    const field = metaField(walk.schema, type, name) ?? type.getFields()[name];
    const childType = field === undefined ? undefined : getNamedType(field.type);
    if (isObjectType(childType)) walkIntrospection(walk, childType, selectionSetsOf(nodes));
  }
}

/** The introspection fields graphql-js adds to every type (`__typename`) and to the query root (`__schema`, `__type`). */
function metaField(schema: GraphQLSchema, type: GraphQLObjectType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (type !== schema.getQueryType()) return undefined;
  if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  return undefined;
}

function selectionSetsOf(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet === undefined ? [] : [node.selectionSet]));
}

/**
 * Fields by response key, as graphql-js executes them: fragments expanded, each at most once per selection set
 * (`visitedFragmentNames` in graphql-js), same-key fields merged. Every selection met counts towards the bound.
 */
function collectFields(
  walk: Walk,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fields = new Map<string, FieldNode[]>(),
  visitedFragments = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      walk.selections++;
      if (walk.selections > MAX_ANALYSED_SELECTIONS) throw new SelectionBoundReached();
      if (selection.kind === Kind.FIELD) {
        if (selection.alias !== undefined) walk.aliases++;
        const key = selection.alias?.value ?? selection.name.value;
        const group = fields.get(key);
        if (group === undefined) fields.set(key, [selection]);
        else group.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (appliesTo(walk.schema, selection.typeCondition?.name.value, type)) {
          collectFields(walk, type, [selection.selectionSet], fields, visitedFragments);
        }
      } else {
        const name = selection.name.value;
        if (visitedFragments.has(name)) continue;
        visitedFragments.add(name);
        const fragment = walk.fragments.get(name);
        if (fragment !== undefined && appliesTo(walk.schema, fragment.typeCondition.name.value, type)) {
          collectFields(walk, type, [fragment.selectionSet], fields, visitedFragments);
        }
      }
    }
  }
  return fields;
}

/** Whether a fragment's type condition holds for `type`: it names the type, or an interface or union it belongs to. */
function appliesTo(schema: GraphQLSchema, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (typeCondition === undefined || typeCondition === type.name) return true;
  const condition = schema.getType(typeCondition);
  return isAbstractType(condition) && schema.isSubType(condition, type);
}

function argumentsOf(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Walk['variables']): Args {
  if (variables === undefined) return undefined;
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    return undefined;
  }
}

/** Whether a listing row already holds what the field reads. */
function summaryHolds(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, rule: FieldRule, source: Source): boolean {
  if (source === 'document') return true;
  if (rule.reads === 'document') return false;
  const keys = SUMMARY_KEYS[source];
  return (rule.reads ?? [kazooKeyOf(schema, field)]).every((key) => keys.has(key));
}

