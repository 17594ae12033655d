// The PushSource contract (push-source-contract.ts) against both adapters: in memory, and AMQP on the real RabbitMQ
// of this machine, in a vhost of this file's own (the broker dropping every connection of it is the interruption).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from 'rabbitmq-client';
import { afterAll, beforeAll } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { AmqpPushSource } from '../../src/subscriptions/amqp-source.js';
import { MemoryPushSource } from '../../src/subscriptions/memory-push-source.js';
import { createTestVhost } from '../helpers/rabbitmq.js';
import type { TestVhost } from '../helpers/rabbitmq.js';
import { waitFor } from './helpers.js';
import { pushSourceContract } from './push-source-contract.js';

const run = promisify(execFile);
let vhost: TestVhost;
let publisher: Connection;
const senders: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  vhost = await createTestVhost('push-source');
  publisher = new Connection({ url: vhost.url, retryLow: 100, retryHigh: 500 });
  publisher.on('error', () => undefined);
});

afterAll(async () => {
  await Promise.all(senders.map((sender) => sender.close()));
  await publisher?.close();
  await vhost?.remove();
});

pushSourceContract('memory', () => {
  let memory: MemoryPushSource | undefined;
  return {
    source: async () => (memory = new MemoryPushSource(true)),
    publish: async (exchange, _routingKey, body) => memory?.publish(exchange, body),
    interrupt: async () => {
      memory?.setLive(false);
      memory?.setLive(true);
    },
  };
});

pushSourceContract('amqp', () => {
  const send = publisher.createPublisher({ exchanges: [{ exchange: 'configuration', type: 'topic', durable: false, autoDelete: false }] });
  senders.push(send);
  return {
    source: async () => {
      const source = new AmqpPushSource(vhost.url, createLogger('silent'));
      await waitFor(() => source.live(), 'the consumer to be ready');
      return source;
    },
    publish: (exchange, routingKey, body) => send.send({ exchange, routingKey, contentType: 'application/json' }, body),
    interrupt: async () => {
      await run('rabbitmqctl', ['-q', 'close_all_connections', '--vhost', vhost.name, 'interruption in a test']);
    },
  };
});
