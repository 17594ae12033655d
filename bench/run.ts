// `npm run bench [-- --quick] [--peer] [--no-peer] [--peer-spec PATH] [--runs N] [--only LIST] [--profile] [--baseline REF]`
//
// The benchmark runner: builds the project, starts the simulator, the gateway and the peer as separate processes,
// measures every figure of issue 7 beside its baselines, prints each ratio and goal, writes the results as JSON
// under .bench/results, and stops every process it started (also on Ctrl-C).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBaseline, buildProject } from './build.js';
import type { BaselineBuild, Build } from './build.js';
import { measureFanout } from './fanout.js';
import type { FanoutReport } from './fanout.js';
import { composePeer, ensurePeerInstalled, PeerUnavailable, startPeer } from './peer.js';
import type { ComposedPeer, RunningPeer } from './peer.js';
import { BENCH_DIR, DEFAULT_PEER_SPEC, PROFILE_DIR, PROJECT_ROOT, RESULTS_DIR } from './paths.js';
import { startProcess, stopChildrenOnExit } from './processes.js';
import { profileGateway } from './profile.js';
import { benchManifest, checkTargets, measureReads, pickDevice } from './reads.js';
import type { ReadsReport } from './reads.js';
import { goalLine, heading, machine } from './report.js';
import type { Goal } from './report.js';
import { startGatewayProcess, startSimulatorProcess, GATEWAY_BENCH_ENV } from './services.js';
import { measureStartup } from './startup.js';
import type { StartupReport } from './startup.js';
import { measureUpstream } from './upstream.js';
import type { UpstreamReport } from './upstream.js';

const PARTS = ['reads', 'upstream', 'fanout', 'startup'] as const;
type Part = (typeof PARTS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    peer: { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
    'peer-spec': { type: 'string', default: DEFAULT_PEER_SPEC },
    runs: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(
    [
      'npm run bench [-- options]',
      '  --quick            a short run (about 90 s once the peer is installed): short loads, one repetition, 1,000 subscribers',
      '  --peer             (re)install the peer (GraphQL Mesh + Hive Gateway) into .bench/peer first',
      '  --no-peer          do not install or run the peer',
      '  --peer-spec PATH   the Swagger file the peer is composed from (default ../shared/kazoo-4.3/swagger.json)',
      '  --runs N           repetitions of every load measurement (default 2, quick 1)',
      `  --only LIST        comma-separated parts to run: ${PARTS.join(',')}`,
      '  --profile          also profile the gateway (node --cpu-prof) under the read load and during fan-out delivery',
      '  --baseline REF     also run that commit\'s gateway in every read cell (interleaved), and compare throughput with it',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const quick = args.quick;
const parts = new Set<Part>(
  args.only === undefined ? PARTS : (args.only.split(',').map((part) => part.trim()) as Part[]).filter((part) => PARTS.includes(part)),
);
const settings = {
  repetitions: Number(args.runs ?? (quick ? 1 : 2)),
  warmupSeconds: quick ? 0.5 : 3,
  durationSeconds: quick ? 1 : 10,
  connections: [1, 10, 100],
  accountSizes: [100, 1_000, 5_000],
  subscriberCounts: quick ? [1_000] : [1_000, 10_000],
  coldStarts: quick ? 1 : 5,
  idleSettleSeconds: quick ? 1 : 10,
};

const runStarted = performance.now();
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
/** A part's heading, with the time the run has taken so far. */
const part = (title: string): void => {
  log(heading(`${title} (at ${((performance.now() - runStarted) / 1000).toFixed(0)} s)`));
};

interface PeerState {
  composed: ComposedPeer | undefined;
  skipped: string | undefined;
  install: string | undefined;
}

async function preparePeer(): Promise<PeerState> {
  if (args['no-peer']) return { composed: undefined, skipped: 'disabled with --no-peer', install: undefined };
  try {
    const install = await ensurePeerInstalled(args.peer);
    const composed = await composePeer(args['peer-spec']);
    return { composed, skipped: undefined, install };
  } catch (error) {
    const reason = error instanceof PeerUnavailable ? error.message : `unexpected: ${error instanceof Error ? error.stack : String(error)}`;
    return { composed: undefined, skipped: reason, install: undefined };
  }
}

function formatLoad(load: readonly number[]): string {
  return load.map((value) => value.toFixed(2)).join(', ');
}

async function main(): Promise<void> {
  stopChildrenOnExit();
  const host = machine();
  log(
    `kazoo-graphql-gateway bench (${quick ? 'quick' : 'full'}): ${host.cpus} CPUs (${host.cpuModel}), ${host.memoryGiB} GiB, Node ${host.node}; ` +
      `load average ${formatLoad(loadavg())}; open files limit ${host.openFilesLimit ?? 'unknown'}`,
  );
  log(`parts: ${[...parts].join(', ')}; load: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.repetitions} repetition(s)`);

  // The peer's install (network-bound) and the build (CPU-bound) overlap; nothing is measured meanwhile.
  const needsPeer = parts.has('reads') || parts.has('upstream') || parts.has('startup');
  const [build, peer, baseline] = await Promise.all([
    buildProject(),
    needsPeer ? preparePeer() : Promise.resolve<PeerState>({ composed: undefined, skipped: 'not needed by the selected parts', install: undefined }),
    args.baseline !== undefined && parts.has('reads') ? buildBaseline(args.baseline) : Promise.resolve(undefined),
  ]);
  log(`gateway and simulator: ${build.description}${build.warning === undefined ? '' : ` (warning: ${build.warning})`}`);
  if (baseline !== undefined) log(`baseline gateway: ${baseline.description}`);
  if (peer.composed !== undefined) {
    const { repairs } = peer.composed;
    log(
      `peer: GraphQL Mesh + Hive Gateway (${peer.install}), composed from ${peer.composed.specPath} ` +
        `${peer.composed.reused ? '(supergraph reused)' : `in ${peer.composed.composeSeconds.toFixed(1)} s`}; ` +
        `spec repairs: ${repairs.bareRefs} bare $ref(s), ${repairs.outOfRangeIntDefaults.length} out-of-range Int default(s)`,
    );
  } else {
    log(`peer skipped: ${peer.skipped}`);
  }

  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: host,
    loadAverageAtStart: loadavg(),
    settings,
    gatewayEnv: GATEWAY_BENCH_ENV,
    build: { description: build.description, warning: build.warning },
    baseline: baseline === undefined ? undefined : { ref: baseline.ref, commit: baseline.commit, description: baseline.description },
    peer: peer.composed === undefined ? { skipped: peer.skipped } : { ...peer.composed },
  };
  const goals: Goal[] = [];

  if (parts.has('reads') || parts.has('upstream')) {
    const loadResults = await loadParts(build, peer, baseline, goals);
    Object.assign(results, loadResults);
  }
  if (parts.has('fanout')) {
    part('3. subscription fan-out');
    const fanout: FanoutReport = await measureFanout(build, {
      subscriberCounts: settings.subscriberCounts,
      quick,
      log,
      profileDirectory: args.profile ? PROFILE_DIR : undefined,
    });
    log(fanout.text);
    goals.push(...fanout.goals);
    results.fanout = fanout;
  }

  if (parts.has('startup')) {
    part('4. cold start and idle memory');
    const startup: StartupReport = await measureStartup(build, peer.composed, { runs: settings.coldStarts, settleSeconds: settings.idleSettleSeconds, log });
    log(startup.text);
    goals.push(...startup.goals);
    results.startup = startup;
  }
  part('goals');
  for (const goal of goals) log(goalLine(goal));
  results.goals = goals;
  results.seconds = (performance.now() - runStarted) / 1000;
  results.loadAverageAtEnd = loadavg();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${results.date as string}.json`.replace(/:/g, '-'));
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  log(
    `\nresults: ${file} (also .bench/results/latest.json); logs: .bench/logs/; took ${(results.seconds as number).toFixed(0)} s; ` +
      `load average (1, 5, 15 min) at start ${formatLoad(results.loadAverageAtStart as number[])}, at end ${formatLoad(loadavg())}`,
  );
}

/** Parts 1 and 2 (and the profile) share one simulator, one gateway and one peer. */
async function loadParts(build: Build, peerState: PeerState, baselineBuild: BaselineBuild | undefined, goals: Goal[]): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  const simulator = await startSimulatorProcess(build);
  // The reads are also trusted documents of this gateway, so the same process answers them by documentId.
  const manifest = join(BENCH_DIR, 'trusted-documents.json');
  writeFileSync(manifest, JSON.stringify(benchManifest()));
  const gateway = await startGatewayProcess(build, { kazooUrl: simulator.url, env: { TRUSTED_DOCUMENTS: manifest } });
  const baseline = baselineBuild === undefined ? undefined : await startGatewayProcess(baselineBuild, { kazooUrl: simulator.url, name: 'baseline-gateway' });
  const hop = startProcess({
    name: 'hop',
    command: process.execPath,
    args: ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'hop-server.ts'), '--upstream', simulator.url],
    cwd: PROJECT_ROOT,
  });
  const [, hopUrl = ''] = await hop.waitFor(/hop listening on (http:\/\/\S+)/, 30_000);
  const bare = startProcess({
    name: 'bare-graphql',
    command: process.execPath,
    args: ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'bare-graphql-server.ts'), '--upstream', simulator.url],
    cwd: PROJECT_ROOT,
    env: { NODE_ENV: 'production' },
  });
  const [, bareUrl = ''] = await bare.waitFor(/bare graphql-js listening on (http:\/\/\S+)/, 30_000);
  let peer: RunningPeer | undefined;
  if (peerState.composed !== undefined) {
    try {
      peer = await startPeer(peerState.composed, simulator.url);
    } catch (error) {
      log(`peer skipped: it did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    const demo = await simulator.control.demoAccount();
    const token = await simulator.control.token(demo.accountId);
    const deviceId = await pickDevice(simulator.url, token, demo.accountId);
    const setup = {
      simulatorUrl: simulator.url,
      simulatorPid: simulator.process.pid,
      hop: { url: hopUrl, pid: hop.pid },
      bare: { url: bareUrl, pid: bare.pid },
      gateway: { url: `${gateway.url}/graphql`, pid: gateway.process.pid },
      trusted: true,
      baseline:
        baseline === undefined || baselineBuild === undefined
          ? undefined
          : { url: `${baseline.url}/graphql`, pid: baseline.process.pid, ref: baselineBuild.ref, deviceQuery: baselineBuild.deviceQuery, pageQuery: baselineBuild.pageQuery },
      peer: peer === undefined ? undefined : { url: peer.url, pid: peer.process.pid },
      accountId: demo.accountId,
      deviceId,
      token,
    };
    await checkTargets(setup);

    if (parts.has('reads')) {
      part('1. added latency and throughput: direct REST vs gateway vs peer');
      const reads: ReadsReport = await measureReads(setup, simulator.control, {
        connections: settings.connections,
        repetitions: settings.repetitions,
        warmupSeconds: settings.warmupSeconds,
        durationSeconds: settings.durationSeconds,
        log,
      });
      log(reads.text);
      goals.push(...reads.goals);
      results.reads = { cells: reads.cells, comparisons: reads.comparisons };
    }
    if (parts.has('upstream')) {
      part('2. upstream requests per operation');
      const upstream: UpstreamReport = await measureUpstream(simulator.control, {
        gatewayUrl: setup.gateway.url,
        peerUrl: setup.peer?.url,
        simulatorUrl: simulator.url,
        sizes: settings.accountSizes,
        log,
      });
      log(upstream.text);
      goals.push(...upstream.goals);
      results.upstream = upstream;
    }
    if (args.profile && parts.has('reads')) {
      part('gateway CPU profile under load');
      const profile = await profileGateway(build, setup, { seconds: quick ? 3 : 10, directory: PROFILE_DIR, log });
      log(profile.text);
      results.profile = profile;
    }
  } finally {
    await Promise.all([gateway.process.stop(), baseline?.process.stop(), hop.stop(), bare.stop(), peer?.process.stop(), simulator.process.stop()]);
  }
  return results;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
