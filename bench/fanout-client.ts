// `node --import tsx bench/fanout-client.ts --url ws://… --token T --account A --device D --count N`: one process
// holding N graphql-ws subscribers (subprotocol graphql-transport-ws, spoken directly over `ws` to keep the client
// light), each subscribed to `registrationChanged(accountId, deviceIds: [D], initial: true)`. It runs apart from
// the gateway so the gateway's CPU and memory figures are its own. It reports on stdout, one JSON line each:
// `ready` once every subscriber has its initial event (the subscription is live), then one `event` line per change
// of D once every live subscriber got it, with each subscriber's delay from the gateway's reading of Kazoo (the
// event's `at`) to its arrival here. Arrival times are taken before any parsing. SIGTERM ends it.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    account: { type: 'string' },
    device: { type: 'string' },
    count: { type: 'string' },
    concurrency: { type: 'string', default: '100' },
  },
});
const { url, token, account, device } = values;
if (url === undefined || token === undefined || account === undefined || device === undefined || values.count === undefined) {
  throw new Error('--url, --token, --account, --device and --count are required');
}
const count = Number(values.count);
const concurrency = Number(values.concurrency);

const SUBSCRIPTION = `subscription Fanout($accountId: ID!, $deviceIds: [ID!]) {
  registrationChanged(accountId: $accountId, deviceIds: $deviceIds, initial: true) { deviceId registered at }
}`;

interface NextMessage {
  type: string;
  payload?: { data?: { registrationChanged?: { registered: boolean; at: string } }; errors?: unknown[] };
}

const report = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const sockets: WebSocket[] = [];
let live = 0;
let failed = 0;
let allReady = false;
/** Deliveries by change (`registered|at`): arrival times (ms since epoch). */
const arrivals = new Map<string, number[]>();

function onChange(key: string, arrivedAt: number): void {
  const times = arrivals.get(key) ?? [];
  times.push(arrivedAt);
  arrivals.set(key, times);
  if (times.length === live) {
    const [registered = '', at = ''] = key.split('|');
    const observed = Date.parse(at);
    report({ type: 'event', registered: registered === 'true', at, latenciesMs: times.map((time) => time - observed) });
    arrivals.delete(key);
  }
}

function open(): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url ?? '', 'graphql-transport-ws');
    sockets.push(socket);
    let subscribed = false;
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      if (ok) live++;
      else failed++;
      resolve();
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: token } })));
    socket.on('message', (data: WebSocket.RawData) => {
      const arrivedAt = Date.now();
      const message = JSON.parse(data.toString()) as NextMessage;
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { accountId: account, deviceIds: [device] } } }),
        );
      } else if (message.type === 'next') {
        const event = message.payload?.data?.registrationChanged;
        if (event === undefined) return;
        if (!subscribed) {
          subscribed = true;
          settle(true);
          return;
        }
        onChange(`${event.registered}|${event.at}`, arrivedAt);
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'error' || message.type === 'complete') {
        settle(false);
      }
    });
    socket.on('error', () => settle(false));
    socket.on('close', () => {
      if (subscribed && allReady) live--;
      settle(false);
    });
  });
}

const started = Date.now();
let nextIndex = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (nextIndex < count) {
      nextIndex++;
      await open();
    }
  }),
);
allReady = true;
report({ type: 'ready', live, failed, seconds: (Date.now() - started) / 1000 });
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
