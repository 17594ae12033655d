// How the bench runs the gateway and the simulator: compiled JavaScript, as `npm start` runs it in production.
// The project is compiled into .bench/build (not dist/, which other work may be using at the same time), with
// schema.graphql beside it where the compiled gateway reads it. If the compiler produces no JavaScript, the run
// falls back to the TypeScript sources through tsx and says so.
//
// `--baseline REF` also builds an earlier commit (`git archive`, so the work tree is untouched) into
// .bench/baseline, so that a change is measured against what it replaces in the same cells of the same run.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runToCompletion } from './processes.js';
import { BASELINE_DIR, BUILD_DIR, PROJECT_ROOT } from './paths.js';

export interface Build {
  /** `node <nodeArgs> <entry>` starts the program. */
  nodeArgs: string[];
  gatewayEntry: string;
  simulatorEntry: string;
  description: string;
  /** Set when tsc reported errors (usually someone else's edit in progress); the JavaScript was still emitted. */
  warning: string | undefined;
}

export function buildProject(): Promise<Build> {
  return compile(PROJECT_ROOT, BUILD_DIR, 'build');
}

/** An earlier commit's gateway, and the reads its own bench defined (its schema may differ from today's). */
export interface BaselineBuild extends Build {
  ref: string;
  commit: string;
  deviceQuery: string;
  pageQuery: string;
}

export async function buildBaseline(ref: string): Promise<BaselineBuild> {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  const sourceRoot = join(BASELINE_DIR, 'src');
  rmSync(BASELINE_DIR, { recursive: true, force: true });
  mkdirSync(sourceRoot, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${sourceRoot}"`], { cwd: PROJECT_ROOT });
  // Both builds run on today's node_modules when the baseline declared the same runtime packages (added dev
  // tools do not change what is measured); otherwise the baseline installs its own from its lock file.
  const runtimeDependencies = (root: string): string =>
    JSON.stringify((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: unknown }).dependencies ?? {});
  const shared = runtimeDependencies(sourceRoot) === runtimeDependencies(PROJECT_ROOT);
  if (shared) {
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(sourceRoot, 'node_modules'));
  } else {
    await runToCompletion({ name: 'baseline-install', command: 'npm', args: ['ci', '--no-audit', '--no-fund'], cwd: sourceRoot, timeoutMs: 600_000 });
  }
  // Built inside its sources, so that the compiled gateway resolves the baseline's node_modules.
  const build = await compile(sourceRoot, join(sourceRoot, '.bench-build'), 'baseline-build');
  if (build.nodeArgs.length > 0) throw new Error(`the baseline ${ref} did not compile: ${build.warning ?? ''}`);
  const reads = (await import(pathToFileURL(join(sourceRoot, 'bench', 'reads.ts')).href)) as { GATEWAY_DEVICE_QUERY: string; GATEWAY_PAGE_QUERY: string };
  return {
    ...build,
    description: `${ref} (${commit.slice(0, 7)}) compiled with tsc (.bench/baseline), ${shared ? "on today's runtime packages (the same)" : 'on its own packages'}`,
    ref,
    commit,
    deviceQuery: reads.GATEWAY_DEVICE_QUERY,
    pageQuery: reads.GATEWAY_PAGE_QUERY,
  };
}

async function compile(sourceRoot: string, buildDir: string, name: string): Promise<Build> {
  const outDir = join(buildDir, 'dist');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  let warning: string | undefined;
  try {
    await runToCompletion({
      name,
      command: process.execPath,
      args: [join(sourceRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      cwd: sourceRoot,
      timeoutMs: 120_000,
    });
  } catch (error) {
    warning = `tsc reported errors (${firstLine(error)}); using what it emitted`;
  }
  const gatewayEntry = join(outDir, 'main.js');
  const simulatorEntry = join(outDir, 'simulator', 'cli.js');
  if (existsSync(gatewayEntry) && existsSync(simulatorEntry)) {
    // The compiled schema module reads ../../schema.graphql relative to itself.
    copyFileSync(join(sourceRoot, 'schema.graphql'), join(buildDir, 'schema.graphql'));
    return { nodeArgs: [], gatewayEntry, simulatorEntry, description: `compiled with tsc (${buildDir.slice(PROJECT_ROOT.length)})`, warning };
  }
  return {
    nodeArgs: ['--import', 'tsx'],
    gatewayEntry: join(sourceRoot, 'src', 'main.ts'),
    simulatorEntry: join(sourceRoot, 'src', 'simulator', 'cli.ts'),
    description: 'TypeScript sources through tsx (the build emitted nothing)',
    warning: warning ?? 'the build emitted no JavaScript',
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
