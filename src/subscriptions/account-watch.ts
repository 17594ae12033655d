// Everything this gateway instance runs for one account while it has subscribers to it: the feed listener that fans
// the account's change messages out to the local subscribers, the subscribers' tokens (for polling when there is no
// service credential), and the account's watcher, which polls whenever this instance holds the account's lease.
import type { KazooClient } from '../kazoo/client.js';
import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';
import type { FeedMessage, RegistrationFeed, StoredSnapshot } from './feed.js';
import { PollCredentials } from './poll-credentials.js';
import type { RefusalCode } from './poll-credentials.js';
import { RegistrationWatcher } from './registration-watcher.js';
import type { ServiceCredential } from './service-credential.js';
import { SubscriberTokens } from './subscriber-tokens.js';

export interface LocalSubscriber {
  readonly token: string;
  deliver(message: FeedMessage): void;
  /** Kazoo refused this subscriber's own token while polling with it. */
  refused(code: RefusalCode): void;
}

interface AccountWatchOptions {
  accountId: string;
  client: KazooClient;
  feed: RegistrationFeed;
  service: ServiceCredential | undefined;
  pollMs: number;
  leaseMs: number;
  logger: Logger;
  onPoll?: (outcome: 'ok' | 'error') => void;
  /** The watcher's clock (default: the system clock). */
  clock?: Clock;
  /** Settles when the previous watch of this account on this instance has closed (and released its lease). */
  after: Promise<void>;
}

export class AccountWatch {
  /** Settles once messages are heard and the watcher runs; rejects when the feed cannot be listened to. */
  readonly ready: Promise<void>;
  private readonly subscribers = new Set<LocalSubscriber>();
  private readonly tokens = new SubscriberTokens();
  private readonly watcher: RegistrationWatcher;
  private readonly messageWaiters = new Set<() => void>();
  private unlisten: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly options: AccountWatchOptions) {
    const credentials = new PollCredentials(options.service, this.tokens, (token, code) => this.refuse(token, code));
    this.watcher = new RegistrationWatcher({ ...options, credentials });
    this.ready = this.open();
    // Subscribers see a failed `ready` themselves; this only keeps the rejection from being reported as unhandled.
    this.ready.catch(() => undefined);
  }

  add(subscriber: LocalSubscriber): void {
    this.subscribers.add(subscriber);
    this.tokens.add(subscriber.token);
  }

  remove(subscriber: LocalSubscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    this.tokens.remove(subscriber.token);
  }

  readSnapshot(): Promise<StoredSnapshot | undefined> {
    return this.options.feed.readSnapshot(this.options.accountId);
  }

  /** Settles at the next message of the account, or after `ms` at the latest. */
  nextMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.messageWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.messageWaiters.add(done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of [...this.messageWaiters]) wake();
    await this.ready.catch(() => undefined);
    await Promise.all([this.watcher.stop(), this.unlisten?.().catch(() => undefined)]);
  }

  private async open(): Promise<void> {
    await this.options.after;
    if (this.closed) return;
    this.unlisten = await this.options.feed.listen(this.options.accountId, (message) => this.dispatch(message));
    if (this.closed) return;
    this.watcher.start();
  }

  private dispatch(message: FeedMessage): void {
    for (const subscriber of [...this.subscribers]) subscriber.deliver(message);
    for (const wake of [...this.messageWaiters]) wake();
  }

  private refuse(token: string, code: RefusalCode): void {
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.token === token) subscriber.refused(code);
    }
  }
}
