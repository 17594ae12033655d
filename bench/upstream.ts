// Part 2: upstream (Kazoo) requests per operation for a dashboard — every device with its registration state and
// its owner's name — on accounts of 100, 1,000 and 5,000 devices created through the simulator's control routes,
// counted from the simulator's request log. Beside it: the naive count (one request per resolved field: a listing
// per page, then one registration lookup and one owner lookup per device) and what the peer does for the same
// screen. Goal: the count grows with pages, not with devices.
import { fixed, goalLine, table } from './report.js';
import type { Goal } from './report.js';
import { peerPageQuery } from './reads.js';
import type { RequestLogEntry, SimulatorControl } from './services.js';
import { graphql } from './services.js';

const DASHBOARD_QUERY = `query Dashboard($accountId: ID!, $first: Int!, $after: String) {
  devices(accountId: $accountId, first: $first, after: $after) {
    edges { node { id name deviceType macAddress ownerId
      registration { registered userAgent contactIp registeredAt }
      owner { fullName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface DashboardPage {
  devices: {
    edges: { node: { id: string; ownerId: string | null } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Kazoo's users listing is read in pages of this size by the gateway (src/kazoo/listing.ts FULL_LISTING_PAGE_SIZE). */
const USERS_LISTING_PAGE = 1000;
/**
 * Devices-listing calls one page of the walk may make: the page itself. Kazoo looks one row ahead on its own
 * (`next_start_key`), and cursors resume at Kazoo's next key (src/graphql/pagination.ts), so no page is read twice.
 */
const DEVICE_LISTING_CALLS_PER_OPERATION = 1;

export interface UpstreamRow {
  devices: number;
  users: number;
  pageSize: number;
  operations: number;
  devicesShown: number;
  upstream: number;
  perOperation: number;
  byRoute: Record<string, number>;
  naive: number;
  /** The most any operation may cost if the count does not depend on the devices on the page. */
  boundPerOperation: number;
}

export interface PeerUpstream {
  devices: number;
  /** Root-field join: devices + registrations + users listings in one operation. */
  joinRequests: number;
  devicesShown: number;
  usersShown: number;
  ownersResolvable: number;
  ownersOnPage: number;
  hasMorePages: boolean;
  /** Owner names fetched one root field per owner instead (aliases), beside the devices and registrations. */
  perOwnerRequests: number;
}

export interface UpstreamReport {
  rows: UpstreamRow[];
  peer: PeerUpstream[];
  goals: Goal[];
  text: string;
}

export interface UpstreamOptions {
  gatewayUrl: string;
  peerUrl: string | undefined;
  simulatorUrl: string;
  sizes: readonly number[];
  log: (line: string) => void;
}

function routeOf(entry: RequestLogEntry): string {
  const rest = entry.path.replace(/^\/v2\/accounts\/[0-9a-f]{32}/, '');
  return `${entry.method} ${rest.replace(/[0-9a-f]{32}/g, '{id}') || '/'}`;
}

async function countRequests(control: SimulatorControl, accountId: string, run: () => Promise<void>): Promise<RequestLogEntry[]> {
  await control.resetRequests();
  await run();
  return (await control.requests()).filter((entry) => entry.path.includes(accountId));
}

export async function measureUpstream(control: SimulatorControl, options: UpstreamOptions): Promise<UpstreamReport> {
  const rows: UpstreamRow[] = [];
  const peerRows: PeerUpstream[] = [];
  for (const size of options.sizes) {
    const users = Math.ceil(size / 2);
    const account = await control.createAccount({ name: `bench-${size}`, devices: size, users, registeredRatio: 0.5 });
    const token = await control.token(account.accountId);

    for (const pageSize of [200, 1000]) {
      let operations = 0;
      let shown = 0;
      let owned = 0;
      const requests = await countRequests(control, account.accountId, async () => {
        let after: string | null = null;
        do {
          const page: DashboardPage = await graphql<DashboardPage>(options.gatewayUrl, token, DASHBOARD_QUERY, {
            accountId: account.accountId,
            first: pageSize,
            after,
          });
          operations++;
          shown += page.devices.edges.length;
          owned += page.devices.edges.filter((edge) => edge.node.ownerId !== null).length;
          after = page.devices.pageInfo.hasNextPage ? page.devices.pageInfo.endCursor : null;
        } while (after !== null);
      });
      const byRoute: Record<string, number> = {};
      for (const entry of requests) byRoute[routeOf(entry)] = (byRoute[routeOf(entry)] ?? 0) + 1;
      rows.push({
        devices: size,
        users,
        pageSize,
        operations,
        devicesShown: shown,
        upstream: requests.length,
        perOperation: requests.length / operations,
        byRoute,
        naive: operations + shown + owned,
        boundPerOperation: DEVICE_LISTING_CALLS_PER_OPERATION + 1 + Math.ceil(users / USERS_LISTING_PAGE),
      });
      options.log(`  ${size} devices, pages of ${pageSize}: ${operations} operation(s), ${requests.length} upstream requests`);
    }

    if (options.peerUrl !== undefined) {
      const peerUrl = options.peerUrl;
      interface Listing {
        data?: { id: string; owner_id?: string }[];
        next_start_key?: string;
      }
      let joined: { devices: Listing; users: Listing } | undefined;
      const joinRequests = await countRequests(control, account.accountId, async () => {
        joined = await graphql<{ devices: Listing; users: Listing }>(peerUrl, token, peerPageQuery(account.accountId));
      });
      const pageDevices = joined?.devices.data ?? [];
      const userIds = new Set((joined?.users.data ?? []).map((user) => user.id));
      const owners = [...new Set(pageDevices.map((device) => device.owner_id).filter((id): id is string => typeof id === 'string'))];
      const perOwnerQuery =
        `{ devices: accounts_by_ACCOUNT_ID_devices(ACCOUNT_ID: "${account.accountId}") ` +
        `registrations: accounts_by_ACCOUNT_ID_registrations(ACCOUNT_ID: "${account.accountId}") ` +
        owners.map((owner, index) => `u${index}: accounts_by_ACCOUNT_ID_users_by_USER_ID(ACCOUNT_ID: "${account.accountId}", USER_ID: "${owner}")`).join(' ') +
        ' }';
      const perOwnerRequests = await countRequests(control, account.accountId, async () => {
        await graphql(peerUrl, token, perOwnerQuery);
      });
      peerRows.push({
        devices: size,
        joinRequests: joinRequests.length,
        devicesShown: pageDevices.length,
        usersShown: userIds.size,
        ownersResolvable: owners.filter((owner) => userIds.has(owner)).length,
        ownersOnPage: owners.length,
        hasMorePages: joined?.devices.next_start_key !== undefined,
        perOwnerRequests: perOwnerRequests.length,
      });
    }
  }

  const goals: Goal[] = [
    {
      name: 'upstream requests grow with pages, not with devices',
      met: rows.every((row) => row.upstream <= row.operations * row.boundPerOperation && row.devicesShown === row.devices),
      detail: rows
        .filter((row) => row.pageSize === 200)
        .map((row) => `${row.devices} devices: ${row.upstream} for ${row.operations} page(s) vs naive ${row.naive}`)
        .join('; '),
    },
  ];

  const lines: string[] = [
    '',
    table(
      ['devices', 'users', 'page', 'operations', 'upstream', 'per op', 'bound/op', 'naive', 'naive/ours', 'requests by route'],
      rows.map((row) => [
        String(row.devices),
        String(row.users),
        String(row.pageSize),
        String(row.operations),
        String(row.upstream),
        fixed(row.perOperation, 1),
        String(row.boundPerOperation),
        String(row.naive),
        fixed(row.naive / row.upstream, 1),
        Object.entries(row.byRoute)
          .map(([route, count]) => `${route} x${count}`)
          .join(', '),
      ]),
    ),
    '  bound/op = 1 devices listing call (the page; Kazoo itself looks one row ahead)',
    '             + 1 /registrations + the users listing in pages of 1,000 (owner names): pages only, never devices',
  ];
  if (peerRows.length > 0) {
    lines.push(
      '',
      'peer (Mesh/Hive over swagger.json): the swagger declares no page_size/start_key, so only Kazoo\'s first page (50) is reachable',
      table(
        ['devices', 'join: requests', 'devices shown', 'more pages?', 'users shown', 'owners resolvable', 'per-owner: requests'],
        peerRows.map((row) => [
          String(row.devices),
          String(row.joinRequests),
          `${row.devicesShown} of ${row.devices}`,
          row.hasMorePages ? 'yes, unreachable' : 'no',
          String(row.usersShown),
          `${row.ownersResolvable} of ${row.ownersOnPage}`,
          String(row.perOwnerRequests),
        ]),
      ),
    );
  } else {
    lines.push('', 'peer: not available (see above)');
  }
  for (const row of rows) {
    const listings = row.byRoute['GET /devices'] ?? 0;
    lines.push(
      `  ${row.devices} devices, pages of ${row.pageSize}: naive/gateway upstream ratio: ${fixed(row.naive / row.upstream, 1)}; ` +
        `devices listing calls: ${listings} for ${row.operations} operation(s) (${listings - row.operations} re-reads or look-aheads)`,
    );
  }
  lines.push('', ...goals.map(goalLine));
  return { rows, peer: peerRows, goals, text: lines.join('\n') };
}
