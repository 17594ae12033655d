// The peer: what a user would reach for instead of this gateway — GraphQL Mesh composing a schema from Kazoo's own
// Swagger description (@graphql-mesh/compose-cli + @omnigraph/openapi) and Hive Gateway serving it. It is
// installed on demand into .bench/peer (its own package.json, never a dependency of the gateway), configured as a
// user would (base URL = the simulator, the caller's X-Auth-Token forwarded on every operation), and started as a
// separate single process like our gateway.
//
// Kazoo 4.3's swagger.json does not compose as published; two mechanical repairs make it usable, as a user would
// have to make them (both are recorded and printed):
// - 25 `$ref`s name a definition bare ("custom_sip_headers") instead of "#/definitions/custom_sip_headers";
// - one integer default (temporal_rules.start_date, 62586115200) does not fit GraphQL's 32-bit Int.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runToCompletion, startProcess } from './processes.js';
import type { ChildService } from './processes.js';
import { PEER_DIR } from './paths.js';

/** Exact versions, so two runs (and two machines) measure the same peer. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  '@graphql-hive/gateway': '2.15.1',
  '@graphql-mesh/compose-cli': '1.8.2',
  '@omnigraph/openapi': '0.112.4',
  graphql: '16.15.0',
};

export class PeerUnavailable extends Error {
  override readonly name = 'PeerUnavailable';
}

function installedVersion(name: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

export function peerInstalled(): boolean {
  return Object.entries(PEER_PACKAGES).every(([name, version]) => installedVersion(name) === version);
}

/** npm as the runner was started with it (`npm run bench`), or the one on PATH. */
function npmCommand(): { command: string; args: string[] } {
  const npmCli = process.env.npm_execpath;
  return npmCli !== undefined && npmCli.endsWith('.js') ? { command: process.execPath, args: [npmCli] } : { command: 'npm', args: [] };
}

/** Installs the peer's packages into .bench/peer unless they are already there (or `force`). */
export async function ensurePeerInstalled(force: boolean): Promise<'already installed' | 'installed'> {
  if (!force && peerInstalled()) return 'already installed';
  mkdirSync(PEER_DIR, { recursive: true });
  writeFileSync(
    join(PEER_DIR, 'package.json'),
    `${JSON.stringify({ name: 'kazoo-gateway-bench-peer', private: true, type: 'module', dependencies: PEER_PACKAGES }, null, 2)}\n`,
  );
  const npm = npmCommand();
  try {
    await runToCompletion({
      name: 'peer-install',
      command: npm.command,
      args: [...npm.args, 'install', '--no-audit', '--no-fund', '--loglevel=error'],
      cwd: PEER_DIR,
      timeoutMs: 600_000,
    });
  } catch (error) {
    throw new PeerUnavailable(`npm install of the peer failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!peerInstalled()) throw new PeerUnavailable('npm install finished but the peer packages are not all in .bench/peer');
  return 'installed';
}

export interface SpecRepairs {
  bareRefs: number;
  outOfRangeIntDefaults: string[];
}

const INT32_MAX = 2 ** 31 - 1;

/** The two repairs described at the top of this file, applied in place; returns what was changed. */
export function repairSpec(spec: Record<string, unknown>): SpecRepairs {
  const definitions = (spec.definitions ?? {}) as Record<string, unknown>;
  const repairs: SpecRepairs = { bareRefs: 0, outOfRangeIntDefaults: [] };
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${path}/${index}`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const object = node as Record<string, unknown>;
    const ref = object.$ref;
    if (typeof ref === 'string' && !ref.startsWith('#') && ref in definitions) {
      object.$ref = `#/definitions/${ref}`;
      repairs.bareRefs++;
    }
    if (object.type === 'integer' && typeof object.default === 'number' && Math.abs(object.default) > INT32_MAX) {
      delete object.default;
      repairs.outOfRangeIntDefaults.push(path);
    }
    for (const [key, value] of Object.entries(object)) walk(value, `${path}/${key}`);
  };
  walk(spec, '#');
  return repairs;
}

/** The Mesh compose configuration a user would write: the simulator as base URL, the caller's token forwarded. */
const COMPOSE_CONFIG = `// Written by bench/peer.ts: Kazoo's Swagger through @omnigraph/openapi, as a user would configure it.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Kazoo', {
        source: './kazoo-swagger.json',
        // Resolved by Hive Gateway at run time, so one composition serves any simulator port.
        endpoint: '{env.KAZOO_URL}/v2',
        operationHeaders: { 'X-Auth-Token': '{context.headers.x-auth-token}' },
      }),
    },
  ],
});
`;

export interface ComposedPeer {
  supergraphPath: string;
  specPath: string;
  specSha256: string;
  repairs: SpecRepairs;
  composeSeconds: number;
  /** The supergraph of an earlier run was still current. */
  reused: boolean;
}

/** Composes the supergraph, or reuses the last one when the spec, the packages and the configuration are unchanged. */
export async function composePeer(specPath: string): Promise<ComposedPeer> {
  let raw: string;
  try {
    raw = readFileSync(specPath, 'utf8');
  } catch (error) {
    throw new PeerUnavailable(`cannot read the peer's spec ${specPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const spec = JSON.parse(raw) as Record<string, unknown>;
  const repairs = repairSpec(spec);
  const specSha256 = createHash('sha256').update(raw).digest('hex');
  const key = createHash('sha256').update(JSON.stringify([specSha256, PEER_PACKAGES, COMPOSE_CONFIG])).digest('hex');
  const supergraphPath = join(PEER_DIR, 'supergraph.graphql');
  const keyPath = join(PEER_DIR, 'supergraph.key');
  if (existsSync(supergraphPath) && existsSync(keyPath) && readFileSync(keyPath, 'utf8') === key) {
    return { supergraphPath, specPath, specSha256, repairs, composeSeconds: 0, reused: true };
  }
  writeFileSync(join(PEER_DIR, 'kazoo-swagger.json'), JSON.stringify(spec));
  writeFileSync(join(PEER_DIR, 'compose.config.ts'), COMPOSE_CONFIG);
  rmSync(keyPath, { force: true });
  const started = performance.now();
  try {
    await runToCompletion({
      name: 'peer-compose',
      command: process.execPath,
      args: [join(PEER_DIR, 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js'), '-c', 'compose.config.ts', '-o', 'supergraph.graphql'],
      cwd: PEER_DIR,
      timeoutMs: 180_000,
    });
  } catch (error) {
    throw new PeerUnavailable(`Mesh could not compose ${specPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!existsSync(supergraphPath)) throw new PeerUnavailable('Mesh compose wrote no supergraph');
  writeFileSync(keyPath, key);
  return { supergraphPath, specPath, specSha256, repairs, composeSeconds: (performance.now() - started) / 1000, reused: false };
}

export interface RunningPeer {
  readonly url: string;
  readonly process: ChildService;
}

/** Starts Hive Gateway (one process, no forks, like our gateway) on the composed supergraph. */
export function launchPeer(composed: ComposedPeer, kazooUrl: string, port: number, name = 'peer', nodeArgs: readonly string[] = []): ChildService {
  return startProcess({
    name,
    command: process.execPath,
    args: [
      ...nodeArgs,
      join(PEER_DIR, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
      'supergraph',
      composed.supergraphPath,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      '1',
    ],
    cwd: PEER_DIR,
    env: { KAZOO_URL: kazooUrl, NODE_ENV: 'production' },
  });
}

export async function startPeer(composed: ComposedPeer, kazooUrl: string): Promise<RunningPeer> {
  const port = await freePort();
  const child = launchPeer(composed, kazooUrl, port);
  await child.waitFor(/Listening on http:\/\//, 60_000);
  return { url: `http://127.0.0.1:${port}/graphql`, process: child };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
