// Part 4: cold start to the first answered query, and steady-state memory with no load. Cold start is timed from
// spawning `node` to the first successful answer to a real query (one device by id, which reaches Kazoo), polled
// every few milliseconds: for our gateway in front of a running simulator (KAZOO_URL set), for `npm start`'s
// embedded mode (KAZOO_URL unset, which also seeds and starts the simulator in-process), and for the peer. Idle
// memory is the resident set size (RSS, from /proc) after a settle period with no load: once right after start,
// and again after a burst of load.
import type { Build } from './build.js';
import { runLoad } from './load.js';
import { collectAndMeasure, INSPECT_ARGS, inspectorUrl } from './inspector.js';
import { freePort, launchPeer } from './peer.js';
import type { ComposedPeer } from './peer.js';
import { residentBytes } from './processes.js';
import type { ChildService } from './processes.js';
import { peerDeviceQuery, GATEWAY_DEVICE_QUERY, GATEWAY_PAGE_QUERY, peerPageQuery, pickDevice } from './reads.js';
import { fixed, mib, table } from './report.js';
import type { Goal } from './report.js';
import { launchGateway, startSimulatorProcess } from './services.js';
import { median, spread } from './stats.js';

export interface ColdStart {
  server: string;
  runsMs: number[];
  medianMs: number;
  spread: number;
}

export interface IdleMemory {
  server: string;
  afterStartBytes: number;
  afterLoadBytes: number;
  heapAfterStartBytes: number;
  heapAfterLoadBytes: number;
  loadRequests: number;
}

export interface StartupReport {
  coldStarts: ColdStart[];
  idle: IdleMemory[];
  goals: Goal[];
  text: string;
}

export interface StartupOptions {
  runs: number;
  settleSeconds: number;
  log: (line: string) => void;
}

interface Probe {
  url: string;
  token: string;
  body: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds from `since` until the probe gets a GraphQL answer with data and no errors. */
async function untilAnswered(probe: Probe | (() => Probe | undefined), since: number, child: ChildService, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    if (child.hasExited) throw new Error(`${child.name} exited during start-up; see ${child.logFile}`);
    if (performance.now() - since > timeoutMs) throw new Error(`${child.name} answered nothing within ${timeoutMs} ms`);
    const current = typeof probe === 'function' ? probe() : probe;
    if (current !== undefined) {
      try {
        const response = await fetch(current.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': current.token },
          body: current.body,
        });
        const text = await response.text();
        if (response.ok && text.startsWith('{"data":') && !text.includes('"errors":')) return performance.now() - since;
      } catch {
        // not listening yet
      }
    }
    await sleep(2);
  }
}

export async function measureStartup(build: Build, peer: ComposedPeer | undefined, options: StartupOptions): Promise<StartupReport> {
  const simulator = await startSimulatorProcess(build, 'startup-simulator');
  const coldStarts: ColdStart[] = [];
  const idle: IdleMemory[] = [];
  try {
    const demo = await simulator.control.demoAccount();
    const token = await simulator.control.token(demo.accountId);
    const deviceId = await pickDevice(simulator.url, token, demo.accountId);
    const gatewayBody = JSON.stringify({ query: GATEWAY_DEVICE_QUERY, variables: { accountId: demo.accountId, id: deviceId } });

    const external: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const port = await freePort();
      const since = performance.now();
      const child = launchGateway(build, { kazooUrl: simulator.url, name: `cold-start-${run}`, env: { PORT: String(port) } });
      external.push(await untilAnswered({ url: `http://127.0.0.1:${port}/graphql`, token, body: gatewayBody }, since, child));
      await child.stop();
    }
    coldStarts.push(summarise('gateway (KAZOO_URL set)', external));

    // Embedded mode: its simulator is seeded at start-up, so the demo token and ids are read from what it prints.
    const embedded: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const port = await freePort();
      const since = performance.now();
      const child = launchGateway(build, { kazooUrl: undefined, name: `cold-start-embedded-${run}`, env: { PORT: String(port) } });
      let probe: Probe | undefined;
      void child.waitFor(/Demo account:\s+([0-9a-f]{32})\s+Demo token:\s+(\S+)/, 60_000).then(
        ([, accountId = '', demoToken = '']) => {
          probe = {
            url: `http://127.0.0.1:${port}/graphql`,
            token: demoToken,
            body: JSON.stringify({ query: '{ devices(accountId: "' + accountId + '", first: 1) { edges { node { id name } } } }' }),
          };
        },
        () => undefined,
      );
      embedded.push(await untilAnswered(() => probe, since, child));
      await child.stop();
    }
    coldStarts.push(summarise('gateway, embedded simulator (npm start)', embedded));

    let peerProblem: string | undefined;
    if (peer !== undefined) {
      const peerRuns: number[] = [];
      try {
        for (let run = 1; run <= options.runs; run++) {
          const port = await freePort();
          const since = performance.now();
          const child = launchPeer(peer, simulator.url, port, `cold-start-peer-${run}`);
          const body = JSON.stringify({ query: peerDeviceQuery(demo.accountId, deviceId) });
          try {
            peerRuns.push(await untilAnswered({ url: `http://127.0.0.1:${port}/graphql`, token, body }, since, child));
          } finally {
            await child.stop();
          }
        }
        coldStarts.push(summarise('peer (Hive Gateway)', peerRuns));
      } catch (error) {
        peerProblem = error instanceof Error ? error.message : String(error);
        options.log(`  peer skipped: ${peerProblem}`);
      }
    }

    // Idle memory: one instance each, measured after start and after a burst of page reads.
    const servers: { name: string; start: (port: number) => ChildService; page: string }[] = [
      {
        name: 'gateway',
        start: (port) =>
          launchGateway(build, { kazooUrl: simulator.url, name: 'idle-gateway', env: { PORT: String(port) }, nodeArgs: INSPECT_ARGS }),
        page: JSON.stringify({ query: GATEWAY_PAGE_QUERY, variables: { accountId: demo.accountId } }),
      },
    ];
    if (peer !== undefined && peerProblem === undefined) {
      servers.push({
        name: 'peer',
        start: (port) => launchPeer(peer, simulator.url, port, 'idle-peer', INSPECT_ARGS),
        page: JSON.stringify({ query: peerPageQuery(demo.accountId) }),
      });
    }
    for (const server of servers) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const child = server.start(port);
      try {
        const inspector = await inspectorUrl(child);
        await untilAnswered({ url, token, body: server.page }, performance.now(), child);
        await sleep(options.settleSeconds * 1000);
        const afterStartBytes = residentBytes(child.pid);
        const heapAfterStart = await collectAndMeasure(inspector);
        const burst = await runLoad(
          {
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json', 'x-auth-token': token },
            body: server.page,
            isSuccess: (text) => text.startsWith('{"data":'),
          },
          { connections: 10, warmupSeconds: 0, durationSeconds: Math.min(5, options.settleSeconds), watch: {} },
        );
        await simulator.control.resetRequests();
        await sleep(options.settleSeconds * 1000);
        const afterLoadBytes = residentBytes(child.pid);
        const heapAfterLoad = await collectAndMeasure(inspector);
        idle.push({
          server: server.name,
          afterStartBytes,
          afterLoadBytes,
          heapAfterStartBytes: heapAfterStart.heapUsed,
          heapAfterLoadBytes: heapAfterLoad.heapUsed,
          loadRequests: burst.requests,
        });
      } finally {
        await child.stop();
      }
    }
  } finally {
    await simulator.process.stop();
  }

  const text = [
    '',
    table(
      ['cold start to first answered query', 'median ms', 'spread', 'runs (ms)'],
      coldStarts.map((cold) => [
        cold.server,
        fixed(cold.medianMs, 0),
        cold.runsMs.length > 1 ? `${fixed(cold.spread * 100, 1)}%` : 'n/a',
        cold.runsMs.map((ms) => fixed(ms, 0)).join(', '),
      ]),
    ),
    '',
    table(
      ['idle memory', `RSS after start + ${options.settleSeconds} s`, 'RSS after load + settle', 'heap after start (GC)', 'heap after load (GC)', 'load requests'],
      idle.map((memory) => [
        memory.server,
        mib(memory.afterStartBytes),
        mib(memory.afterLoadBytes),
        mib(memory.heapAfterStartBytes),
        mib(memory.heapAfterLoadBytes),
        String(memory.loadRequests),
      ]),
    ),
  ];
  const gateway = coldStarts[0];
  const peerCold = coldStarts.find((cold) => cold.server.startsWith('peer'));
  if (gateway !== undefined && peerCold !== undefined) {
    text.push(`  peer/gateway cold start ratio: ${fixed(peerCold.medianMs / gateway.medianMs, 2)}`);
  }
  const gatewayIdle = idle.find((memory) => memory.server === 'gateway');
  const peerIdle = idle.find((memory) => memory.server === 'peer');
  if (gatewayIdle !== undefined && peerIdle !== undefined) {
    text.push(`  peer/gateway idle RSS ratio: ${fixed(peerIdle.afterLoadBytes / gatewayIdle.afterLoadBytes, 2)}`);
  }
  return { coldStarts, idle, goals: [], text: text.join('\n') };
}

function summarise(server: string, runsMs: number[]): ColdStart {
  return { server, runsMs, medianMs: median(runsMs), spread: spread(runsMs) };
}
