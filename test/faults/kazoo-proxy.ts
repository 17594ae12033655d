// A stand-in for Kazoo's network presence in fault tests: an HTTP proxy in front of the simulator that can tell when
// a request has arrived, go down (every open connection reset, the port closed) and come back on the same port.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Arrival {
  method: string;
  path: string;
}

export interface KazooProxy {
  /** Base URL of the proxy (what the gateway is given as KAZOO_URL). */
  readonly url: string;
  /** Where requests are forwarded, e.g. a restarted simulator. */
  upstream: string;
  /** Every request that reached the proxy, in order. */
  readonly arrivals: readonly Arrival[];
  /** Resolves when a request whose path includes `pathIncludes` arrives (counting from now). */
  nextArrival(pathIncludes: string, method?: string): Promise<Arrival>;
  /** Kazoo dies: open connections are reset and the port stops accepting. */
  down(): Promise<void>;
  /** Kazoo is back on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startKazooProxy(upstream: string, port = 0): Promise<KazooProxy> {
  const sockets = new Set<Socket>();
  const arrivals: Arrival[] = [];
  const waiters: { pathIncludes: string; method: string | undefined; resolve: (arrival: Arrival) => void }[] = [];
  let server: Server | undefined;
  let boundPort = port;

  const forward = async (request: IncomingMessage, response: ServerResponse, target: string): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const answer = await fetch(`${target}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
    });
    response.statusCode = answer.status;
    const contentType = answer.headers.get('content-type');
    if (contentType !== null) response.setHeader('content-type', contentType);
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter !== null) response.setHeader('retry-after', retryAfter);
    response.end(Buffer.from(await answer.arrayBuffer()));
  };

  const proxy: KazooProxy = {
    url: '',
    upstream,
    arrivals,
    nextArrival(pathIncludes, method) {
      return new Promise((resolve) => waiters.push({ pathIncludes, method, resolve }));
    },
    async down() {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async up() {
      if (server !== undefined) return;
      const fresh = createServer((request, response) => {
        const arrival = { method: request.method ?? 'GET', path: request.url ?? '/' };
        arrivals.push(arrival);
        for (const waiter of [...waiters]) {
          if (arrival.path.includes(waiter.pathIncludes) && (waiter.method === undefined || waiter.method === arrival.method)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(arrival);
          }
        }
        forward(request, response, proxy.upstream).catch(() => response.destroy());
      });
      fresh.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        fresh.once('error', reject);
        fresh.listen(boundPort, '127.0.0.1', () => resolve());
      });
      const address = fresh.address();
      boundPort = typeof address === 'object' && address !== null ? address.port : boundPort;
      server = fresh;
    },
    close() {
      return proxy.down();
    },
  };
  await proxy.up();
  (proxy as { url: string }).url = `http://127.0.0.1:${boundPort}`;
  return proxy;
}
