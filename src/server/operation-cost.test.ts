// The cost model on the real schema. How well the estimates match the calls the gateway really makes is checked
// against the simulator in test/gateway/operation-limits.test.ts.
import { getIntrospectionQuery, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_ORDER_PAGES } from '../graphql/listing-order.js';
import { MAX_LISTING_PAGES } from '../graphql/pagination.js';
import { buildGatewaySchema } from '../graphql/schema.js';
import { globalId } from '../graphql/global-id.js';
import { ListingSizes } from '../loaders/listing-sizes.js';
import { analyseOperation, costKnowledgeOf, MAX_ANALYSED_SELECTIONS } from './operation-cost.js';
import type { CostKnowledge } from './operation-cost.js';

const schema = buildGatewaySchema();
const A = '0123456789abcdef0123456789abcdef';
const B = 'fedcba9876543210fedcba9876543210';

function analyse(query: string, variables?: Record<string, unknown>, known?: CostKnowledge) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return analyseOperation(schema, document, operation, variables, known);
}

/** A JWT claiming `accountId`, as Kazoo's tokens do (the signature is Kazoo's to check, not the cost model's). */
function tokenOf(accountId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ account_id: accountId })}.signature`;
}

describe('estimated Crossbar calls', () => {
  it('the dashboard query costs one page, one registration list and one owners listing', () => {
    const dashboard = `{ devices(accountId: "${A}", first: 200) {
      edges { node { id name registration { registered } owner { firstName lastName } } } } }`;
    expect(analyse(dashboard).cost).toBe(3);
  });

  it('fields only whole documents hold cost one GET per device, however many are selected', () => {
    expect(analyse(`{ devices(accountId: "${A}", first: 200) { nodes { name sip { username } callerId { internal { name } } raw } } }`).cost).toBe(201);
  });

  it('reads `first` from variables, and pages of 1000', () => {
    const query = 'query($a: ID!, $n: Int) { devices(accountId: $a, first: $n) { nodes { id } } }';
    expect(analyse(query, { a: A, n: 999 }).cost).toBe(1);
    expect(analyse(query, { a: A, n: 1000 }).cost).toBe(2);
    expect(analyse(query, { a: A }).cost).toBe(1);
  });

  it('a fan-out through users, their devices and whole documents counts in thousands', () => {
    expect(analyse(`{ users(accountId: "${A}", first: 1000) { nodes { devices { device { raw } } } } }`).cost).toBe(11_002);
  });

  it('the devices of a user listing answer their own keys without documents', () => {
    expect(analyse(`{ user(accountId: "${A}", id: "${A}") { devices { hotdesked device { id name enabled } } } }`).cost).toBe(2);
    expect(analyse(`{ user(accountId: "${A}", id: "${A}") { devices { device { flags } } } }`).cost).toBe(12);
  });

  it('a filtered listing costs every page it may read: the bound, plus the registration list for `registered`', () => {
    const listing = (filter: string) => `{ devices(accountId: "${A}", first: 10, filter: ${filter}) { nodes { id } } }`;
    expect(analyse(listing('{ registered: true }')).cost).toBe(MAX_LISTING_PAGES + 1);
    expect(analyse(listing(`{ ownerId: "${A}" }`)).cost).toBe(MAX_LISTING_PAGES);
    expect(analyse(listing('{ deviceType: FAX, enabled: false }')).cost).toBe(MAX_LISTING_PAGES);
    expect(analyse(listing('{ search: "desk" }')).cost).toBe(MAX_LISTING_PAGES);
    expect(analyse(listing('{ ownerId: null }')).cost).toBe(1);
    // A blank search filters nothing: the plain page.
    expect(analyse(listing('{ search: "  " }')).cost).toBe(1);
    const fromVariables = `query($f: DeviceFilter) { devices(accountId: "${A}", filter: $f) { nodes { id } } }`;
    expect(analyse(fromVariables, { f: { enabled: true } }).cost).toBe(MAX_LISTING_PAGES);
    expect(analyse(fromVariables, {}).cost).toBe(1);
  });

  it('an ordered listing costs the whole listing it may read, and the users listing too for OWNER', () => {
    const ordered = (arguments_: string) => `{ devices(accountId: "${A}", first: 10, ${arguments_}) { nodes { id } } }`;
    expect(analyse(ordered('orderBy: { field: NAME }')).cost).toBe(MAX_ORDER_PAGES);
    expect(analyse(ordered('orderBy: { field: DEVICE_TYPE, direction: DESC }, filter: { search: "desk" }')).cost).toBe(MAX_ORDER_PAGES);
    expect(analyse(ordered('orderBy: { field: OWNER }')).cost).toBe(2 * MAX_ORDER_PAGES);
    expect(analyse(ordered('orderBy: { field: NAME }, filter: { registered: false }')).cost).toBe(MAX_ORDER_PAGES + 1);
  });

  it('a searched user listing costs the filtered bound', () => {
    expect(analyse(`{ users(accountId: "${A}", first: 10, filter: { search: "ann" }) { nodes { id } } }`).cost).toBe(MAX_LISTING_PAGES);
    expect(analyse(`{ users(accountId: "${A}", first: 10, filter: { search: "" }) { nodes { id } } }`).cost).toBe(1);
  });

  it('reads variables as they will run: defaults included', () => {
    const query = `query($f: Int = 1000) { devices(accountId: "${A}", first: $f) { nodes { sip { username } } } }`;
    expect(analyse(query).cost).toBe(1_002);
    expect(analyse(query, { f: 10 }).cost).toBe(11);
  });

  it('takes every argument at its most expensive when the variables cannot be coerced', () => {
    // A missing required variable, and a value of the wrong type: the operation will not run, and is not cheap either.
    const missing = `query($a: ID!) { devices(accountId: $a, first: 10) { nodes { sip { username } } } }`;
    // The costliest listing: ordered by owner (both listings read whole) and filtered on registration.
    const costliest = 2 * MAX_ORDER_PAGES + 1 + 1_000;
    expect(analyse(missing, {}).cost).toBe(costliest);
    const wrongType = `query($n: Int) { devices(accountId: "${A}", first: $n) { nodes { sip { username } } } }`;
    expect(analyse(wrongType, { n: 'ten' }).cost).toBe(costliest);
  });

  it('aliased copies of a field each cost; repeated fields and fragments are merged as graphql-js merges them', () => {
    const list = `devices(accountId: "${A}", first: 10) { nodes { id } }`;
    expect(analyse(`{ a: ${list} b: ${list} }`)).toMatchObject({ cost: 2, aliases: 2 });
    const fragments = `{ devices(accountId: "${A}", first: 10) { nodes { ...One ...Two } } }
      fragment One on Device { sip { username } }
      fragment Two on Device { raw }`;
    expect(analyse(fragments).cost).toBe(11);
  });

  it('mutations cost their calls, and their payloads hold whole documents', () => {
    const cost = (field: string) => analyse(`mutation { ${field} }`).cost;
    expect(cost(`updateDevice(accountId: "${A}", id: "${A}", input: { name: "x" }) { device { id sip { username } owner { firstName } } userErrors { code } }`)).toBe(2);
    expect(cost(`createDevice(accountId: "${A}", input: { name: "x" }) { device { raw } deviceEdge { cursor node { sip { username } } } }`)).toBe(1);
    expect(cost(`deleteDevice(accountId: "${A}", id: "${A}") { deletedDeviceId }`)).toBe(1);
    expect(cost('loginWithApiKey(apiKey: "k") { accessToken { token accountId } userErrors { field } }')).toBe(1);
    // The device is read with the caller's token before the call is placed.
    expect(cost(`quickcallDevice(accountId: "${A}", id: "${A}", number: "1000") { call { device { raw } } }`)).toBe(2);
  });

  it("a device action's device is held by id: any other field reads it", () => {
    for (const action of ['syncDevice', 'notifyDevice', 'resetDevicePresence']) {
      const field = `${action}(accountId: "${A}", id: "${A}"${action === 'notifyDevice' ? ', event: "check-sync"' : ''})`;
      expect(analyse(`mutation { ${field} { device { id kazooId accountId } userErrors { code } } }`).cost).toBe(1);
      expect(analyse(`mutation { ${field} { device { name } } }`).cost).toBe(2);
      expect(analyse(`mutation { ${field} { device { registration { registered } } } }`).cost).toBe(2);
    }
  });

  it('a subscription costs its account check, then what each batch of events needs', () => {
    expect(analyse(`subscription { registrationChanged(accountId: "${A}") { deviceId registered device { name } } }`).cost).toBe(2);
    expect(analyse(`subscription { registrationChanged(accountId: "${A}") { device { sip { username } } } }`).cost).toBe(1_002);
    // One device is one GET through the document loader: its document is then at hand, `raw` reads nothing more.
    expect(analyse(`subscription { registrationChanged(accountId: "${A}", deviceIds: ["${A}"]) { device { raw } } }`).cost).toBe(2);
    // With the initial state of every device, the account's devices listing too.
    expect(analyse(`subscription { registrationChanged(accountId: "${A}", initial: true) { deviceId } }`).cost).toBe(2);
  });

  it('introspection costs nothing and does not count towards depth', () => {
    const analysis = analyse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }));
    expect(analysis).toMatchObject({ cost: 0, depth: 0, aliases: 0 });
    expect(analysis.selections).toBeLessThan(MAX_ANALYSED_SELECTIONS);
  });

  it('counts the aliases under introspection like any others', () => {
    const wide = `{ __schema { ${Array.from({ length: 495 }, (_, index) => `t${index}: types { fields { name description } }`).join(' ')} } }`;
    expect(analyse(wide)).toMatchObject({ cost: 0, depth: 0, aliases: 495 });
    expect(analyse('{ __type(name: "Device") { a: name b: fields { c: name } } }')).toMatchObject({ cost: 0, aliases: 3 });
  });

  it('counts the selections under introspection towards the bound', () => {
    const levels = Array.from({ length: 30 }, (_, index) => `fragment T${index + 1} on __Type { a: ofType { ...T${index} } b: ofType { ...T${index} } }`);
    const bomb = `{ __type(name: "Device") { ...T30 } } fragment T0 on __Type { name } ${levels.join(' ')}`;
    expect(analyse(bomb).selections).toBe(MAX_ANALYSED_SELECTIONS + 1);
  });
});

describe('fragment bombs', () => {
  it('expands a fragment once per selection set, as graphql-js runs it: 2^40 spreads count as one field', () => {
    const levels = Array.from({ length: 40 }, (_, index) => `fragment F${index + 1} on Query { ...F${index} ...F${index} }`);
    const bomb = `query Bomb { ...F40 } fragment F0 on Query { viewer { accountId } } ${levels.join(' ')}`;
    const analysis = analyse(bomb);
    expect(analysis).toMatchObject({ cost: 1, depth: 2, aliases: 0 });
    expect(analysis.selections).toBe(2 * 40 + 3);
  });

  it(`stops walking after ${MAX_ANALYSED_SELECTIONS} selections, however far the fragments would go`, () => {
    // Distinct aliases are not merged: 2^30 paths, which the walk would otherwise follow to the end.
    const levels = Array.from(
      { length: 30 },
      (_, index) => `fragment D${index + 1} on Device { owner { a: devices { device { ...D${index} } } b: devices { device { ...D${index} } } } }`,
    );
    const bomb = `{ device(accountId: "${A}", id: "${A}") { ...D30 } } fragment D0 on Device { id } ${levels.join(' ')}`;
    expect(analyse(bomb).selections).toBe(MAX_ANALYSED_SELECTIONS + 1);
  });
});

describe('depth', () => {
  it('counts nested fields from the root', () => {
    expect(analyse('{ viewer { accountId } }').depth).toBe(2);
    expect(analyse(`{ devices(accountId: "${A}") { edges { node { owner { devices { device { name } } } } } } }`).depth).toBe(7);
  });
});

describe('objects by global id, and accounts', () => {
  it('node(id:) is one read, whatever type it turns out to be; its document fields are then free', () => {
    expect(analyse('query($id: ID!) { node(id: $id) { id ... on Device { name sip { username } } ... on User { email } } }', { id: 'x' }).cost).toBe(1);
    expect(analyse('query($id: ID!) { node(id: $id) { ...D ...U } } fragment D on Device { sip { username } } fragment U on User { raw }', { id: 'x' }).cost).toBe(1);
  });

  it('a fragment on one type costs only as that type: the costliest type with the fragments that apply to it', () => {
    // As a Device: its owner (one GET, whole). As a User: its devices (one call). Never both.
    const both = 'query($id: ID!) { node(id: $id) { ... on Device { sip { username } owner { raw } } ... on User { devices { device { name } } } } }';
    expect(analyse(both, { id: 'x' }).cost).toBe(1 + 1);
    // A User's devices that need their documents: ten each, assumed.
    const userDocuments = 'query($id: ID!) { node(id: $id) { ... on Device { sip { username } } ... on User { devices { device { sip { username } } } } } }';
    expect(analyse(userDocuments, { id: 'x' }).cost).toBe(1 + 1 + 10);
  });

  it('a field of an interface type costs what its costliest type would', () => {
    // As a Device or a User nothing more is read; as a Registration, its device is one listing read more.
    expect(analyse('query($id: ID!) { node(id: $id) { ... on Registration { device { name } } } }', { id: 'x' }).cost).toBe(2);
    // Fields asked of the interface itself apply to every type.
    expect(analyse('query($id: ID!) { node(id: $id) { ...N } } fragment N on Node { id }', { id: 'x' }).cost).toBe(1);
  });

  it('nodes(ids:) is one read per id (and the owners of three devices one users listing)', () => {
    expect(analyse('query($ids: [ID!]!) { nodes(ids: $ids) { ... on Device { name owner { email } } } }', { ids: ['a', 'b', 'c'] }).cost).toBe(3 + 1);
  });

  it('an account costs nothing until its fields read: its lists cost as the root lists', () => {
    expect(analyse('{ viewer { account { id kazooId } } }').cost).toBe(1);
    expect(analyse('{ account { name devices(first: 200) { nodes { name registration { registered } } } registrationSummary { total } } }').cost).toBe(
      1 + 1 + 1 + 2,
    );
  });
});

describe('listing-based batches cost what they read', () => {
  const dashboard = (account = `accountId: "${A}", `) => `{ devices(${account}first: 200) {
    edges { node { id name registration { registered } owner { firstName lastName } } } } }`;

  it('an account of 20,000 users costs 20 listing pages for its owners, once a listing has said so', () => {
    const listingSizes = new ListingSizes();
    // Before the account was ever listed: one page.
    expect(analyse(dashboard(), {}, { listingSizes }).cost).toBe(3);
    listingSizes.learn(A, 'users', 20_000);
    expect(analyse(dashboard(), {}, { listingSizes }).cost).toBe(1 + 1 + 20);
    // Another account's size is its own.
    listingSizes.learn(B, 'users', 50_000);
    expect(analyse(dashboard(), {}, { listingSizes }).cost).toBe(22);
  });

  it("the account is the one the arguments name, or the token's own", () => {
    const listingSizes = new ListingSizes();
    listingSizes.learn(A, 'users', 20_000);
    expect(analyse(dashboard(''), {}, costKnowledgeOf(listingSizes, tokenOf(A))).cost).toBe(22);
    expect(analyse(dashboard(''), {}, costKnowledgeOf(listingSizes, tokenOf(B))).cost).toBe(3);
    // A token that names no account: the default.
    expect(analyse(dashboard(''), {}, costKnowledgeOf(listingSizes, 'opaque-token')).cost).toBe(3);
    expect(analyse(dashboard(`accountId: "${globalId('Account', A)}", `), {}, { listingSizes }).cost).toBe(22);
    const device = `node(id: "${globalId('Device', A, B)}") { ... on Device { hotdesk { users { user { email } } } } }`;
    expect(analyse(`{ ${device} }`, {}, { listingSizes }).cost).toBe(1 + 20);
  });

  it('every whole listing the fields read: registration summaries, registrations with their devices', () => {
    const listingSizes = new ListingSizes();
    listingSizes.learn(A, 'devices', 5_500);
    expect(analyse(`{ account(id: "${A}") { registrationSummary { total } } }`, {}, { listingSizes }).cost).toBe(6 + 1);
    expect(analyse(`{ registrations(accountId: "${A}") { device { name } } }`, {}, { listingSizes }).cost).toBe(1 + 6);
    expect(analyse(`subscription { registrationChanged(accountId: "${A}", initial: true) { deviceId } }`, {}, { listingSizes }).cost).toBe(1 + 6);
  });

  it('an ordered listing costs the pages it read last time, within its bound, and the bound before that', () => {
    const listingSizes = new ListingSizes();
    const ordered = (field: string) => `{ devices(accountId: "${A}", first: 10, orderBy: { field: ${field} }) { nodes { id } } }`;
    expect(analyse(ordered('NAME'), {}, { listingSizes }).cost).toBe(MAX_ORDER_PAGES);
    listingSizes.learn(A, 'devices', 230);
    expect(analyse(ordered('NAME'), {}, { listingSizes }).cost).toBe(1);
    expect(analyse(ordered('OWNER'), {}, { listingSizes }).cost).toBe(1 + MAX_ORDER_PAGES);
    listingSizes.learn(A, 'users', 60_000);
    expect(analyse(ordered('OWNER'), {}, { listingSizes }).cost).toBe(1 + MAX_ORDER_PAGES);
  });

  it('a few owners are fetched one by one, whole: their other fields then cost nothing more', () => {
    const owners = (first: number) => `{ devices(accountId: "${A}", first: ${first}) { nodes { owner { email sip: raw } } } }`;
    expect(analyse(owners(2)).cost).toBe(1 + 2);
    // From three on, the users listing, whose rows lack `raw`: a GET per owner more.
    expect(analyse(owners(3)).cost).toBe(1 + 1 + 3);
  });

  it('objects of several accounts cost each account its own batch', () => {
    const ids = [globalId('Device', A, A), globalId('Device', B, B), globalId('Device', B, A)];
    const listingSizes = new ListingSizes();
    listingSizes.learn(B, 'users', 4_000);
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Device { registration { registered } owner { email } } } }';
    // Three reads; a registration list per account; owners: up to two GETs in A, B's listing of 4 pages.
    expect(analyse(query, { ids }, { listingSizes }).cost).toBe(3 + 2 + 2 + 4);
  });

  it("an account's lists under many accounts cost once per account", () => {
    const accounts = [globalId('Account', A), globalId('Account', B)];
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { devices(first: 10) { nodes { id } } } } }';
    expect(analyse(query, { ids: accounts }).cost).toBe(2 + 2);
  });
});
