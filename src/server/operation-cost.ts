// The cost model: how many Crossbar calls an operation may make, estimated from the document (and its variables)
// before it runs, so an operation that would fan out into thousands of upstream calls is refused instead of draining
// Kazoo's per-account rate limit for everybody behind the gateway. It walks the operation as graphql-js will run it
// and counts calls, not fields, by the rules of cost-rules.ts: every field has one, and the gateway refuses to start
// when a field that may call Kazoo has none (fails closed). In short:
//
// - A root read is one call (`viewer`, `device`, `user`, `registrations`, `node`; `nodes` one per id); a mutation is
//   its calls: one, or two for `quickcallDevice` (the device is read with the caller's token before the call is
//   placed). An Account costs nothing until its fields read: its lists cost as the root lists, its name one read,
//   its registration summary its devices listing and a registration list.
// - A connection (`devices`, `users`) costs its Crossbar pages: one per 1000 rows asked (`first`, default 50). With
//   any filter (Kazoo's `ownerId` and `enabled`, or the gateway's own `deviceType`, `registered` and `search`; a blank
//   `search` is none) the gateway reads full pages until the page is filled, up to MAX_LISTING_PAGES
//   (src/graphql/pagination.ts): such a connection costs that bound, plus the registration list for `registered`.
//   With `orderBy` the gateway reads the whole listing (and for `OWNER` the users listing too): each costs its
//   learned size (below), at most MAX_ORDER_PAGES, and MAX_ORDER_PAGES for an account not listed yet. A connection
//   yields `first` nodes; an account's connections under many accounts cost once per account.
// - A device or user from a listing holds only the listing's keys (the summary). Selecting any field the summary lacks
//   (`sip`, `callerId`, `raw`...) costs one GET per node, however many such fields are selected.
//   Objects from `device`, `user`, `node`, `nodes`, `viewer.owner` and mutation payloads are whole documents: their
//   fields are free. The exception is the device a device action (`syncDevice`, `notifyDevice`,
//   `resetDevicePresence`) answers, held by id only: any field but its ids costs one GET.
// - Fields read through loaders cost what the loader reads (LOADER_READS, src/loaders), batched per account as the
//   loader batches, so counted once per field in the document whatever the number of parent nodes:
//   `Device.registration` one registration list; `Device.owner`, `Registration.device`, `HotdeskedUser.user` a GET
//   each below LISTING_THRESHOLD parents (the objects are then whole documents), else the account's whole listing;
//   `registrationSummary` the whole devices listing.
// - A whole listing costs one page per 1000 rows it held when this gateway last read it (loaders/listing-sizes.ts,
//   kept per account), and DEFAULT_LISTING_PAGES before it has: an account of 20,000 users costs 20 listing pages.
// - `User.devices` costs one call per user, and yields ASSUMED_DEVICES_PER_USER devices each.
// - Lists whose length Kazoo alone knows (`registrations`) are assumed to hold ASSUMED_LIST_LENGTH items.
// - A subscription costs its account check (and with `initial`, the devices listing), then per batch of events what
//   its fields need: a batch holds the devices named in `deviceIds`, or up to ASSUMED_LIST_LENGTH. Polling Kazoo is
//   shared by all subscribers of an account and is not counted.
// - A field of an interface or union type (`node: Node`) costs what the costliest of its object types would, each
//   walked with the fragments that apply to it (`... on Device`, a fragment on `Node`).
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
// lastName } } } }`) costs 1 page + 1 registration list + 1 owners listing = 3 (for an account of up to 1000 users).
// Asking the same page for `sip { username }` costs 203; `users(first: 1000) { nodes { devices { device { raw } } } }`
// costs 11 002.
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
import { jwtAccountId } from '../kazoo/token.js';
import type { Listing, ListingSizes } from '../loaders/index.js';
import { callsOf, costModelFor, holdsOf, namedAccounts } from './cost-rules.js';
import type { Accounts, Args, Batch, CompiledCostRules, FieldRule, Holds } from './cost-rules.js';

/**
 * Selections the analysis walks at most, fragments expanded (each spread once per selection set, as graphql-js does);
 * an operation with more is refused as QUERY_TOO_COMPLEX. Apollo's own count over HTTP (maxRecursiveSelections, which
 * expands every spread) uses the same number.
 */
export const MAX_ANALYSED_SELECTIONS = 10_000;

/** What the gateway knows beyond the document when it costs an operation. */
export interface CostKnowledge {
  /** The listing sizes learned so far; without them every whole listing is costed at its default. */
  listingSizes?: ListingSizes | undefined;
  /** The account of the request's token, for fields without `accountId`; unknown: their listings get defaults. */
  tokenAccountId?: string | undefined;
}

/** The knowledge of a request with this token: the account its JWT claims (read unverified, as scope.ts reads it). */
export function costKnowledgeOf(listingSizes: ListingSizes, token: string | undefined): CostKnowledge {
  return { listingSizes, tokenAccountId: token === undefined ? undefined : jwtAccountId(token) };
}

export interface OperationAnalysis {
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
  rules: CompiledCostRules;
  fragments: Map<string, FragmentDefinitionNode>;
  /** The operation's variables, coerced; undefined when they could not be. */
  variables: Readonly<Record<string, unknown>> | undefined;
  tokenAccount: string | undefined;
  learnedPages: Batch['learnedPages'];
  aliases: number;
  depth: number;
  selections: number;
}

/** Where the walk is: how many objects the selection is asked of, what they hold, and which accounts they are in. */
interface Place {
  parents: number;
  holds: Holds;
  accounts: Accounts;
}

/** Thrown through the walk when it passes MAX_ANALYSED_SELECTIONS. */
class SelectionBoundReached extends Error {}

/**
 * Analyses a validated operation (fragment cycles are already refused by validation). `variables` are the request's
 * raw variables, coerced here as graphql-js will coerce them. UncostedFieldsError (cost-rules.ts) when the schema
 * has a field that may call Kazoo and no rule for it: the gateway checks that when it starts.
 */
export function analyseOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> = {},
  known: CostKnowledge = {},
): OperationAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null) return { cost: 0, depth: 0, aliases: 0, selections: 0 };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 }).coerced;
  const { listingSizes } = known;
  const walk: Walk = {
    schema,
    rules: costModelFor(schema),
    fragments,
    variables: coerced,
    tokenAccount: known.tokenAccountId,
    learnedPages: (account: string | undefined, listing: Listing) =>
      account === undefined ? undefined : listingSizes?.pagesOf(account, listing),
    aliases: 0,
    depth: 0,
    selections: 0,
  };
  let cost = 0;
  try {
    // What a root field yields is whole unless its rule says otherwise (listing rows, an id).
    cost = selectionCost(walk, root, [operation.selectionSet], { parents: 1, holds: 'document', accounts: [known.tokenAccountId] }, 1);
  } catch (error) {
    if (!(error instanceof SelectionBoundReached)) throw error;
  }
  return { cost, depth: walk.depth, aliases: walk.aliases, selections: walk.selections };
}

function selectionCost(walk: Walk, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], at: Place, depth: number): number {
  const fields = collectFields(walk, type, selectionSets);
  const isDocument = walk.rules.documents.has(type);
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
    const rule = walk.rules.ruleOf(type, name);
    // Validation refuses unknown fields, and every field of the schema has a rule (cost-rules.ts).
    if (field === undefined || rule === undefined) continue;
    if (isDocument && !holdsWhatItReads(rule, at.holds)) needsDocument = true;
    const args = argumentsOf(field, node, walk.variables);
    const accounts = walk.rules.roots.has(type) ? (rule.accounts ?? namedAccounts)(args, walk.tokenAccount) : at.accounts;
    cost += callsOf(rule, { args, parents: at.parents, accounts, learnedPages: walk.learnedPages });
    const below: Place = {
      parents: at.parents * (rule.yields?.(args) ?? 1),
      holds: holdsOf(rule, at.parents, at.holds),
      accounts,
    };
    const childType = getNamedType(field.type);
    if (isObjectType(childType)) {
      cost += selectionCost(walk, childType, selectionSetsOf(nodes), below, depth + 1);
    } else if (isAbstractType(childType)) {
      // An interface (`Node`) or union: whichever object type it turns out to be, the costliest is counted, each
      // walked with the fragments that apply to it.
      let costliest = 0;
      for (const possible of walk.schema.getPossibleTypes(childType)) {
        costliest = Math.max(costliest, selectionCost(walk, possible, selectionSetsOf(nodes), below, depth + 1));
      }
      cost += costliest;
    }
  }
  // One GET per object, however many of its fields need the document.
  return cost + (needsDocument ? at.parents : 0);
}

/** Whether a device or user holding `holds` answers the field without its document. */
function holdsWhatItReads(rule: FieldRule, holds: Holds): boolean {
  if (holds === 'document') return true;
  if (rule.reads === 'document') return false;
  return (rule.reads ?? []).every((key) => holds.has(key));
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
