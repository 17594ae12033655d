// The AMQP adapter of the push source (push-source.ts): one connection per gateway instance to Kazoo's RabbitMQ
// (KAZOO_AMQP_URL), one private queue (exclusive, deleted with the connection) bound to what the topics use:
// Kamailio's `reg_success` on `registrar`, ecallmgr's `deregister` on `notifications`, and the device and user
// `doc_*` events on `configuration` (kazoo-events.md §1.8, §2.1). The exchanges are declared with Kazoo's own flags
// (topic, non-durable, not auto-deleted), so declaring them first is harmless. rabbitmq-client reconnects with
// back-off and redeclares the queue and bindings; the source is live from the consumer being ready until the
// connection fails, and runners poll fast meanwhile.
import { Connection } from 'rabbitmq-client';
import type { AsyncMessage, Consumer } from 'rabbitmq-client';
import { KAZOO_EXCHANGES } from '../kazoo/amqp-events.js';
import type { Logger } from '../logger.js';
import { PushRouter } from './push-source.js';
import type { PushListener, PushSource } from './push-source.js';

/** What the queue is bound to: `*` is one routing-key word (a `doc_*` action cannot be matched by prefix). */
const BINDINGS: readonly { exchange: string; routingKey: string }[] = [
  { exchange: 'registrar', routingKey: 'registration.success.*.*' },
  { exchange: 'notifications', routingKey: 'notifications.sip.deregister' },
  { exchange: 'configuration', routingKey: '*.*.device.*' },
  { exchange: 'configuration', routingKey: '*.*.user.*' },
];

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

function bodyOf(message: AsyncMessage): unknown {
  const { body } = message;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    try {
      return JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  return body;
}

export class AmqpPushSource implements PushSource {
  readonly name = 'amqp' as const;
  private readonly router = new PushRouter();
  private readonly connection: Connection;
  private readonly consumer: Consumer;
  private readonly log: Logger;
  private closed = false;

  constructor(url: string, logger: Logger) {
    this.log = logger.child({ component: 'amqp-source', url: redactUrl(url) });
    this.connection = new Connection({ url, connectionName: 'kazoo-graphql-gateway', retryLow: 500, retryHigh: 10_000 });
    this.connection.on('error', (error: unknown) => {
      if (this.closed) return;
      if (this.router.live()) this.log.warn({ err: error }, 'lost the AMQP connection: polling until it is back');
      else this.log.warn({ err: error }, 'cannot reach Kazoo\'s AMQP broker yet: polling meanwhile');
      this.router.setLive(false);
    });
    this.consumer = this.connection.createConsumer(
      {
        queue: '',
        queueOptions: { exclusive: true, autoDelete: true, durable: false },
        exchanges: KAZOO_EXCHANGES.map((exchange) => ({ exchange, type: 'topic', durable: false, autoDelete: false })),
        // No queue name: the server-named queue just declared (a new one after each reconnect).
        queueBindings: BINDINGS.map((binding) => ({ ...binding })),
        noAck: true,
      },
      (message) => {
        this.router.deliver(message.exchange, bodyOf(message));
      },
    );
    this.consumer.on('ready', () => {
      if (this.closed) return;
      this.log.info('consuming Kazoo\'s AMQP events');
      this.router.setLive(true);
    });
    this.consumer.on('error', (error: unknown) => {
      if (this.closed) return;
      this.log.warn({ err: error }, 'AMQP consumer error: polling until it is set up again');
      this.router.setLive(false);
    });
  }

  live(): boolean {
    return this.router.live();
  }

  listen(accountId: string, listener: PushListener): () => void {
    return this.router.listen(accountId, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.router.setLive(false);
    await this.consumer.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
