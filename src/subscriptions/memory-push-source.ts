// The in-memory push source (push-source.ts): Kazoo's messages handed to `publish` are delivered at once, and
// `setLive` plays a broker connection coming and going. Tests drive runners with it on a clock of their own.
import type { KazooExchange } from '../kazoo/amqp-events.js';
import { PushRouter } from './push-source.js';
import type { PushListener, PushSource } from './push-source.js';

export class MemoryPushSource implements PushSource {
  readonly name = 'amqp' as const;
  private readonly router = new PushRouter();

  constructor(live = true) {
    this.router.setLive(live);
  }

  live(): boolean {
    return this.router.live();
  }

  listen(accountId: string, listener: PushListener): () => void {
    return this.router.listen(accountId, listener);
  }

  /** A Kazoo message as published on `exchange` (the routing key is not needed to route it). */
  publish(exchange: KazooExchange, body: unknown): void {
    if (this.router.live()) this.router.deliver(exchange, body);
  }

  setLive(live: boolean): void {
    this.router.setLive(live);
  }

  async close(): Promise<void> {
    this.router.setLive(false);
  }
}
