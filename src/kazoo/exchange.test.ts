// The line exchange() draws: network outcomes become NetworkFailures that say whether the request had left, anything
// else the HTTP layer throws is passed on as it is. Against a local HTTP server the test controls; deadlines are
// AbortControllers aborted by the test, so nothing depends on timing.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as undiciErrors, Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, NetworkFailure } from './exchange.js';

interface Upstream {
  url: string;
  /** Requests received, by path. */
  received: string[];
  /** Resolves with the next request to arrive. */
  next(): Promise<{ request: IncomingMessage; response: ServerResponse }>;
  close(): Promise<void>;
}

const servers: Server[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function upstream(): Promise<Upstream> {
  const received: string[] = [];
  const waiting: ((arrival: { request: IncomingMessage; response: ServerResponse }) => void)[] = [];
  const server = createServer((request, response) => {
    received.push(request.url ?? '');
    const waiter = waiting.shift();
    if (waiter === undefined) response.end('{"data":{}}');
    else waiter({ request, response });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function pool(url: string, connections = 1): Pool {
  const created = new Pool(url, { connections });
  pools.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the exchange to fail');
    },
    (error: unknown) => error,
  );
}

describe('exchange', () => {
  it('collects status, headers and body', async () => {
    const server = await upstream();
    const answer = await exchange(pool(server.url), { path: '/v2/x', method: 'GET' }, new AbortController().signal);
    expect(answer).toMatchObject({ status: 200, body: '{"data":{}}' });
  });

  it('a deadline that runs out while the request waits for a connection: not sent', async () => {
    const server = await upstream();
    const dispatcher = pool(server.url, 1);
    const held = server.next();
    const first = exchange(dispatcher, { path: '/first', method: 'GET' }, new AbortController().signal);
    const { response } = await held;
    const deadline = new AbortController();
    const queued = exchange(dispatcher, { path: '/queued', method: 'PATCH', body: '{}' }, deadline.signal);
    deadline.abort(new DOMException('deadline', 'TimeoutError'));
    const error = await failure(queued);
    expect(error).toBeInstanceOf(NetworkFailure);
    expect(error).toMatchObject({ sent: false, timedOut: true });
    response.end('{"data":{}}');
    await first;
    expect(server.received).toEqual(['/first']);
  });

  it('a deadline that runs out after the request reached Kazoo: sent', async () => {
    const server = await upstream();
    const held = server.next();
    const deadline = new AbortController();
    const call = exchange(pool(server.url), { path: '/slow', method: 'PATCH', body: '{}' }, deadline.signal);
    await held;
    deadline.abort(new DOMException('deadline', 'TimeoutError'));
    expect(await failure(call)).toMatchObject({ name: 'NetworkFailure', sent: true, timedOut: true });
  });

  it('a connection reset after the request arrived: sent, not a timeout', async () => {
    const server = await upstream();
    const held = server.next();
    const call = exchange(pool(server.url), { path: '/reset', method: 'PUT', body: '{}' }, new AbortController().signal);
    (await held).request.socket.destroy();
    expect(await failure(call)).toMatchObject({ name: 'NetworkFailure', sent: true, timedOut: false });
  });

  it('a refused connection: not sent', async () => {
    const server = await upstream();
    await server.close();
    servers.length = 0;
    const error = await failure(
      exchange(pool(server.url), { path: '/x', method: 'PUT', body: '{}' }, new AbortController().signal),
    );
    expect(error).toMatchObject({ name: 'NetworkFailure', sent: false, timedOut: false });
    expect((error as NetworkFailure).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it("a TLS handshake that fails (Kazoo's certificate or protocol) is a network failure, not the gateway's own", async () => {
    const server = await upstream();
    const error = await failure(exchange(pool(server.url.replace('http:', 'https:')), { path: '/x', method: 'GET' }, new AbortController().signal));
    expect(error).toMatchObject({ name: 'NetworkFailure', sent: false, timedOut: false });
    expect(server.received).toEqual([]);
  });

  it('an answer that is not HTTP is a network failure', async () => {
    const server = await upstream();
    const held = server.next();
    const call = exchange(pool(server.url), { path: '/x', method: 'GET' }, new AbortController().signal);
    const { request } = await held;
    request.socket.end('NOT HTTP AT ALL\r\n\r\n');
    expect(await failure(call)).toBeInstanceOf(NetworkFailure);
  });

  it("the HTTP layer refusing the gateway's own request is passed on unchanged, not a network failure", async () => {
    const server = await upstream();
    const invalidHeader = exchange(
      pool(server.url),
      { path: '/x', method: 'GET', headers: { 'x-auth-token': 'a\r\nb' } },
      new AbortController().signal,
    );
    expect(await failure(invalidHeader)).toBeInstanceOf(undiciErrors.InvalidArgumentError);
    const invalidPath = exchange(pool(server.url), { path: '/a b', method: 'GET' }, new AbortController().signal);
    expect(await failure(invalidPath)).toBeInstanceOf(undiciErrors.InvalidArgumentError);
    expect(server.received).toEqual([]);
  });
});
