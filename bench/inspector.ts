// Heap figures from inside a server process, for memory per subscriber: the process is started with
// `--inspect=127.0.0.1:0`, and the bench connects to its inspector, forces a full garbage collection and reads
// process.memoryUsage(). RSS alone would also count garbage not yet collected.
import WebSocket from 'ws';
import type { ChildService } from './processes.js';

export const INSPECT_ARGS = ['--inspect=127.0.0.1:0'] as const;

export interface HeapReading {
  heapUsed: number;
  rss: number;
  external: number;
}

export async function inspectorUrl(child: ChildService): Promise<string> {
  const [, url = ''] = await child.waitFor(/Debugger listening on (ws:\/\/\S+)/, 30_000);
  return url;
}

/** Collects garbage in the process behind `url`, then reads its memory usage. */
export async function collectAndMeasure(url: string): Promise<HeapReading> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.error !== undefined) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    // Twice: the first collection can leave objects that only die once their finalizers have run.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const result = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(result.result.value) as { heapUsed: number; rss: number; external: number };
    return { heapUsed: usage.heapUsed, rss: usage.rss, external: usage.external };
  } finally {
    socket.close();
  }
}
