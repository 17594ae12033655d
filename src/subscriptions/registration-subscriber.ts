// One registrationChanged subscription on this instance: it takes the account's messages from its TopicWatch (in
// order, once each, gaps repaired), keeps the devices it asked for, and queues the events for graphql-ws. With
// `initial`, it first sends the state of every watched device from the watch's current view, the last of them marked
// as such, then only the messages delivered after that view: it joins the watch before asking for the view, so
// nothing between the two is lost or sent twice.
import * as devices from '../kazoo/devices.js';
import { KazooError } from '../kazoo/errors.js';
import type { KazooSession } from '../kazoo/session.js';
import type { RefusalCode } from './poll-credentials.js';
import type { RegisteredDevices, RegistrationChange } from './registration-diff.js';
import type { DeliveredMessage, LiveView, LocalSubscriber, TopicWatch } from './topic-watch.js';
import type { EventBatch, RegistrationEventModel } from './registration-event.js';
import { SubscriberQueue } from './subscriber-queue.js';

export interface SubscriberRequest {
  accountId: string;
  /** Only these devices (in this order for the initial state); undefined for every device of the account. */
  deviceIds: ReadonlySet<string> | undefined;
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

/** setTimeout's largest delay (about 24.8 days); a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

type RegistrationWatch = TopicWatch<RegisteredDevices, RegistrationChange>;
type RegistrationMessage = DeliveredMessage<RegistrationChange>;

export class RegistrationSubscriber implements LocalSubscriber<RegistrationChange> {
  readonly events: SubscriberQueue<RegistrationEventModel>;
  private loadingInitial: boolean;
  /** Messages heard while the initial state loads, with their number of changes. */
  private heldMessages: RegistrationMessage[] = [];
  private heldChanges = 0;
  /** Messages up to this position are already in the initial state. */
  private afterPosition = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The subscriber's Kazoo token (the one in `request.session`). */
    readonly token: string,
    private readonly request: SubscriberRequest,
    private readonly watch: RegistrationWatch,
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

  deliver(message: RegistrationMessage): void {
    if (this.events.isFinished) return;
    const wanted = this.request.deviceIds;
    const changes = wanted === undefined ? message.changes : message.changes.filter((change) => wanted.has(change.deviceId));
    if (this.loadingInitial) {
      this.heldMessages.push({ ...message, changes });
      this.heldChanges += changes.length;
      if (this.heldChanges > this.settings.queueSize) this.overflow();
      return;
    }
    if (message.position <= this.afterPosition || changes.length === 0) return;
    const batch = { deviceIds: changes.map((change) => change.deviceId) };
    const accepted = this.events.pushBatch(
      changes.map((change) => ({
        accountId: message.accountId,
        deviceId: change.deviceId,
        kind: change.kind,
        registered: change.registered,
        details: change.details,
        initialComplete: true,
        at: message.at,
        batch,
        origin: change,
      })),
    );
    if (!accepted) this.overflow();
  }

  refused(code: RefusalCode): void {
    this.events.fail(
      code === 'UNAUTHENTICATED'
        ? new KazooError('UNAUTHENTICATED', 'Kazoo no longer accepts the token of this subscription: subscribe again with a fresh token')
        : new KazooError('FORBIDDEN', "Kazoo no longer lets this subscription's token read the account's registrations"),
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
    const batch: EventBatch =
      this.request.deviceIds === undefined ? await this.everyDevice(view) : { deviceIds: [...this.request.deviceIds] };
    if (this.events.isFinished) return;
    const { deviceIds } = batch;
    const devices = view.state;
    this.events.pushBatch(
      deviceIds.map((deviceId, index) => ({
        accountId: this.request.accountId,
        deviceId,
        kind: 'INITIAL' as const,
        registered: Object.hasOwn(devices, deviceId),
        details: devices[deviceId] ?? null,
        initialComplete: index === deviceIds.length - 1,
        at: view.at,
        batch,
        origin: undefined,
      })),
    );
    this.afterPosition = view.position;
    this.loadingInitial = false;
    const held = this.heldMessages;
    this.heldMessages = [];
    this.heldChanges = 0;
    for (const message of held) this.deliver(message);
  }

  /** Every device of the account in Kazoo's order, and any registered device the listing did not show. */
  private async everyDevice(view: LiveView<RegisteredDevices>): Promise<EventBatch> {
    const deviceSummaries = await devices.listAllSummaries(this.request.session, this.request.accountId);
    const known = new Set(deviceSummaries.map((device) => device.id));
    const unlisted = Object.keys(view.state).filter((deviceId) => !known.has(deviceId));
    return { deviceIds: [...deviceSummaries.map((device) => device.id), ...unlisted], deviceSummaries };
  }

  private overflow(): void {
    this.events.end();
    this.settings.onOverflow(this.request.accountId);
    this.request.onOverflow(
      `Too slow: more than ${this.settings.queueSize} registration events were waiting to be sent; subscription dropped`,
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

/** The feed (Redis) failed: to the client this is a dependency being unavailable, like Kazoo failing. */
function unavailable(error: unknown): unknown {
  if (error instanceof KazooError) return error;
  return new KazooError('UPSTREAM_UNAVAILABLE', 'Live registrations are unavailable right now; subscribe again later', {
    cause: error,
  });
}
