// Child processes of a bench run (simulator, gateways, the peer, fan-out clients): started with their output in
// .bench/logs, waited on until they print that they are ready, and always stopped — at the end, on a failure and on
// Ctrl-C — so a run never leaves a server behind. Also reads a process's memory and CPU time from /proc.
//
// A server writes straight into its log file (as `npm start > file` would): were its output piped through the
// runner, every log line would also wake the runner, which is where autocannon runs. Readiness is then found by
// reading the file. Only processes that report results line by line (the fan-out clients) use a pipe.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';

export const LOG_DIR = join(BENCH_DIR, 'logs');

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** `file` (default): output goes straight to the log file. `pipe`: through the runner, for `onLine`. */
  output?: 'file' | 'pipe';
}

export interface ChildService {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the first match of `pattern` in the process's output (stdout and stderr). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Calls `listener` with every complete line the process writes to stdout from now on (`output: 'pipe'` only). */
  onLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
  readonly hasExited: boolean;
}

const running = new Set<ChildProcess>();
/** Only the tail of piped output is kept for pattern matching; the log file has all of it. */
const OUTPUT_TAIL_CHARS = 64 * 1024;
/** How often a log file is read again while waiting for a pattern. */
const FILE_POLL_MS = 10;

/** The first `maxBytes` of a file (ready lines come early; a long log is not read again and again). */
function readHead(file: string, maxBytes = 1024 * 1024): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const length = readSync(fd, buffer, 0, maxBytes, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function startProcess(options: StartOptions): ChildService {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${options.name}.log`);
  const piped = options.output === 'pipe';
  const logFd = piped ? undefined : openSync(logFile, 'w');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  });
  if (logFd !== undefined) closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  running.add(child);

  let pipedOutput = '';
  let hasExited = false;
  const listeners = new Set<() => void>();
  const lineListeners: ((line: string) => void)[] = [];
  if (piped) {
    const log = createWriteStream(logFile);
    let partialLine = '';
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      pipedOutput = (pipedOutput + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      for (const listener of listeners) listener();
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      onData(chunk);
      const lines = (partialLine + chunk.toString('utf8')).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) for (const listener of lineListeners) listener(line);
    });
    child.stderr?.on('data', onData);
    child.once('exit', () => log.end());
  }
  const output = (): string => (piped ? pipedOutput : readHead(logFile));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      hasExited = true;
      running.delete(child);
      for (const listener of listeners) listener();
      resolve(code);
    });
  });

  return {
    name: options.name,
    pid: child.pid,
    logFile,
    exited,
    get hasExited() {
      return hasExited;
    },
    onLine(listener) {
      if (!piped) throw new Error(`${options.name}: onLine needs output: 'pipe'`);
      lineListeners.push(listener);
    },
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const text = output();
          const match = pattern.exec(text);
          if (match !== null) {
            done();
            resolve(match);
          } else if (hasExited) {
            done();
            reject(new Error(`${options.name} exited before it was ready; see ${logFile}:\n${text.slice(-2000)}`));
          }
        };
        const deadline = setTimeout(() => {
          done();
          reject(new Error(`${options.name} was not ready within ${timeoutMs} ms; see ${logFile}`));
        }, timeoutMs);
        const poll = piped ? undefined : setInterval(check, FILE_POLL_MS);
        const done = (): void => {
          clearTimeout(deadline);
          clearInterval(poll);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to completion (npm install, a build), its output in the log; rejects on a non-zero exit. */
export async function runToCompletion(options: StartOptions & { timeoutMs: number }): Promise<void> {
  const service = startProcess(options);
  const timer = setTimeout(() => void service.stop(1_000), options.timeoutMs);
  const code = await service.exited;
  clearTimeout(timer);
  if (code !== 0) {
    const tail = readFileSync(service.logFile, 'utf8').slice(-1500);
    throw new Error(`${options.name} failed (exit ${code}); see ${service.logFile}:\n${tail}`);
  }
}

/**
 * Ctrl-C or SIGTERM stops every child before the runner exits, and an unexpected exit kills what is left: a run
 * never leaves a simulator or gateway listening.
 */
export function stopChildrenOnExit(): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping ${running.size} child process(es)\n`);
    for (const child of running) child.kill('SIGTERM');
    setTimeout(() => process.exit(130), 3_000).unref();
    const waitAll = [...running].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    void Promise.all(waitAll).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Resident memory of a process in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU time a process has used so far, in milliseconds (Linux /proc, 10 ms resolution). */
export function cpuMillis(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / USER_HZ;
}
