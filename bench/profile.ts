// `--profile`: where the gateway spends its CPU under load. A separate gateway is started with `node --cpu-prof`
// for each read, loaded at 10 clients, stopped (the profile is written on exit) and the profile summarised over the
// measured window only (start-up and warm-up left out): CPU per request; self time by layer (graphql-js, Apollo
// Server, the upstream client, logging, metrics, our resolvers, Node's HTTP stack, GC) and by area (a package or
// a gateway source file), with native frames (writes, JSON) charged to the JavaScript that called them; the top
// functions; and the inclusive time of parse and validate (synchronous, so their subtree is their whole cost —
// asynchronous stages such as execute continue in microtasks and cannot be measured this way).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Build } from './build.js';
import { runLoad } from './load.js';
import { readTargets } from './reads.js';
import type { ReadName, ReadSetup } from './reads.js';
import { fixed, percent, table } from './report.js';
import { startGatewayProcess } from './services.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds between consecutive samples. */
  timeDeltas: number[];
}

/** Synchronous stages, recognised by function name and file; time is inclusive (callees counted). */
const STAGES: readonly { stage: string; functionName: string; urlIncludes: string }[] = [
  { stage: 'graphql parse', functionName: 'parse', urlIncludes: 'graphql/language/parser' },
  { stage: 'graphql validate', functionName: 'validate', urlIncludes: 'graphql/validation/validate' },
];

/** Layers, by area (first match wins). */
const LAYERS: readonly { layer: string; matches: (area: string) => boolean }[] = [
  { layer: 'GC', matches: (area) => area === '(garbage collector)' },
  { layer: 'promise jobs (microtask queue)', matches: (area) => area === '(microtasks)' },
  { layer: 'graphql-js (parse, validate, execute)', matches: (area) => area === 'graphql' },
  {
    layer: 'Apollo Server (request pipeline, plugins, serialisation)',
    matches: (area) => area.startsWith('@apollo/') || ['negotiator', 'lru-cache', 'whatwg-mimetype', 'uuid'].includes(area),
  },
  { layer: 'logging (pino)', matches: (area) => area === 'pino' || area.startsWith('@pinojs/') || ['sonic-boom', 'fast-redact'].includes(area) },
  { layer: 'metrics (prom-client)', matches: (area) => area === 'prom-client' || area.endsWith('use-metrics.ts') },
  { layer: 'upstream client (undici, src/kazoo)', matches: (area) => area === 'undici' || area.startsWith('gateway kazoo/') },
  {
    layer: 'resolvers and loaders (src/graphql, src/loaders)',
    matches: (area) => area.startsWith('gateway graphql/') || area.startsWith('gateway loaders/') || area === 'dataloader' || area.startsWith('@graphql-tools/'),
  },
  { layer: 'graphql-ws and ws (WebSocket protocol)', matches: (area) => area === 'graphql-ws' || area === 'ws' },
  { layer: 'live registrations (src/subscriptions)', matches: (area) => area.startsWith('gateway subscriptions/') },
  { layer: 'gateway server (src/server)', matches: (area) => area.startsWith('gateway server/') || area === 'gateway main.ts' },
  { layer: 'Node HTTP, sockets, streams, timers', matches: (area) => area.startsWith('node:') },
];

function layerOf(area: string): string {
  return LAYERS.find((entry) => entry.matches(area))?.layer ?? 'other';
}

export interface ProfileSummary {
  /** What was profiled, e.g. `device read`. */
  label: string;
  file: string;
  totalMs: number;
  requests: number;
  cpuMsPerRequest: number;
  topFunctions: { name: string; location: string; selfMs: number; share: number }[];
  layers: { layer: string; selfMs: number; share: number }[];
  areas: { area: string; selfMs: number; share: number }[];
  stages: { stage: string; inclusiveMs: number; share: number }[];
}

export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'V8 builtins';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch?.[1] !== undefined) return packageMatch[1];
  const source = /\/(?:dist|src)\/(.+)$/.exec(url)?.[1];
  return source === undefined ? url : `gateway ${source.replace(/\.js$/, '.ts')}`;
}

/**
 * Summarises the samples taken from `fromMs` after the profile started (start-up and warm-up are left out);
 * `requests` were served in that window.
 */
export function summariseProfile(profile: CpuProfile, label: string, file: string, fromMs: number, requests: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let elapsedUs = 0;
  let windowUs = 0;
  profile.samples.forEach((sample, index) => {
    const deltaUs = profile.timeDeltas[index] ?? 0;
    elapsedUs += deltaUs;
    if (elapsedUs < fromMs * 1000) return;
    windowUs += deltaUs;
    self.set(sample, (self.get(sample) ?? 0) + deltaUs / 1000);
  });
  const idle = [...byId.values()].filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (self.get(node.id) ?? 0), 0);
  const busyMs = windowUs / 1000 - idle;

  // Native frames (no url: writes, JSON, builtins) are charged to the nearest JavaScript caller's area.
  const parentOf = new Map<number, number>();
  for (const node of byId.values()) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const effectiveArea = (id: number): string => {
    // Promise reactions run from the microtask queue: the cost of async resolvers and awaits.
    if (byId.get(id)?.callFrame.functionName === 'runMicrotasks') return '(microtasks)';
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current)?.callFrame;
      if (frame === undefined) break;
      if (frame.url !== '' || frame.functionName.startsWith('(')) return areaOf(frame);
    }
    return 'V8 builtins';
  };

  const functions = new Map<string, { name: string; location: string; selfMs: number }>();
  const areas = new Map<string, number>();
  const layers = new Map<string, number>();
  for (const node of byId.values()) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0 || node.callFrame.functionName === '(idle)') continue;
    const frame = node.callFrame;
    const area = effectiveArea(node.id);
    const location = frame.url === '' ? `native, from ${area}` : `${areaOf(frame)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${location}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', location, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    layers.set(layerOf(area), (layers.get(layerOf(area)) ?? 0) + ms);
  }

  // Inclusive time per stage: the subtree under the outermost frame of that stage (nested calls counted once).
  const subtree = new Map<number, number>();
  const total = (id: number): number => {
    const known = subtree.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const sum = (self.get(id) ?? 0) + (node?.children ?? []).reduce((acc, child) => acc + total(child), 0);
    subtree.set(id, sum);
    return sum;
  };
  const stages = STAGES.map(({ stage, functionName, urlIncludes }) => {
    const matches = (frame: CallFrame): boolean =>
      frame.functionName === functionName && (urlIncludes === '' ? frame.url === '' : frame.url.includes(urlIncludes));
    let inclusive = 0;
    const walk = (id: number, inside: boolean): void => {
      const node = byId.get(id);
      if (node === undefined) return;
      const hit = !inside && matches(node.callFrame);
      if (hit) inclusive += total(id);
      for (const child of node.children ?? []) walk(child, inside || hit);
    };
    const root = profile.nodes[0];
    if (root !== undefined) walk(root.id, false);
    return { stage, inclusiveMs: inclusive, share: inclusive / busyMs };
  });

  return {
    label,
    file,
    totalMs: busyMs,
    requests,
    cpuMsPerRequest: busyMs / Math.max(1, requests),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 15)
      .map((entry) => ({ ...entry, share: entry.selfMs / busyMs })),
    layers: [...layers.entries()].sort((a, b) => b[1] - a[1]).map(([layer, selfMs]) => ({ layer, selfMs, share: selfMs / busyMs })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([area, selfMs]) => ({ area, selfMs, share: selfMs / busyMs })),
    stages,
  };
}

export interface ProfileReport {
  profiles: ProfileSummary[];
  text: string;
}

export async function profileGateway(
  build: Build,
  setup: ReadSetup,
  options: { seconds: number; directory: string; log: (line: string) => void; connections?: number; reads?: readonly ReadName[] },
): Promise<ProfileReport> {
  mkdirSync(options.directory, { recursive: true });
  const profiles: ProfileSummary[] = [];
  const connections = options.connections ?? 10;
  for (const read of options.reads ?? (['device', 'page'] as const)) {
    const name = `gateway-${read}-${Date.now()}.cpuprofile`;
    const spawned = performance.now();
    const gateway = await startGatewayProcess(build, {
      kazooUrl: setup.simulatorUrl,
      name: `profile-${read}`,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', options.directory, '--cpu-prof-name', name],
    });
    const target = readTargets({ ...setup, gateway: { url: `${gateway.url}/graphql`, pid: gateway.process.pid } }).get('gateway')?.[read];
    if (target === undefined) throw new Error('no gateway target');
    const warmupSeconds = 2;
    const measuredFromMs = performance.now() - spawned + warmupSeconds * 1000;
    const result = await runLoad(target, { connections, warmupSeconds, durationSeconds: options.seconds, watch: {} });
    await gateway.process.stop(30_000);
    const file = join(options.directory, name);
    if (!readdirSync(options.directory).includes(name)) throw new Error(`the gateway wrote no profile ${file}`);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const summary = summariseProfile(profile, `${read} read`, file, measuredFromMs, result.requests);
    options.log(`  ${read}: ${result.requests} requests at ${connections} client(s), profile ${file}`);
    profiles.push(summary);
  }
  return { profiles, text: profiles.map((summary) => formatProfile(summary, 'request')).join('\n') };
}

/** The layers, areas and top functions of one summary; `unit` names what `requests` counted. */
export function formatProfile(summary: ProfileSummary, unit: string): string {
  return [
    '',
    `${summary.label}: ${fixed(summary.totalMs, 0)} ms of CPU (idle, start-up and warm-up excluded) for ${summary.requests} ${unit}s: ` +
      `${fixed(summary.cpuMsPerRequest, 3)} ms per ${unit}`,
    table(['stage (inclusive)', 'ms', 'share'], summary.stages.map((stage) => [stage.stage, fixed(stage.inclusiveMs, 0), percent(stage.share)])),
    table(['layer (self time)', 'ms', 'share'], summary.layers.map((layer) => [layer.layer, fixed(layer.selfMs, 0), percent(layer.share)])),
    table(['area (self time)', 'ms', 'share'], summary.areas.map((area) => [area.area, fixed(area.selfMs, 0), percent(area.share)])),
    table(
      ['function (self time)', 'where', 'ms', 'share'],
      summary.topFunctions.map((entry) => [entry.name, entry.location, fixed(entry.selfMs, 0), percent(entry.share)]),
    ),
  ].join('\n');
}
