// A push source: Kazoo's own announcements of what changed, routed to the accounts this instance watches. The port
// has two adapters, run through one contract suite (test/subscriptions/push-source-contract.ts): AMQP
// (amqp-source.ts, Kazoo's RabbitMQ buses) and memory (memory-push-source.ts, for tests).
// Both take Kazoo's messages as Kazoo sends them (exchange, routing key, JSON body) and route them here, so what a
// message means is decided in one place. Every instance hears every message; a channel's runner acts on it only
// while it holds the channel's lease, so each announcement is committed once however many instances there are.
import { parseDeregister, parseDocumentNotice, parseRegSuccess } from '../kazoo/amqp-events.js';
import type { KazooExchange } from '../kazoo/amqp-events.js';
import type { LiveSignal } from './topic.js';

export type PushSourceName = 'amqp';

export interface PushListener {
  signal(signal: LiveSignal): void;
  /** The source connected (and will deliver from now on) or lost its connection (and may have missed messages). */
  liveChanged(live: boolean): void;
}

export interface PushSource {
  readonly name: PushSourceName;
  /** Whether messages are being received now. */
  live(): boolean;
  /** Signals for one account, and the source's liveness changes, until the returned function is called. */
  listen(accountId: string, listener: PushListener): () => void;
  close(): Promise<void>;
}

/** One Kazoo message: the account it is about and what it says; undefined for a message no topic uses. */
export function signalOf(exchange: string, body: unknown): { accountId: string; signal: LiveSignal } | undefined {
  switch (exchange as KazooExchange) {
    case 'registrar': {
      const registration = parseRegSuccess(body);
      return registration === undefined ? undefined : { accountId: registration.accountId, signal: { kind: 'registration', registration } };
    }
    case 'notifications': {
      const notice = parseDeregister(body);
      return notice === undefined ? undefined : { accountId: notice.accountId, signal: { kind: 'deregistered', notice } };
    }
    case 'configuration': {
      const notice = parseDocumentNotice(body);
      if (notice === undefined || notice.accountId === undefined) return undefined;
      return { accountId: notice.accountId, signal: { kind: 'document', notice } };
    }
    default:
      return undefined;
  }
}

/** Listeners by account, and the liveness they are told of: what both adapters share. */
export class PushRouter {
  private readonly listeners = new Map<string, Set<PushListener>>();
  private isLive = false;

  live(): boolean {
    return this.isLive;
  }

  listen(accountId: string, listener: PushListener): () => void {
    let set = this.listeners.get(accountId);
    if (set === undefined) this.listeners.set(accountId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(accountId) === set) this.listeners.delete(accountId);
    };
  }

  /** Routes one Kazoo message; returns whether a listener took it. */
  deliver(exchange: string, body: unknown): boolean {
    const routed = signalOf(exchange, body);
    const set = routed === undefined ? undefined : this.listeners.get(routed.accountId);
    if (routed === undefined || set === undefined) return false;
    for (const listener of [...set]) listener.signal(routed.signal);
    return true;
  }

  setLive(live: boolean): void {
    if (live === this.isLive) return;
    this.isLive = live;
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener.liveChanged(live);
  }
}
