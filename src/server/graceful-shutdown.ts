// Graceful shutdown on SIGTERM/SIGINT: run the closers (the gateway stops accepting connections, lets in-flight
// requests finish, closes websockets and stops its background work; then the rest), and exit 0 once done — or exit 1
// when `timeoutMs` passes first, so an orchestrator's kill deadline is never what ends the process. Further signals
// are ignored: process managers often deliver one signal twice (to the process and to its group, or npm forwarding
// a Ctrl-C the terminal already sent), and the deadline bounds the shutdown anyway.
import type { Logger } from '../logger.js';

interface GracefulShutdownOptions {
  logger: Logger;
  /** Upper bound on the whole shutdown. */
  timeoutMs: number;
  /** Run in order; a failing closer is logged and the next one still runs. */
  closers: readonly (() => Promise<void>)[];
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

export function onShutdownSignals(options: GracefulShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.debug({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown did not finish in time: exiting');
      exit(1);
    }, options.timeoutMs);
    runInOrder(options.closers, options.logger).then(() => {
      clearTimeout(deadline);
      options.logger.info('shutdown complete');
      exit(0);
    });
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(signal));
}

async function runInOrder(closers: GracefulShutdownOptions['closers'], logger: Logger): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'a shutdown step failed');
    }
  }
}
