// `node --import tsx bench/broadcast-server.ts [--port P]`: the floor under any subscription fan-out on this machine —
// a bare `ws` server speaking just enough graphql-transport-ws for bench/fanout-client.ts (connection_ack, one `next`
// per subscribe), and `POST /change?registered=true|false` to send one registration change to every subscriber:
// the change's time is taken, then one message is built and written per socket, as any graphql-ws server must.
// No GraphQL, no Kazoo, no authentication. Not a contender: it shows what writing N sockets costs here.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const DEVICE_ID = 'floor';
const subscribers = new Map<WebSocket, string>();
let registered = true;
let at = new Date().toISOString();

const message = (id: string): string =>
  JSON.stringify({ id, type: 'next', payload: { data: { registrationChanged: { deviceId: DEVICE_ID, registered, at } } } });

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'POST' || url.pathname !== '/change') {
    response.writeHead(404).end();
    return;
  }
  registered = url.searchParams.get('registered') === 'true';
  at = new Date().toISOString();
  for (const [socket, id] of subscribers) socket.send(message(id));
  response.writeHead(204).end();
});

const wss = new WebSocketServer({ server, path: '/graphql', handleProtocols: () => 'graphql-transport-ws' });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const received = JSON.parse(String(data)) as { type?: string; id?: string };
    if (received.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    else if (received.type === 'subscribe' && typeof received.id === 'string') {
      subscribers.set(socket, received.id);
      socket.send(message(received.id));
    }
  });
  socket.on('close', () => subscribers.delete(socket));
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`broadcast listening on http://127.0.0.1:${port}\n`);
});

const stop = (): void => {
  for (const socket of wss.clients) socket.terminate();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
