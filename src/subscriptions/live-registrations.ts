// The live registrations service of a gateway instance: it turns a registrationChanged subscription into a stream of
// events, sharing one TopicWatch of the registrations topic per account between subscribers, over Redis when
// REDIS_URL is set (several instances, one reader per account among them) or in memory otherwise. Gateway.close()
// closes it: watches stop, leases are released, Redis connections end.
import type { KazooClient } from '../kazoo/client.js';
import { KazooError } from '../kazoo/errors.js';
import type { Logger } from '../logger.js';
import type { LiveBus } from './bus.js';
import type { Clock } from './clock.js';
import {
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_REDIS_LEASE_MS,
  DEFAULT_REGISTRATION_POLL_MS,
  DEFAULT_SUBSCRIPTION_QUEUE_SIZE,
} from './defaults.js';
import { MemoryBus } from './memory-bus.js';
import { RedisBus } from './redis-bus.js';
import type { RegisteredDevices, RegistrationChange } from './registration-diff.js';
import type { RegistrationEventModel } from './registration-event.js';
import { RegistrationSubscriber } from './registration-subscriber.js';
import type { SubscriberRequest } from './registration-subscriber.js';
import { ServiceCredential } from './service-credential.js';
import type { ServiceLogin } from './service-credential.js';
import { registrationsTopic } from './registrations-topic.js';
import { TopicWatch } from './topic-watch.js';
import { WatcherRegistry } from './watcher-registry.js';

export interface LiveRegistrationsSettings {
  /** REGISTRATION_POLL_MS */
  pollMs?: number;
  /** SUBSCRIPTION_QUEUE_SIZE */
  queueSize?: number;
  /** REDIS_URL (and REDIS_KEY_PREFIX); in memory when absent. */
  redis?: { url: string; keyPrefix?: string };
  /** REDIS_LEASE_MS */
  leaseMs?: number;
  /** KAZOO_API_KEY, or KAZOO_USERNAME + KAZOO_PASSWORD + KAZOO_ACCOUNT_NAME. */
  serviceLogin?: ServiceLogin;
  /** Reports each poll of Kazoo's registrations (metrics). */
  onPoll?: (outcome: 'ok' | 'error') => void;
  /** Times the watchers' polls and leases (default: the system clock; tests pass one they move). */
  clock?: Clock;
}

interface LiveRegistrationsStats {
  /** Accounts this instance watches (polling or standing by for the lease). */
  accounts: number;
  subscribers: number;
  /** Subscribers dropped for falling behind, since start. */
  overflows: number;
}

export class LiveRegistrations {
  private readonly bus: LiveBus;
  private readonly registry: WatcherRegistry<TopicWatch<RegisteredDevices, RegistrationChange>>;
  private readonly queueSize: number;
  private readonly snapshotRecheckMs: number;
  private readonly logger: Logger;
  private subscribers = 0;
  private overflows = 0;
  private closing: Promise<void> | undefined;

  constructor(client: KazooClient, logger: Logger, settings: LiveRegistrationsSettings = {}) {
    const pollMs = settings.pollMs ?? DEFAULT_REGISTRATION_POLL_MS;
    const leaseMs = settings.leaseMs ?? DEFAULT_REDIS_LEASE_MS;
    this.logger = logger.child({ component: 'live-registrations' });
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
    const service =
      settings.serviceLogin === undefined ? undefined : new ServiceCredential(client, settings.serviceLogin, this.logger);
    const bus = this.bus;
    const log = this.logger;
    this.registry = new WatcherRegistry(
      (accountId, after) =>
        new TopicWatch({
          topic: registrationsTopic,
          accountId,
          client,
          bus,
          service,
          pollMs,
          leaseMs,
          logger: log,
          after,
          onPoll: settings.onPoll,
          clock: settings.clock,
        }),
    );
  }

  /** The subscription's events; ending the iterator (graphql-ws does on `complete` or disconnect) unsubscribes. */
  subscribe(request: SubscriberRequest): AsyncIterableIterator<RegistrationEventModel> {
    if (this.closing !== undefined) throw new Error('live registrations are closed');
    const token = request.session.token;
    if (token === undefined || token === '') throw new KazooError('UNAUTHENTICATED', 'A Kazoo token is required to subscribe');
    const watch = this.registry.join(request.accountId);
    this.subscribers += 1;
    const subscriber: RegistrationSubscriber = new RegistrationSubscriber(
      token,
      request,
      watch,
      {
        queueSize: this.queueSize,
        snapshotRecheckMs: this.snapshotRecheckMs,
        onOverflow: (accountId) => {
          this.overflows += 1;
          this.logger.warn(
            { accountId, queueSize: this.queueSize, overflows: this.overflows },
            'dropped a registration subscriber that fell behind',
          );
        },
      },
      () => {
        this.subscribers -= 1;
        watch.remove(subscriber);
        this.registry.leave(request.accountId, watch);
      },
    );
    watch.add(subscriber);
    subscriber.start();
    return subscriber.events;
  }

  stats(): LiveRegistrationsStats {
    return { accounts: this.registry.accountCount, subscribers: this.subscribers, overflows: this.overflows };
  }

  /** Stops every watcher, releases their leases and closes Redis; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.registry.close();
      await this.bus.close();
    })();
    return this.closing;
  }
}
