// Publishes what the simulator's Kazoo would put on RabbitMQ (kazoo-events.ts) to a real broker (`--amqp-url`,
// SIM_AMQP_URL): Kamailio's reg_success, ecallmgr's deregister notices and kazoo_data's doc_* events, on the
// exchanges Kazoo declares (topic, non-durable, not auto-deleted), as application/json with a timestamp. A sweep
// every second moves the registrar on, so refreshes and ecallmgr's expiries are published when they happen. A broker
// that is down loses what is published meanwhile (Kazoo's queues are not durable either); it never stops the
// simulator.
import { Connection } from 'rabbitmq-client';
import type { Publisher } from 'rabbitmq-client';
import { deregister, documentEvent, regSuccess } from './kazoo-events.js';
import type { KazooMessage } from './kazoo-events.js';
import type { RegistrarEvent } from './registrar.js';
import type { SimulatorState } from './context.js';

const SWEEP_MS = 1_000;
const EXCHANGES = ['registrar', 'notifications', 'configuration'] as const;

export class AmqpPublisher {
  private readonly connection: Connection;
  private readonly publisher: Publisher;
  private readonly unhook: (() => void)[] = [];
  private readonly sweep: NodeJS.Timeout;
  /** Messages published, since start (tests and the control API read it). */
  published = 0;

  constructor(
    private readonly sim: SimulatorState,
    url: string,
  ) {
    this.connection = new Connection({ url, connectionName: 'kazoo-simulator', retryLow: 200, retryHigh: 5_000 });
    // Reconnection is the client's; an unreachable broker is not the simulator's failure.
    this.connection.on('error', () => undefined);
    this.publisher = this.connection.createPublisher({
      exchanges: EXCHANGES.map((exchange) => ({ exchange, type: 'topic', durable: false, autoDelete: false })),
    });
    this.unhook.push(sim.registrar.onEvent((event) => this.registrarEvent(event)));
    this.unhook.push(sim.store.onWrite(({ doc, action }) => this.send(documentEvent(doc, action))));
    this.sweep = setInterval(() => sim.registrar.sweep(), SWEEP_MS);
    this.sweep.unref();
  }

  /** Resolves once the broker has been reached (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 5_000): Promise<void> {
    await this.connection.onConnect(timeoutMs);
  }

  private registrarEvent(event: RegistrarEvent): void {
    const { registration } = event;
    const account = this.sim.store.account(registration.accountId);
    if (event.kind === 'expired') {
      if (!registration.suppressUnregisterNotify) this.send(deregister(registration, false));
      return;
    }
    this.send(regSuccess(registration, account, event.kind, event.at));
    if (event.kind === 'unregister' && !registration.suppressUnregisterNotify) this.send(deregister(registration, true));
  }

  private send(message: KazooMessage): void {
    this.published += 1;
    this.publisher
      .send(
        { exchange: message.exchange, routingKey: message.routingKey, contentType: 'application/json', timestamp: Math.floor(Date.now() / 1000) },
        message.body,
      )
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const unhook of this.unhook) unhook();
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
