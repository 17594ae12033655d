// The `devices` and `users` connections: which part of a filter Kazoo applies, which part the gateway applies to the
// listing rows itself, and in which order the rows come.
//
// Kazoo filters by owner and `enabled` (`filter_*`, on the stored documents). The gateway filters what Kazoo cannot
// filter, or not as the fields report it: registration state (not in documents), `search` (Kazoo has no substring
// match) and the device type (Kazoo compares the stored `device_type`, which a device the listing reports as
// `sip_device` may not have, and `OTHER` is no Kazoo value). Without `orderBy` the rows come in Kazoo's order
// (pagination.ts); with it, sorted by the gateway (listing-order.ts). Both read the same filters, so a filter selects
// the same devices in every order.
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import * as devices from '../kazoo/devices.js';
import { isKazooId } from '../kazoo/paths.js';
import type { KazooDeviceSummary, KazooUserSummary } from '../kazoo/types.js';
import * as users from '../kazoo/users.js';
import { documentKey, loadOwners } from '../loaders/index.js';
import type { GatewayContext } from './context.js';
import { deviceTypeOf, kazooDeviceType } from './device-types.js';
import type { DeviceFilter, DeviceOrderField, QueryDevicesArgs, QueryUsersArgs } from './generated/resolvers-types.js';
import { readWholeListing, sortedPage } from './listing-order.js';
import type { Direction } from './listing-order.js';
import { deviceSearch, searchTerm, userSearch } from './listing-search.js';
import { DeviceRef, UserRef } from './models.js';
import type { DeviceConnectionModel, UserConnectionModel } from './models.js';
import { checkFirst, paginate } from './pagination.js';
import type { FetchPage, SortedPosition } from './pagination.js';
import { joinNames } from './resolvers/user.js';
import { documentIdIn } from './scope.js';
import { connectionNodeFields } from './selection.js';

type RowTest<Row> = (row: Row) => boolean;

/** One test of all those given; undefined when none is (the listing is then unfiltered by the gateway). */
function allOf<Row>(tests: readonly (RowTest<Row> | undefined)[]): RowTest<Row> | undefined {
  const given = tests.filter((test): test is RowTest<Row> => test !== undefined);
  if (given.length <= 1) return given[0];
  return (row) => given.every((test) => test(row));
}

/** A device filter split into Kazoo's part and the gateway's, checked before anything reaches Kazoo. */
function deviceFilterOf(accountId: string, filter: DeviceFilter, schema: GraphQLSchema) {
  const ownerId = filter.ownerId == null ? undefined : documentIdIn(accountId, 'User', filter.ownerId, 'filter.ownerId');
  const term = searchTerm(filter.search);
  // The enum's internal value: the Kazoo type it stands for, or OTHER (device-types.ts); codegen types it by name.
  const deviceType: string | undefined = filter.deviceType ?? undefined;
  const kazooFilters = { filter_owner_id: ownerId, filter_enabled: filter.enabled ?? undefined };
  return {
    kazooFilters,
    kazooFiltered: Object.values(kazooFilters).some((value) => value !== undefined),
    registered: filter.registered ?? undefined,
    keep: allOf<KazooDeviceSummary>([
      deviceType === undefined ? undefined : (row) => deviceTypeOf(schema, kazooDeviceType(row.device_type)) === deviceType,
      term === undefined ? undefined : deviceSearch(term),
    ]),
  };
}

/** The name a device sorts by; Kazoo requires one, but a document written around Crossbar may lack it. */
function nameOf(row: KazooDeviceSummary): string {
  return typeof row.name === 'string' ? row.name : '';
}

export async function listDevices(
  context: GatewayContext,
  info: GraphQLResolveInfo,
  accountId: string,
  args: Omit<QueryDevicesArgs, 'accountId'>,
): Promise<DeviceConnectionModel> {
  // Everything is checked before any Kazoo call: the registrations below are read before the first page.
  const first = checkFirst(args.first);
  const filter = deviceFilterOf(accountId, args.filter ?? {}, info.schema);
  const fetchPage: FetchPage<KazooDeviceSummary> = (startKey, pageSize) =>
    devices.list(context.session, accountId, { startKey, pageSize, filters: filter.kazooFilters });
  const toNode = (row: KazooDeviceSummary): DeviceRef => DeviceRef.fromSummary(accountId, row);
  let readPage: (keep: RowTest<KazooDeviceSummary> | undefined) => Promise<DeviceConnectionModel>;
  if (args.orderBy == null) {
    const start = context.cursors.decode(args.after);
    const { kazooFiltered } = filter;
    readPage = (keep) =>
      paginate({ first, start, cursors: context.cursors, fetchPage, kazooFiltered, ...(keep === undefined ? {} : { keep }), toNode });
  } else {
    const order = { field: args.orderBy.field, direction: args.orderBy.direction ?? 'ASC' } as const;
    const after = context.cursors.decodeSorted(args.after, `${order.field}:${order.direction}`);
    const { kazooFiltered } = filter;
    readPage = (keep) => orderedDevices(context, accountId, { order, first, after, fetchPage, kazooFiltered, keep, toNode });
  }

  const nodeFields = connectionNodeFields(info);
  // Registrations do not depend on the page: read them while the page is read.
  const registrations =
    filter.registered !== undefined || nodeFields.has('registration') ? context.loaders.registrations.load(accountId) : undefined;
  const index = filter.registered === undefined ? undefined : await registrations;
  const connection = await readPage(
    allOf([filter.keep, index === undefined ? undefined : (row) => index.has(row.id) === filter.registered]),
  );
  // What every node will ask for, fetched before the nodes resolve so their resolvers answer at once. Failures are
  // left to those fields: the page itself is still answered.
  await Promise.all([
    registrations?.catch(() => undefined),
    nodeFields.has('owner')
      ? loadOwners(context.loaders, accountId, connection.nodes.map((node) => node.read('owner_id', context)))
      : undefined,
  ]);
  return connection;
}

/** A page of devices in an order the gateway sorts: the whole listing read (and, by owner, the users'), then sorted. */
async function orderedDevices(
  context: GatewayContext,
  accountId: string,
  page: {
    order: { field: DeviceOrderField; direction: Direction };
    first: number;
    after: SortedPosition | undefined;
    fetchPage: FetchPage<KazooDeviceSummary>;
    /** Whether `fetchPage` carries Kazoo filters: its rows are then not the whole listing. */
    kazooFiltered: boolean;
    keep: RowTest<KazooDeviceSummary> | undefined;
    toNode: (row: KazooDeviceSummary) => DeviceRef;
  },
): Promise<DeviceConnectionModel> {
  const { order, keep } = page;
  const [listed, owners] = await Promise.all([
    readWholeListing(page.fetchPage, 'devices'),
    order.field === 'OWNER'
      ? readWholeListing<KazooUserSummary>((startKey, pageSize) => users.list(context.session, accountId, { startKey, pageSize }), 'users')
      : undefined,
  ]);
  // Whole listings read: the cost model charges the next sort of this account what it will read.
  if (!page.kazooFiltered) context.listingSizes.learn(accountId, 'devices', listed.length);
  if (owners !== undefined) context.listingSizes.learn(accountId, 'users', owners.length);
  const ownersById = new Map((owners ?? []).map((owner) => [owner.id, owner]));
  const valuesOf = {
    NAME: (row: KazooDeviceSummary) => [nameOf(row)],
    DEVICE_TYPE: (row: KazooDeviceSummary) => [kazooDeviceType(row.device_type), nameOf(row)],
    // The name User.fullName shows; null (last) for no owner, or one Kazoo no longer has.
    OWNER: (row: KazooDeviceSummary) => {
      const owner = isKazooId(row.owner_id) ? ownersById.get(row.owner_id) : undefined;
      return [owner === undefined ? null : joinNames([owner.first_name, owner.last_name]), nameOf(row)];
    },
  }[order.field];
  const connection = sortedPage({
    rows: keep === undefined ? listed : listed.filter(keep),
    valuesOf,
    idOf: (row) => row.id,
    order: `${order.field}:${order.direction}`,
    direction: order.direction,
    first: page.first,
    after: page.after,
    cursors: context.cursors,
    toNode: page.toNode,
  });
  // The owners are at hand already: `owner` on the page's devices reads them instead of listing the users again.
  if (owners !== undefined) {
    for (const node of connection.nodes) {
      const ownerId = node.read('owner_id', context);
      if (isKazooId(ownerId)) context.loaders.userSummary.prime(documentKey(accountId, ownerId), ownersById.get(ownerId) ?? null);
    }
  }
  return connection;
}

export function listUsers(
  context: GatewayContext,
  accountId: string,
  args: Omit<QueryUsersArgs, 'accountId'>,
): Promise<UserConnectionModel> {
  const first = checkFirst(args.first);
  const start = context.cursors.decode(args.after);
  const term = searchTerm(args.filter?.search);
  return paginate({
    first,
    start,
    cursors: context.cursors,
    fetchPage: (startKey, pageSize) => users.list(context.session, accountId, { startKey, pageSize }),
    ...(term === undefined ? {} : { keep: userSearch(term) }),
    toNode: (row) => UserRef.fromSummary(accountId, row),
  });
}
