// Part 1: the same two reads done three ways — straight to the simulator's REST API, through our gateway and
// through the peer — at 1, 10 and 100 concurrent clients: latency (mean, p50, p99), requests per second, the
// ratios between the three, and the goals (at 1 client we add at most 0.3 ms mean over direct REST; at 10 and 100
// clients we serve at least 3x the peer's requests per second). A fourth way, `hop` (bench/hop-server.ts: a bare
// pass-through process), shows what one more process and loopback hop cost on this machine, GraphQL aside; a fifth,
// `bare` (bench/bare-graphql-server.ts: the gateway's schema, resolvers and Kazoo client under a bare graphql-js
// handler, no Apollo and none of the protections), what GraphQL itself costs here.
//
// The reads, on the simulator's seeded demo account:
// - device: one device by id. REST: GET /v2/accounts/{A}/devices/{D} (the whole document). Gateway: `device`
//   with the fields a device screen shows. Peer: `accounts_by_ACCOUNT_ID_devices_by_DEVICE_ID`, which returns
//   Kazoo's whole envelope as untyped JSON (the swagger declares no response schema).
// - page: 50 devices. REST: GET /v2/accounts/{A}/devices?page_size=50 (the listing alone: one call). Gateway:
//   `devices(first: 50)` with registration state and owner name (a listing, /registrations and the users listing:
//   three calls). Peer: the three equivalent root fields in one operation (`accounts_by_ACCOUNT_ID_devices`,
//   `..._registrations`, `..._users`), whose JSON the client must join itself.
import { queryHash } from '../src/server/document-registry.js';
import type { HttpTarget, LoadResult } from './load.js';
import { runLoad } from './load.js';
import { fixed, goalLine, table } from './report.js';
import type { Goal } from './report.js';
import type { SimulatorControl } from './services.js';
import { graphql, kazooGet } from './services.js';
import { median, spread } from './stats.js';

export type ReadName = 'device' | 'page';
export type TargetName = 'direct' | 'hop' | 'bare' | 'baseline' | 'gateway' | 'trusted' | 'peer';
export const READS: readonly ReadName[] = ['device', 'page'];
const TARGET_ORDER: readonly TargetName[] = ['direct', 'hop', 'bare', 'baseline', 'gateway', 'trusted', 'peer'];

export const GATEWAY_DEVICE_QUERY = `query Device($accountId: ID!, $id: ID!) {
  device(accountId: $accountId, id: $id) { id kazooId name deviceType enabled macAddress ownerId sip { username method inviteFormat } }
}`;

export const GATEWAY_PAGE_QUERY = `query DevicePage($accountId: ID!) {
  devices(accountId: $accountId, first: 50) {
    edges { node { id name deviceType enabled macAddress registration { registered } owner { fullName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The peer's argument types are generated scalars (queryInput_..._ACCOUNT_ID), so its ids are written inline. */
export function peerDeviceQuery(accountId: string, deviceId: string): string {
  return `{ device: accounts_by_ACCOUNT_ID_devices_by_DEVICE_ID(ACCOUNT_ID: "${accountId}", DEVICE_ID: "${deviceId}") }`;
}

export function peerPageQuery(accountId: string): string {
  return `{ devices: accounts_by_ACCOUNT_ID_devices(ACCOUNT_ID: "${accountId}") registrations: accounts_by_ACCOUNT_ID_registrations(ACCOUNT_ID: "${accountId}") users: accounts_by_ACCOUNT_ID_users(ACCOUNT_ID: "${accountId}") }`;
}

export interface ReadSetup {
  simulatorUrl: string;
  simulatorPid: number;
  /** The pass-through baseline; its url is the base where `/v2/...` is forwarded. */
  hop?: { url: string; pid: number } | undefined;
  /** The bare graphql-js floor; its url is its /graphql endpoint. */
  bare?: { url: string; pid: number } | undefined;
  gateway: { url: string; pid: number };
  /** The same gateway asked the same reads as trusted documents (`documentId`), when it was given their manifest. */
  trusted?: boolean | undefined;
  /** `--baseline REF`: that commit's gateway, asked the reads its own bench defined. */
  baseline?: { url: string; pid: number; ref: string; deviceQuery: string; pageQuery: string } | undefined;
  peer: { url: string; pid: number } | undefined;
  accountId: string;
  deviceId: string;
  token: string;
}

const isKazooSuccess = (body: string): boolean => body.includes('"status":"success"');
const isGraphQLSuccess = (body: string): boolean => body.startsWith('{"data":') && !body.includes('"errors":');

function graphqlTarget(url: string, token: string, query: string, variables?: Record<string, unknown>): HttpTarget {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query, ...(variables === undefined ? {} : { variables }) }),
    isSuccess: isGraphQLSuccess,
  };
}

/** The trusted document id of a query (GraphQL over HTTP's persisted document form), by the gateway's own hash. */
export function documentIdOf(query: string): string {
  return `sha256:${queryHash(query)}`;
}

/** The manifest that makes the gateway's two reads trusted documents (TRUSTED_DOCUMENTS). */
export function benchManifest(): Record<string, string> {
  return Object.fromEntries([GATEWAY_DEVICE_QUERY, GATEWAY_PAGE_QUERY].map((query) => [documentIdOf(query), query]));
}

function trustedTarget(url: string, token: string, query: string, variables: Record<string, unknown>): HttpTarget {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ documentId: documentIdOf(query), variables }),
    isSuccess: isGraphQLSuccess,
  };
}

export function readTargets(setup: ReadSetup): Map<TargetName, Record<ReadName, HttpTarget>> {
  const { accountId, deviceId, token } = setup;
  const rest = (base: string, path: string): HttpTarget => ({
    method: 'GET',
    url: `${base}/v2/accounts/${accountId}${path}`,
    headers: { 'x-auth-token': token },
    isSuccess: isKazooSuccess,
  });
  const restReads = (base: string): Record<ReadName, HttpTarget> => ({
    device: rest(base, `/devices/${deviceId}`),
    page: rest(base, '/devices?page_size=50'),
  });
  const targets = new Map<TargetName, Record<ReadName, HttpTarget>>([['direct', restReads(setup.simulatorUrl)]]);
  if (setup.hop !== undefined) targets.set('hop', restReads(setup.hop.url));
  const gatewayReads = (url: string): Record<ReadName, HttpTarget> => ({
    device: graphqlTarget(url, token, GATEWAY_DEVICE_QUERY, { accountId, id: deviceId }),
    page: graphqlTarget(url, token, GATEWAY_PAGE_QUERY, { accountId }),
  });
  if (setup.bare !== undefined) targets.set('bare', gatewayReads(setup.bare.url));
  if (setup.baseline !== undefined) {
    targets.set('baseline', {
      device: graphqlTarget(setup.baseline.url, token, setup.baseline.deviceQuery, { accountId, id: deviceId }),
      page: graphqlTarget(setup.baseline.url, token, setup.baseline.pageQuery, { accountId }),
    });
  }
  targets.set('gateway', gatewayReads(setup.gateway.url));
  if (setup.trusted === true) {
    targets.set('trusted', {
      device: trustedTarget(setup.gateway.url, token, GATEWAY_DEVICE_QUERY, { accountId, id: deviceId }),
      page: trustedTarget(setup.gateway.url, token, GATEWAY_PAGE_QUERY, { accountId }),
    });
  }
  if (setup.peer !== undefined) {
    targets.set('peer', {
      device: graphqlTarget(setup.peer.url, token, peerDeviceQuery(accountId, deviceId)),
      page: graphqlTarget(setup.peer.url, token, peerPageQuery(accountId)),
    });
  }
  return targets;
}

/** A device a screen would show: a desk phone with an owner, the first such by name (names come from the seed). */
export async function pickDevice(simulatorUrl: string, token: string, accountId: string): Promise<string> {
  const rows = await kazooGet<{ id: string; name: string; owner_id?: string; device_type?: string }[]>(
    simulatorUrl,
    token,
    `/accounts/${accountId}/devices?paginate=false`,
  );
  const candidates = rows.filter((row) => row.device_type === 'sip_device' && typeof row.owner_id === 'string');
  candidates.sort((a, b) => a.name.localeCompare(b.name));
  const chosen = candidates[0];
  if (chosen === undefined) throw new Error('the demo account has no owned desk phone');
  return chosen.id;
}

/** Each target must answer each read correctly once before it is loaded. */
export async function checkTargets(setup: ReadSetup): Promise<void> {
  const { accountId, deviceId, token } = setup;
  await kazooGet(setup.simulatorUrl, token, `/accounts/${accountId}/devices/${deviceId}`);
  if (setup.hop !== undefined) await kazooGet(setup.hop.url, token, `/accounts/${accountId}/devices/${deviceId}`);
  if (setup.bare !== undefined) {
    const bare = await graphql<{ device: { kazooId: string } | null }>(setup.bare.url, token, GATEWAY_DEVICE_QUERY, { accountId, id: deviceId });
    if (bare.device?.kazooId !== deviceId) throw new Error('the bare graphql-js server did not return the device');
  }
  const device = await graphql<{ device: { kazooId: string } | null }>(setup.gateway.url, token, GATEWAY_DEVICE_QUERY, { accountId, id: deviceId });
  if (device.device?.kazooId !== deviceId) throw new Error('the gateway did not return the device');
  const page = await graphql<{ devices: { edges: unknown[] } }>(setup.gateway.url, token, GATEWAY_PAGE_QUERY, { accountId });
  if (page.devices.edges.length !== 50) throw new Error(`the gateway returned ${page.devices.edges.length} devices, not 50`);
  if (setup.trusted === true) {
    const trusted = await fetch(setup.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': token },
      body: JSON.stringify({ documentId: documentIdOf(GATEWAY_DEVICE_QUERY), variables: { accountId, id: deviceId } }),
    });
    const body = (await trusted.json()) as { data?: { device?: { kazooId?: string } } };
    if (body.data?.device?.kazooId !== deviceId) throw new Error('the gateway did not run the trusted device read');
  }
  if (setup.baseline !== undefined) {
    // Its queries are its own; an answer without errors (graphql() throws on one) is what matters.
    await graphql(setup.baseline.url, token, setup.baseline.deviceQuery, { accountId, id: deviceId });
    await graphql(setup.baseline.url, token, setup.baseline.pageQuery, { accountId });
  }
  if (setup.peer !== undefined) {
    const peerDevice = await graphql<{ device: { data?: { id?: string } } }>(setup.peer.url, token, peerDeviceQuery(accountId, deviceId));
    if (peerDevice.device.data?.id !== deviceId) throw new Error('the peer did not return the device');
    const peerPage = await graphql<{ devices: { data?: unknown[] } }>(setup.peer.url, token, peerPageQuery(accountId));
    if (peerPage.devices.data?.length !== 50) throw new Error(`the peer returned ${peerPage.devices.data?.length} devices, not 50`);
  }
}

export interface ReadsOptions {
  connections: readonly number[];
  repetitions: number;
  warmupSeconds: number;
  durationSeconds: number;
  log: (line: string) => void;
}

export interface CellSummary {
  read: ReadName;
  target: TargetName;
  connections: number;
  runs: LoadResult[];
  rps: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  rpsSpread: number;
  meanSpread: number;
  failures: number;
  bytesPerResponse: number;
  cpuMsPerRequest: Record<string, number>;
}

export interface Comparison {
  read: ReadName;
  connections: number;
  gatewayAddedMeanMs: number;
  hopAddedMeanMs: number;
  bareAddedMeanMs: number;
  peerAddedMeanMs: number;
  gatewayPeerRpsRatio: number;
  gatewayDirectRpsRatio: number;
  /** Today's gateway against `--baseline`: throughput and the gateway's own CPU time per request. */
  gatewayBaselineRpsRatio: number;
  gatewayBaselineCpuRatio: number;
  /** A trusted document (`documentId`) against the same read sent as text, mean latency. */
  trustedAddedMeanMs: number;
}

export interface ReadsReport {
  cells: CellSummary[];
  comparisons: Comparison[];
  goals: Goal[];
  text: string;
}

export async function measureReads(setup: ReadSetup, control: SimulatorControl, options: ReadsOptions): Promise<ReadsReport> {
  const targets = readTargets(setup);
  const watch: Record<TargetName, Record<string, number>> = {
    direct: { simulator: setup.simulatorPid },
    hop: setup.hop === undefined ? {} : { server: setup.hop.pid, simulator: setup.simulatorPid },
    bare: setup.bare === undefined ? {} : { server: setup.bare.pid, simulator: setup.simulatorPid },
    baseline: setup.baseline === undefined ? {} : { server: setup.baseline.pid, simulator: setup.simulatorPid },
    gateway: { server: setup.gateway.pid, simulator: setup.simulatorPid },
    trusted: setup.trusted === true ? { server: setup.gateway.pid, simulator: setup.simulatorPid } : {},
    peer: setup.peer === undefined ? {} : { server: setup.peer.pid, simulator: setup.simulatorPid },
  };
  const runs = new Map<string, LoadResult[]>();
  // Targets are interleaved inside each repetition, so a slow drift of the machine affects all three alike.
  for (let repetition = 1; repetition <= options.repetitions; repetition++) {
    for (const read of READS) {
      for (const connections of options.connections) {
        for (const [target, reads] of targets) {
          const result = await runLoad(reads[read], {
            connections,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            watch: watch[target],
          });
          // The simulator logs every request; forgetting them keeps its memory (and GC work) flat across cells.
          await control.resetRequests();
          const key = `${read}|${connections}|${target}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
          options.log(
            `  [${repetition}/${options.repetitions}] ${read.padEnd(6)} c=${String(connections).padEnd(3)} ${target.padEnd(7)} ` +
              `${fixed(result.rps, 0).padStart(6)} rps  mean ${fixed(result.meanMs, 3)} ms  p99 ${fixed(result.p99Ms, 2)} ms` +
              (result.failures > 0 ? `  FAILURES ${result.failures}` : ''),
          );
        }
      }
    }
  }

  const cells: CellSummary[] = [];
  for (const [key, results] of runs) {
    const [read, connections, target] = key.split('|') as [ReadName, string, TargetName];
    const cpuNames = Object.keys(results[0]?.cpuMsPerRequest ?? {});
    cells.push({
      read,
      target,
      connections: Number(connections),
      runs: results,
      rps: median(results.map((result) => result.rps)),
      meanMs: median(results.map((result) => result.meanMs)),
      p50Ms: median(results.map((result) => result.p50Ms)),
      p99Ms: median(results.map((result) => result.p99Ms)),
      rpsSpread: spread(results.map((result) => result.rps)),
      meanSpread: spread(results.map((result) => result.meanMs)),
      failures: results.reduce((sum, result) => sum + result.failures, 0),
      bytesPerResponse: median(results.map((result) => result.bytesPerResponse)),
      cpuMsPerRequest: Object.fromEntries(
        cpuNames.map((name) => [name, median(results.map((result) => result.cpuMsPerRequest[name] ?? Number.NaN))]),
      ),
    });
  }
  const cell = (read: ReadName, connections: number, target: TargetName): CellSummary | undefined =>
    cells.find((c) => c.read === read && c.connections === connections && c.target === target);

  const comparisons: Comparison[] = [];
  for (const read of READS) {
    for (const connections of options.connections) {
      const direct = cell(read, connections, 'direct');
      const hop = cell(read, connections, 'hop');
      const bare = cell(read, connections, 'bare');
      const gateway = cell(read, connections, 'gateway');
      const peer = cell(read, connections, 'peer');
      const baseline = cell(read, connections, 'baseline');
      const trusted = cell(read, connections, 'trusted');
      comparisons.push({
        read,
        connections,
        gatewayAddedMeanMs: (gateway?.meanMs ?? Number.NaN) - (direct?.meanMs ?? Number.NaN),
        hopAddedMeanMs: (hop?.meanMs ?? Number.NaN) - (direct?.meanMs ?? Number.NaN),
        bareAddedMeanMs: (bare?.meanMs ?? Number.NaN) - (direct?.meanMs ?? Number.NaN),
        peerAddedMeanMs: (peer?.meanMs ?? Number.NaN) - (direct?.meanMs ?? Number.NaN),
        gatewayPeerRpsRatio: (gateway?.rps ?? Number.NaN) / (peer?.rps ?? Number.NaN),
        gatewayDirectRpsRatio: (gateway?.rps ?? Number.NaN) / (direct?.rps ?? Number.NaN),
        gatewayBaselineRpsRatio: (gateway?.rps ?? Number.NaN) / (baseline?.rps ?? Number.NaN),
        gatewayBaselineCpuRatio: (gateway?.cpuMsPerRequest.server ?? Number.NaN) / (baseline?.cpuMsPerRequest.server ?? Number.NaN),
        trustedAddedMeanMs: (trusted?.meanMs ?? Number.NaN) - (gateway?.meanMs ?? Number.NaN),
      });
    }
  }

  const goals: Goal[] = [];
  for (const comparison of comparisons) {
    const invalid = cells.some((c) => c.read === comparison.read && c.connections === comparison.connections && c.failures > 0);
    if (comparison.connections === 1) {
      goals.push({
        name: `${comparison.read} read, 1 client: gateway adds <= 0.3 ms mean over direct REST`,
        met: invalid || !Number.isFinite(comparison.gatewayAddedMeanMs) ? undefined : comparison.gatewayAddedMeanMs <= 0.3,
        detail:
          `added ${fixed(comparison.gatewayAddedMeanMs, 3)} ms` +
          (Number.isFinite(comparison.bareAddedMeanMs) ? `; bare graphql-js floor adds ${fixed(comparison.bareAddedMeanMs, 3)} ms` : ''),
      });
    } else {
      goals.push({
        name: `${comparison.read} read, ${comparison.connections} clients: gateway rps >= 3x peer rps`,
        met: invalid || !Number.isFinite(comparison.gatewayPeerRpsRatio) ? undefined : comparison.gatewayPeerRpsRatio >= 3,
        detail: setup.peer === undefined ? 'peer not available' : `ratio ${fixed(comparison.gatewayPeerRpsRatio, 2)}`,
      });
    }
  }

  if (setup.baseline !== undefined) {
    for (const comparison of comparisons) {
      const invalid = cells.some((c) => c.read === comparison.read && c.connections === comparison.connections && c.failures > 0);
      goals.push({
        name: `${comparison.read} read, ${comparison.connections} client(s): rps at most 5% below ${setup.baseline.ref}`,
        met: invalid || !Number.isFinite(comparison.gatewayBaselineRpsRatio) ? undefined : comparison.gatewayBaselineRpsRatio >= 0.95,
        detail:
          `rps ratio ${fixed(comparison.gatewayBaselineRpsRatio, 3)}; gateway CPU per request ratio ${fixed(comparison.gatewayBaselineCpuRatio, 3)}`,
      });
    }
  }

  const lines: string[] = [];
  for (const read of READS) {
    lines.push('', `read: ${read}`);
    lines.push(
      table(
        ['target', 'clients', 'rps', 'mean ms', 'p50 ms', 'p99 ms', 'rps spread', 'bytes/resp', 'server cpu ms/req', 'sim cpu ms/req', 'failures'],
        cells
          .filter((c) => c.read === read)
          .sort((a, b) => a.connections - b.connections || TARGET_ORDER.indexOf(a.target) - TARGET_ORDER.indexOf(b.target))
          .map((c) => [
            c.target,
            String(c.connections),
            fixed(c.rps, 0),
            fixed(c.meanMs, 3),
            fixed(c.p50Ms, 3),
            fixed(c.p99Ms, 3),
            c.runs.length > 1 ? `${fixed(c.rpsSpread * 100, 1)}%` : 'n/a',
            fixed(c.bytesPerResponse, 0),
            fixed(c.cpuMsPerRequest.server ?? Number.NaN, 3),
            fixed(c.cpuMsPerRequest.simulator ?? Number.NaN, 3),
            String(c.failures),
          ]),
      ),
    );
    for (const comparison of comparisons.filter((c) => c.read === read)) {
      lines.push(
        `  ${read} c=${comparison.connections}: gateway-direct added mean latency: ${fixed(comparison.gatewayAddedMeanMs, 3)} ms; ` +
          `hop-direct added mean latency: ${fixed(comparison.hopAddedMeanMs, 3)} ms; ` +
          `bare-direct added mean latency: ${fixed(comparison.bareAddedMeanMs, 3)} ms; ` +
          `peer-direct added mean latency: ${fixed(comparison.peerAddedMeanMs, 3)} ms; ` +
          `gateway/peer rps ratio: ${fixed(comparison.gatewayPeerRpsRatio, 2)}; gateway/direct rps ratio: ${fixed(comparison.gatewayDirectRpsRatio, 2)}` +
          (setup.baseline === undefined
            ? ''
            : `; gateway/baseline rps ratio: ${fixed(comparison.gatewayBaselineRpsRatio, 3)}, cpu ms/req ratio: ${fixed(comparison.gatewayBaselineCpuRatio, 3)}`) +
          (setup.trusted === true ? `; trusted document - query text added mean latency: ${fixed(comparison.trustedAddedMeanMs, 3)} ms` : ''),
      );
    }
  }
  const spreads = cells.map((c) => c.rpsSpread).filter((value) => Number.isFinite(value));
  if (spreads.length > 0) {
    lines.push(
      '',
      `rps spread between repetitions ((max - min) / median): median ${fixed(median(spreads) * 100, 1)}%, ` +
        `max ${fixed(Math.max(...spreads) * 100, 1)}%; ${spreads.filter((value) => value <= 0.15).length} of ${spreads.length} cells within 15%`,
    );
  }
  lines.push('', ...goals.map(goalLine));
  return { cells, comparisons, goals, text: lines.join('\n') };
}
