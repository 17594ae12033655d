// A RabbitMQ vhost of its own for one test file, on the real broker of this machine (127.0.0.1:5672, guest/guest):
// created with `rabbitmqctl` (which works as root here) and deleted afterwards, so runs and files never see each
// other's exchanges or queues.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RABBITMQ_HOST = process.env['TEST_RABBITMQ_HOST'] ?? '127.0.0.1:5672';

export interface TestVhost {
  name: string;
  /** `amqp://guest:guest@host/vhost`, the vhost URL-encoded. */
  url: string;
  remove(): Promise<void>;
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
}

export async function createTestVhost(label: string): Promise<TestVhost> {
  const name = `test-${label}-${randomUUID().slice(0, 8)}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  return {
    name,
    url: `amqp://guest:guest@${RABBITMQ_HOST}/${encodeURIComponent(name)}`,
    remove: () => rabbitmqctl('delete_vhost', name),
  };
}
