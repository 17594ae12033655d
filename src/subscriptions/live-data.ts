// The live data service of a gateway instance: it turns a subscription (registrationChanged, deviceChanged,
// userChanged) into a stream of events, sharing one TopicWatch per topic and account between subscribers, over Redis
// when REDIS_URL is set (several instances, one reader per account and topic among them) or in memory otherwise.
// Gateway.close() closes it: watches stop, leases are released, Redis connections end.
import type { KazooClient } from '../kazoo/client.js';
import { KazooError } from '../kazoo/errors.js';
import type { Logger } from '../logger.js';
import type { LiveBus } from './bus.js';
import type { Clock } from './clock.js';
import {
  DEFAULT_DOCUMENT_POLL_MS,
  DEFAULT_EXPIRY_GRACE_MS,
  DEFAULT_RECONCILE_MS,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_REDIS_LEASE_MS,
  DEFAULT_REGISTRATION_POLL_MS,
  DEFAULT_SUBSCRIPTION_QUEUE_SIZE,
} from './defaults.js';
import { AmqpPushSource } from './amqp-source.js';
import { deviceEvents, userEvents } from './document-event.js';
import type { DocumentEventModel } from './document-event.js';
import { devicesTopic, usersTopic } from './documents-topic.js';
import type { LiveEvent } from './live-event.js';
import { MemoryBus } from './memory-bus.js';
import type { PushSource } from './push-source.js';
import { RedisBus } from './redis-bus.js';
import { registrationEvents } from './registration-event.js';
import type { RegistrationEventModel } from './registration-event.js';
import { registrationsTopic } from './registrations-topic.js';
import { ServiceCredential } from './service-credential.js';
import type { ServiceLogin } from './service-credential.js';
import type { LiveTopic } from './topic.js';
import { TopicSubscriber } from './topic-subscriber.js';
import type { SubscriberRequest, TopicEvents } from './topic-subscriber.js';
import { TopicWatch } from './topic-watch.js';
import { WatcherRegistry } from './watcher-registry.js';

export type { SubscriberRequest } from './topic-subscriber.js';

export interface LiveDataSettings {
  /** REGISTRATION_POLL_MS */
  pollMs?: number;
  /** DOCUMENT_POLL_MS: how often device and user listings are read while someone subscribes to them. */
  documentPollMs?: number;
  /** SUBSCRIPTION_QUEUE_SIZE */
  queueSize?: number;
  /** KAZOO_AMQP_URL: consume Kazoo's AMQP events (registrations, device and user writes); polling only when absent. */
  amqpUrl?: string;
  /** A push source of the caller's (tests); takes the place of `amqpUrl`. */
  push?: PushSource;
  /** REGISTRATION_RECONCILE_MS: full reads' interval while the push source is live. */
  reconcileMs?: number;
  /** REGISTRATION_EXPIRY_GRACE_MS */
  expiryGraceMs?: number;
  /** REDIS_URL (and REDIS_KEY_PREFIX); in memory when absent. */
  redis?: { url: string; keyPrefix?: string };
  /** REDIS_LEASE_MS */
  leaseMs?: number;
  /** KAZOO_API_KEY, or KAZOO_USERNAME + KAZOO_PASSWORD + KAZOO_ACCOUNT_NAME. */
  serviceLogin?: ServiceLogin;
  /** Reports each poll of Kazoo's registrations (metrics). */
  onPoll?: (outcome: 'ok' | 'error') => void;
  /** Times the watches' polls and leases (default: the system clock; tests pass one they move). */
  clock?: Clock;
}

interface LiveDataStats {
  /** Accounts and topics this instance watches (reading Kazoo or standing by for the lease). */
  accounts: number;
  subscribers: number;
  /** Where changes come from now: Kazoo's AMQP events, or polling alone (no source, or its connection is down). */
  source: 'amqp' | 'polling';
  /** Subscribers dropped for falling behind, since start. */
  overflows: number;
}

/** One topic as this instance serves it: its watches by account, and how its changes become events. */
class TopicLine<State, Change, Event extends LiveEvent> {
  readonly registry: WatcherRegistry<TopicWatch<State, Change>>;

  constructor(
    readonly events: TopicEvents<State, Change, Event>,
    createWatch: (accountId: string, after: Promise<void>) => TopicWatch<State, Change>,
  ) {
    this.registry = new WatcherRegistry(createWatch);
  }
}

export class LiveData {
  private readonly bus: LiveBus;
  private readonly push: PushSource | undefined;
  private readonly lines: {
    readonly registrations: TopicLine<unknown, unknown, RegistrationEventModel>;
    readonly devices: TopicLine<unknown, unknown, DocumentEventModel>;
    readonly users: TopicLine<unknown, unknown, DocumentEventModel>;
  };
  private readonly queueSize: number;
  private readonly snapshotRecheckMs: number;
  private readonly logger: Logger;
  private subscribers = 0;
  private overflows = 0;
  private closing: Promise<void> | undefined;

  constructor(client: KazooClient, logger: Logger, settings: LiveDataSettings = {}) {
    const pollMs = settings.pollMs ?? DEFAULT_REGISTRATION_POLL_MS;
    const documentPollMs = settings.documentPollMs ?? DEFAULT_DOCUMENT_POLL_MS;
    const leaseMs = settings.leaseMs ?? DEFAULT_REDIS_LEASE_MS;
    this.logger = logger.child({ component: 'live-data' });
    this.queueSize = settings.queueSize ?? DEFAULT_SUBSCRIPTION_QUEUE_SIZE;
    this.snapshotRecheckMs = Math.max(pollMs, Math.floor(leaseMs / 3));
    this.bus =
      settings.redis === undefined
        ? new MemoryBus()
        : new RedisBus({
            url: settings.redis.url,
            keyPrefix: settings.redis.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX,
            leaseMs,
            logger: this.logger,
          });
    this.push = settings.push ?? (settings.amqpUrl === undefined ? undefined : new AmqpPushSource(settings.amqpUrl, this.logger));
    const push = this.push;
    const reconcileMs = settings.reconcileMs ?? DEFAULT_RECONCILE_MS;
    const expiryGraceMs = settings.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS;
    const service =
      settings.serviceLogin === undefined ? undefined : new ServiceCredential(client, settings.serviceLogin, this.logger);
    const bus = this.bus;
    const log = this.logger;
    const line = <State, Change, Event extends LiveEvent>(
      topic: LiveTopic<State, Change>,
      events: TopicEvents<State, Change, Event>,
      intervalMs: number,
      onPoll?: (outcome: 'ok' | 'error') => void,
    ): TopicLine<unknown, unknown, Event> =>
      // The line's own State and Change never leave it: only its events do.
      new TopicLine(events, (accountId, after) =>
        new TopicWatch({
          topic,
          accountId,
          client,
          bus,
          service,
          pollMs: intervalMs,
          leaseMs,
          logger: log,
          after,
          onPoll,
          clock: settings.clock,
          push,
          reconcileMs: Math.max(reconcileMs, intervalMs),
          expiryGraceMs,
        }),
      ) as unknown as TopicLine<unknown, unknown, Event>;
    this.lines = {
      registrations: line(registrationsTopic, registrationEvents, pollMs, settings.onPoll),
      devices: line(devicesTopic, deviceEvents, documentPollMs),
      users: line(usersTopic, userEvents, documentPollMs),
    };
  }

  /** registrationChanged's events; ending the iterator (graphql-ws does on `complete` or disconnect) unsubscribes. */
  registrations(request: SubscriberRequest): AsyncIterableIterator<RegistrationEventModel> {
    return this.subscribe(this.lines.registrations, request);
  }

  /** deviceChanged's events. */
  devices(request: SubscriberRequest): AsyncIterableIterator<DocumentEventModel> {
    return this.subscribe(this.lines.devices, request);
  }

  /** userChanged's events. */
  users(request: SubscriberRequest): AsyncIterableIterator<DocumentEventModel> {
    return this.subscribe(this.lines.users, request);
  }

  stats(): LiveDataStats {
    const accounts = Object.values(this.lines).reduce((sum, line) => sum + line.registry.accountCount, 0);
    return { accounts, subscribers: this.subscribers, overflows: this.overflows, source: this.push?.live() === true ? 'amqp' : 'polling' };
  }

  /** Stops every watch, releases their leases and closes Redis; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(Object.values(this.lines).map((line) => line.registry.close()));
      await Promise.all([this.bus.close(), this.push?.close()]);
    })();
    return this.closing;
  }

  private subscribe<Event extends LiveEvent>(line: TopicLine<unknown, unknown, Event>, request: SubscriberRequest): AsyncIterableIterator<Event> {
    if (this.closing !== undefined) throw new Error('live data is closed');
    const token = request.session.token;
    if (token === undefined || token === '') throw new KazooError('UNAUTHENTICATED', 'A Kazoo token is required to subscribe');
    const watch = line.registry.join(request.accountId);
    this.subscribers += 1;
    const subscriber: TopicSubscriber<unknown, unknown, Event> = new TopicSubscriber(
      token,
      request,
      watch,
      line.events,
      {
        queueSize: this.queueSize,
        snapshotRecheckMs: this.snapshotRecheckMs,
        onOverflow: (accountId) => {
          this.overflows += 1;
          this.logger.warn(
            { accountId, subject: line.events.subject, queueSize: this.queueSize, overflows: this.overflows },
            'dropped a live subscriber that fell behind',
          );
        },
      },
      () => {
        this.subscribers -= 1;
        watch.remove(subscriber);
        line.registry.leave(request.accountId, watch);
      },
    );
    watch.add(subscriber);
    subscriber.start();
    return subscriber.events;
  }
}
