// `node --import tsx bench/hop-server.ts --upstream http://127.0.0.1:PORT`: the floor under any gateway — a bare
// node:http server that forwards each GET, path, query and X-Auth-Token unchanged, to the simulator through an
// undici pool (the gateway's client settings) and sends the answer back. No GraphQL, no parsing, no logging:
// what it adds over direct REST is the cost of one more process and one more loopback hop on this machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (values.upstream === undefined) throw new Error('--upstream URL is required');
const pool = new Pool(values.upstream, { connections: 32, keepAliveTimeout: 30_000 });

const server = createServer((request, response) => {
  const token = request.headers['x-auth-token'];
  pool
    .request({
      method: 'GET',
      path: request.url ?? '/',
      headers: { accept: 'application/json', ...(typeof token === 'string' ? { 'x-auth-token': token } : {}) },
    })
    .then(async (upstream) => {
      const body = await upstream.body.text();
      response.writeHead(upstream.statusCode, { 'content-type': 'application/json' });
      response.end(body);
    })
    .catch(() => {
      response.writeHead(502);
      response.end();
    });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`hop listening on http://127.0.0.1:${port}\n`);
});

const stop = (): void => {
  server.close();
  void pool.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
