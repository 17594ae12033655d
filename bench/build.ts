// How the bench runs the gateway and the simulator: compiled JavaScript, as `npm start` runs it in production.
// The project is compiled into .bench/build (not dist/, which other work may be using at the same time), with
// schema.graphql beside it where the compiled gateway reads it. If the compiler produces no JavaScript, the run
// falls back to the TypeScript sources through tsx and says so.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './processes.js';
import { BUILD_DIR, PROJECT_ROOT } from './paths.js';

export interface Build {
  /** `node <nodeArgs> <entry>` starts the program. */
  nodeArgs: string[];
  gatewayEntry: string;
  simulatorEntry: string;
  description: string;
  /** Set when tsc reported errors (usually someone else's edit in progress); the JavaScript was still emitted. */
  warning: string | undefined;
}

export async function buildProject(): Promise<Build> {
  const outDir = join(BUILD_DIR, 'dist');
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  let warning: string | undefined;
  try {
    await runToCompletion({
      name: 'build',
      command: process.execPath,
      args: [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      cwd: PROJECT_ROOT,
      timeoutMs: 120_000,
    });
  } catch (error) {
    warning = `tsc reported errors (${firstLine(error)}); using what it emitted`;
  }
  const gatewayEntry = join(outDir, 'main.js');
  const simulatorEntry = join(outDir, 'simulator', 'cli.js');
  if (existsSync(gatewayEntry) && existsSync(simulatorEntry)) {
    // The compiled schema module reads ../../schema.graphql relative to itself.
    copyFileSync(join(PROJECT_ROOT, 'schema.graphql'), join(BUILD_DIR, 'schema.graphql'));
    return { nodeArgs: [], gatewayEntry, simulatorEntry, description: 'compiled with tsc (.bench/build)', warning };
  }
  return {
    nodeArgs: ['--import', 'tsx'],
    gatewayEntry: join(PROJECT_ROOT, 'src', 'main.ts'),
    simulatorEntry: join(PROJECT_ROOT, 'src', 'simulator', 'cli.ts'),
    description: 'TypeScript sources through tsx (the build emitted nothing)',
    warning: warning ?? 'the build emitted no JavaScript',
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
