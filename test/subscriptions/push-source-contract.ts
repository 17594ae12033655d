// The contract every PushSource keeps (src/subscriptions/push-source.ts), as one suite that push-source.test.ts runs
// against each adapter: a Kazoo message reaches the listeners of its account and no other; a message no topic uses
// reaches nobody; a listener that stopped hears nothing more; and listeners are told when the source goes down and
// comes back.
import { describe, expect, it } from 'vitest';
import type { KazooExchange } from '../../src/kazoo/amqp-events.js';
import type { PushListener, PushSource } from '../../src/subscriptions/push-source.js';
import type { LiveSignal } from '../../src/subscriptions/topic.js';
import { waitFor } from './helpers.js';

export interface PushSourceFactory {
  /** A source, live once this resolves. */
  source(): Promise<PushSource>;
  /** Publishes a Kazoo message the way Kazoo would (AMQP: on the exchange with its routing key). */
  publish(exchange: KazooExchange, routingKey: string, body: Record<string, unknown>): Promise<void>;
  /** Takes the source's connection away, then gives it back. */
  interrupt(source: PushSource): Promise<void>;
}

const ACCOUNT = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function docEdited(accountId: string, id: string): [KazooExchange, string, Record<string, unknown>] {
  const db = `account%2F${accountId.slice(0, 2)}%2F${accountId.slice(2, 4)}%2F${accountId.slice(4)}`;
  return ['configuration', `doc_edited.${db}.device.${id}`, { 'Event-Name': 'doc_edited', ID: id, Type: 'device', Database: db }];
}

function recorder(): PushListener & { signals: LiveSignal[]; liveness: boolean[] } {
  const signals: LiveSignal[] = [];
  const liveness: boolean[] = [];
  return { signals, liveness, signal: (signal) => signals.push(signal), liveChanged: (live) => liveness.push(live) };
}

export function pushSourceContract(name: string, factory: () => PushSourceFactory): void {
  describe(`${name}: the PushSource contract`, () => {
    it('delivers a message to the listeners of its account only; a stopped listener hears nothing more', async () => {
      const sources = factory();
      const source = await sources.source();
      const [mine, again, other] = [recorder(), recorder(), recorder()];
      const stop = source.listen(ACCOUNT, mine);
      source.listen(ACCOUNT, again);
      source.listen(OTHER, other);

      await sources.publish(...docEdited(ACCOUNT, 'd1'));
      await waitFor(() => mine.signals.length === 1 && again.signals.length === 1, 'the signal');
      expect(mine.signals[0]).toMatchObject({ kind: 'document', notice: { action: 'edited', id: 'd1', accountId: ACCOUNT } });
      stop();
      await sources.publish(...docEdited(ACCOUNT, 'd2'));
      await sources.publish('configuration', 'db_created.x.database.x', { 'Event-Name': 'db_created', ID: 'x', Type: 'database' });
      await waitFor(() => again.signals.length === 2, 'the second signal');
      expect(mine.signals).toHaveLength(1);
      expect(other.signals).toEqual([]);
      await source.close();
    });

    it('tells its listeners when it goes down and when it is live again', async () => {
      const sources = factory();
      const source = await sources.source();
      const heard = recorder();
      source.listen(ACCOUNT, heard);
      expect(source.live()).toBe(true);
      await sources.interrupt(source);
      await waitFor(() => heard.liveness.join() === 'false,true', 'down, then live', 20_000);
      await sources.publish(...docEdited(ACCOUNT, 'd3'));
      await waitFor(() => heard.signals.length === 1, 'a signal after the interruption');
      await source.close();
    });
  });
}
