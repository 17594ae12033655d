// One subscription on this instance (registrationChanged, deviceChanged, userChanged): it takes the channel's
// messages from its TopicWatch (in order, once each, gaps repaired), keeps the subjects it asked for, and queues the
// events for graphql-ws. With `initial`, it first sends the state of every watched subject from the watch's current
// view, the last of them marked as such, then only the messages delivered after that view: it joins the watch before
// asking for the view, so nothing between the two is lost or sent twice. What an event looks like is the topic's
// (TopicEvents); everything else here is the same for every topic.
import { KazooError } from '../kazoo/errors.js';
import type { KazooSession } from '../kazoo/session.js';
import type { LiveEvent } from './live-event.js';
import type { RefusalCode } from './poll-credentials.js';
import type { DeliveredMessage, LiveView, LocalSubscriber, TopicWatch } from './topic-watch.js';
import { SubscriberQueue } from './subscriber-queue.js';

export interface SubscriberRequest {
  accountId: string;
  /** Only these subjects (devices, users; in this order for the initial state); undefined for all of the account. */
  subjectIds: ReadonlySet<string> | undefined;
  initial: boolean;
  /** The subscriber's own Kazoo session (its token), for reading the account's devices. */
  session: KazooSession;
  /** When the subscriber's token expires (its JWT `exp`); the subscription ends then. */
  expiresAt: Date | undefined;
  /** The subscriber fell behind and was dropped: close its connection with this reason. */
  onOverflow(reason: string): void;
}

interface SubscriberSettings {
  queueSize: number;
  /** While waiting for a current snapshot, look again at least this often (a message may have been missed). */
  snapshotRecheckMs: number;
  /** Counts and logs a dropped subscriber. */
  onOverflow(accountId: string): void;
}

/** How a topic's state and changes become a subscriber's events. */
export interface TopicEvents<State, Change, Event extends LiveEvent> {
  /** What the events are of, for messages ("registration", "device"). */
  readonly subject: string;
  subjectOf(change: Change): string;
  /** The initial state's events, in order (the last one `initialComplete`), read with the subscriber's token where needed. */
  initialEvents(view: LiveView<State>, request: SubscriberRequest): Promise<Event[]>;
  /** The events of one message's changes (already filtered), which subscribers asking the same share. */
  changeEvents(message: DeliveredMessage<Change>, changes: readonly Change[]): Event[];
}

/** setTimeout's largest delay (about 24.8 days); a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

export class TopicSubscriber<State, Change, Event extends LiveEvent> implements LocalSubscriber<Change> {
  readonly events: SubscriberQueue<Event>;
  private loadingInitial: boolean;
  /** Messages heard while the initial state loads, with their number of changes. */
  private heldMessages: DeliveredMessage<Change>[] = [];
  private heldChanges = 0;
  /** Messages up to this position are already in the initial state. */
  private afterPosition = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The subscriber's Kazoo token (the one in `request.session`). */
    readonly token: string,
    private readonly request: SubscriberRequest,
    private readonly watch: TopicWatch<State, Change>,
    private readonly topicEvents: TopicEvents<State, Change, Event>,
    private readonly settings: SubscriberSettings,
    onFinish: () => void,
  ) {
    this.loadingInitial = request.initial;
    this.events = new SubscriberQueue(settings.queueSize, () => {
      clearTimeout(this.expiryTimer);
      onFinish();
    });
  }

  start(): void {
    this.scheduleExpiry();
    if (this.request.initial) {
      this.sendInitialState().catch((error: unknown) => this.events.fail(error));
    } else {
      this.watch.ready.catch((error: unknown) => this.events.fail(unavailable(error)));
    }
  }

  deliver(message: DeliveredMessage<Change>): void {
    if (this.events.isFinished) return;
    const wanted = this.request.subjectIds;
    const changes =
      wanted === undefined ? message.changes : message.changes.filter((change) => wanted.has(this.topicEvents.subjectOf(change)));
    if (this.loadingInitial) {
      this.heldMessages.push({ ...message, changes });
      this.heldChanges += changes.length;
      if (this.heldChanges > this.settings.queueSize) this.overflow();
      return;
    }
    if (message.position <= this.afterPosition || changes.length === 0) return;
    const accepted = this.events.pushBatch(this.topicEvents.changeEvents(message, changes));
    if (!accepted) this.overflow();
  }

  refused(code: RefusalCode): void {
    this.events.fail(
      code === 'UNAUTHENTICATED'
        ? new KazooError('UNAUTHENTICATED', 'Kazoo no longer accepts the token of this subscription: subscribe again with a fresh token')
        : new KazooError('FORBIDDEN', `Kazoo no longer lets this subscription's token read the account's ${this.topicEvents.subject}s`),
    );
  }

  private async sendInitialState(): Promise<void> {
    await this.watch.ready.catch((error: unknown) => {
      throw unavailable(error);
    });
    const view = await this.watch.currentView(this.settings.snapshotRecheckMs).catch((error: unknown) => {
      throw unavailable(error);
    });
    if (view === undefined || this.events.isFinished) return;
    const initial = await this.topicEvents.initialEvents(view, this.request);
    if (this.events.isFinished) return;
    this.events.pushBatch(initial);
    this.afterPosition = view.position;
    this.loadingInitial = false;
    const held = this.heldMessages;
    this.heldMessages = [];
    this.heldChanges = 0;
    for (const message of held) this.deliver(message);
  }

  private overflow(): void {
    this.events.end();
    this.settings.onOverflow(this.request.accountId);
    this.request.onOverflow(
      `Too slow: more than ${this.settings.queueSize} ${this.topicEvents.subject} events were waiting to be sent; subscription dropped`,
    );
  }

  private scheduleExpiry(): void {
    const expiresAt = this.request.expiresAt?.getTime();
    if (expiresAt === undefined) return;
    const remaining = expiresAt - Date.now();
    if (remaining > MAX_TIMER_MS) {
      this.expiryTimer = setTimeout(() => this.scheduleExpiry(), MAX_TIMER_MS);
      return;
    }
    this.expiryTimer = setTimeout(
      () => this.events.fail(new KazooError('UNAUTHENTICATED', 'The Kazoo token of this subscription expired: subscribe again with a fresh token')),
      Math.max(0, remaining),
    );
  }
}

/** The bus (Redis) failed: to the client this is a dependency being unavailable, like Kazoo failing. */
function unavailable(error: unknown): unknown {
  if (error instanceof KazooError) return error;
  return new KazooError('UPSTREAM_UNAVAILABLE', 'Live data is unavailable right now; subscribe again later', {
    cause: error,
  });
}
