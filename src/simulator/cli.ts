// `npm run simulator -- --port 8000 [--host H] [--control] [--churn-ms N] [--token-ttl S] [--no-rate-limit]
//   [--request-log N] [--notification-log N] [--amqp-url amqp://guest:guest@127.0.0.1:5672]`
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SIM_PORT ?? '8000' },
    host: { type: 'string', default: process.env.SIM_HOST ?? '127.0.0.1' },
    control: { type: 'boolean', default: process.env.SIM_CONTROL === 'true' },
    'churn-ms': { type: 'string', default: process.env.SIM_CHURN_MS },
    'token-ttl': { type: 'string', default: process.env.SIM_TOKEN_TTL },
    'no-rate-limit': { type: 'boolean', default: process.env.SIM_RATE_LIMIT === 'false' },
    'request-log': { type: 'string', default: process.env.SIM_REQUEST_LOG },
    'notification-log': { type: 'string', default: process.env.SIM_NOTIFICATION_LOG },
    'amqp-url': { type: 'string', default: process.env.SIM_AMQP_URL },
  },
});

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

function capacity(name: string, raw: string | undefined): number | undefined {
  const value = positiveInteger(name, raw);
  if (value === 0) throw new Error(`--${name} must keep at least 1 entry, got 0`);
  return value;
}

const churnMs = positiveInteger('churn-ms', values['churn-ms']);
const tokenTtl = positiveInteger('token-ttl', values['token-ttl']);
const requestLogCapacity = capacity('request-log', values['request-log']);
const notificationLogCapacity = capacity('notification-log', values['notification-log']);
const simulator = await startSimulator({
  port: positiveInteger('port', values.port) ?? 8000,
  host: values.host,
  controlRoutes: values.control,
  rateLimit: values['no-rate-limit'] ? false : {},
  churn: churnMs ? { intervalMs: churnMs } : false,
  ...(tokenTtl !== undefined ? { tokenTtlSeconds: tokenTtl } : {}),
  ...(requestLogCapacity !== undefined ? { requestLogCapacity } : {}),
  ...(notificationLogCapacity !== undefined ? { notificationLogCapacity } : {}),
  ...(values['amqp-url'] ? { amqpUrl: values['amqp-url'] } : {}),
  demo: {
    ...(process.env.SIM_DEMO_ACCOUNT ? { accountName: process.env.SIM_DEMO_ACCOUNT } : {}),
    ...(process.env.SIM_DEMO_USERNAME ? { username: process.env.SIM_DEMO_USERNAME } : {}),
    ...(process.env.SIM_DEMO_PASSWORD ? { password: process.env.SIM_DEMO_PASSWORD } : {}),
  },
});

const { demo } = simulator;
process.stdout.write(
  [
    `Kazoo Crossbar simulator listening on ${simulator.url}/v2`,
    `  account:  ${demo.accountName} (${demo.accountId}), realm ${demo.realm}`,
    `  api key:  ${demo.apiKey}`,
    `  user:     ${demo.username} / ${demo.password}`,
    `  control routes: ${values.control ? `on (${simulator.url}/__simulator/...)` : 'off'}`,
    `  AMQP events:    ${values['amqp-url'] ? `published to ${values['amqp-url'].replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}` : 'off (--amqp-url)'}`,
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping the simulator\n`);
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
