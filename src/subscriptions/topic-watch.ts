// Everything this gateway instance runs for one channel (a topic of one account) while it has subscribers to it: the
// bus listener, the channel's runner (which reads Kazoo whenever this instance holds the lease), the subscribers'
// tokens (for reading when there is no service credential), and this instance's view of the channel's state.
//
// The view is what makes delivery gap-free. Messages are numbered one after another (wire.ts); the watch applies each
// to its view and passes it on only when it is the next one. When one is missing (Redis dropped it while this instance
// reconnected, or it could not be read) or a new epoch begins, the watch reads the snapshot and sends what differs
// between its view and the snapshot: exactly the changes its subscribers missed, once each. Messages are handled one
// at a time, in order, so a repair never interleaves with a later message.
import type { KazooClient } from '../kazoo/client.js';
import type { Logger } from '../logger.js';
import type { Channel, LiveBus } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import { PollCredentials } from './poll-credentials.js';
import type { RefusalCode } from './poll-credentials.js';
import type { PushSource } from './push-source.js';
import type { ServiceCredential } from './service-credential.js';
import { SubscriberTokens } from './subscriber-tokens.js';
import { TopicRunner } from './topic-runner.js';
import type { LiveTopic } from './topic.js';
import { parseMessage, parseSnapshot, WIRE_VERSION } from './wire.js';
import type { LiveMessage, LiveSnapshot } from './wire.js';

/** A message as this instance passes it on: in order, once, with its place in this instance's delivery order. */
export interface DeliveredMessage<Change> extends LiveMessage<Change> {
  /** Counts up with every message this watch delivers: a view at `position` already holds every message up to it. */
  readonly position: number;
}

/** This instance's view of the channel: the state after every message delivered up to `position`. */
export interface LiveView<State> {
  readonly epoch: string;
  readonly seq: number;
  readonly at: string;
  readonly state: State;
  readonly position: number;
}

export interface LocalSubscriber<Change> {
  readonly token: string;
  deliver(message: DeliveredMessage<Change>): void;
  /** Kazoo refused this subscriber's own token while reading with it. */
  refused(code: RefusalCode): void;
}

export interface TopicWatchOptions<State, Change> {
  topic: LiveTopic<State, Change>;
  accountId: string;
  client: KazooClient;
  bus: LiveBus;
  service: ServiceCredential | undefined;
  pollMs: number;
  leaseMs: number;
  logger: Logger;
  onPoll?: (outcome: 'ok' | 'error') => void;
  /** The runner's clock and the view's recheck timer (default: the system clock). */
  clock?: Clock;
  /** Kazoo's events, when consumed (see TopicRunner). */
  push?: PushSource | undefined;
  reconcileMs?: number;
  expiryGraceMs?: number;
  /** Settles when the previous watch of this channel on this instance has closed (and released its lease). */
  after: Promise<void>;
}

export class TopicWatch<State, Change> {
  /** Settles once messages are heard and the runner runs; rejects when the bus cannot be listened to. */
  readonly ready: Promise<void>;
  private readonly channel: Channel;
  private readonly subscribers = new Set<LocalSubscriber<Change>>();
  private readonly tokens = new SubscriberTokens();
  private readonly runner: TopicRunner<State, Change>;
  private readonly messageWaiters = new Set<() => void>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private view: LiveView<State> | undefined;
  /** Whether the view was written by whoever holds the lease now (or came from a message, which only it sends). */
  private viewCurrent = false;
  private position = 0;
  /** Messages and repairs, one after another. */
  private queue: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly options: TopicWatchOptions<State, Change>) {
    this.channel = { topic: options.topic.name, accountId: options.accountId };
    this.clock = options.clock ?? systemClock;
    this.log = options.logger.child({ accountId: options.accountId, topic: options.topic.name });
    const credentials = new PollCredentials(options.service, this.tokens, (token, code) => this.refuse(token, code));
    this.runner = new TopicRunner({ ...options, credentials });
    this.ready = this.open();
    // Subscribers see a failed `ready` themselves; this only keeps the rejection from being reported as unhandled.
    this.ready.catch(() => undefined);
  }

  add(subscriber: LocalSubscriber<Change>): void {
    this.subscribers.add(subscriber);
    this.tokens.add(subscriber.token);
  }

  remove(subscriber: LocalSubscriber<Change>): void {
    if (!this.subscribers.delete(subscriber)) return;
    this.tokens.remove(subscriber.token);
  }

  /**
   * The channel's state as the current lease holder last wrote it, waiting for one (looking again every
   * `recheckMs`, or at the next message) when there is none yet; undefined once the watch is closed.
   */
  async currentView(recheckMs: number): Promise<LiveView<State> | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      if (this.view !== undefined && this.viewCurrent) return this.view;
      await this.enqueue(() => this.repair());
      if (this.view !== undefined && this.viewCurrent) return this.view;
      await this.nextMessage(recheckMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of [...this.messageWaiters]) wake();
    await this.ready.catch(() => undefined);
    await Promise.all([this.runner.stop(), this.unlisten?.().catch(() => undefined)]);
  }

  private async open(): Promise<void> {
    await this.options.after;
    if (this.closed) return;
    this.unlisten = await this.options.bus.listen(this.channel, {
      onMessage: (raw) => void this.enqueue(() => this.handle(raw)),
      onResume: () => void this.enqueue(() => this.repair()),
    });
    if (this.closed) return;
    this.runner.start();
  }

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(task).catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not bring the live view up to date; trying again at the next message');
    });
    this.queue = run;
    return run;
  }

  private async handle(raw: unknown): Promise<void> {
    if (this.closed) return;
    const message = parseMessage(this.options.topic, raw);
    if (message === undefined) {
      this.log.warn('ignored a live message this version cannot read; repairing from the snapshot');
      await this.repair();
      return;
    }
    const view = this.view;
    if (view === undefined) {
      // Nothing to check against yet: pass it on, then take the snapshot (written with it) as the view.
      this.deliver(message, undefined);
      await this.repair();
      return;
    }
    if (message.epoch === view.epoch && message.seq <= view.seq) return;
    if (message.epoch === view.epoch && message.seq === view.seq + 1) {
      this.deliver(message, this.options.topic.apply(view.state, message.changes));
      return;
    }
    this.log.info(
      { expected: view.seq + 1, got: message.seq, newEpoch: message.epoch !== view.epoch },
      'missed live messages: sending what changed meanwhile, from the snapshot',
    );
    await this.repair();
  }

  /** Brings the view up to the snapshot, sending its subscribers what differs; nothing when it is not newer. */
  private async repair(): Promise<void> {
    if (this.closed) return;
    const stored = await this.options.bus.readSnapshot(this.channel);
    const snapshot: LiveSnapshot<State> | undefined = stored === undefined ? undefined : parseSnapshot(this.options.topic, stored.snapshot);
    if (snapshot === undefined) return;
    const view = this.view;
    const current = stored?.holder === snapshot.lease;
    if (view !== undefined && snapshot.epoch === view.epoch && snapshot.seq <= view.seq) {
      if (current && snapshot.seq === view.seq) this.viewCurrent = true;
      return;
    }
    if (view === undefined) {
      this.view = { epoch: snapshot.epoch, seq: snapshot.seq, at: snapshot.at, state: snapshot.state, position: this.position };
    } else {
      const changes = this.options.topic.diff(view.state, snapshot.state);
      this.deliver({ v: WIRE_VERSION, accountId: this.options.accountId, epoch: snapshot.epoch, seq: snapshot.seq, at: snapshot.at, changes }, snapshot.state);
    }
    this.viewCurrent = current;
  }

  /** Passes a message on and moves the view to `state` (when known) at its place. */
  private deliver(message: LiveMessage<Change>, state: State | undefined): void {
    this.position += 1;
    const delivered: DeliveredMessage<Change> = { ...message, position: this.position };
    if (state !== undefined) {
      this.view = { epoch: message.epoch, seq: message.seq, at: message.at, state, position: this.position };
      this.viewCurrent = true;
    }
    if (message.changes.length > 0) {
      for (const subscriber of [...this.subscribers]) subscriber.deliver(delivered);
    }
    for (const wake of [...this.messageWaiters]) wake();
  }

  /** Settles at the next message of the channel, or after `ms` at the latest. */
  private nextMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.messageWaiters.delete(done);
        resolve();
      };
      const cancel = this.clock.after(ms, done);
      this.messageWaiters.add(done);
    });
  }

  private refuse(token: string, code: RefusalCode): void {
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.token === token) subscriber.refused(code);
    }
  }
}
