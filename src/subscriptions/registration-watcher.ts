// One account's poller on this gateway instance. It polls only while it holds the account's lease (so however many
// instances and subscribers there are, Kazoo is polled once per interval), reads `/registrations` as queries do
// (loaders/registrations.ts; `/devices/status` where it is not available), diffs against the last reading and commits
// the reading and its changes to the feed. A failed poll (5xx, timeout, refused connection, 429) commits nothing: no device is reported as
// dropped because Kazoo could not be asked; polling backs off, and the first good reading is diffed against the
// last good one, so only real differences are published.
import { randomUUID } from 'node:crypto';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError } from '../kazoo/errors.js';
import { readRegistrations } from '../loaders/registrations.js';
import type { RegistrationIndex, RegistrationSource } from '../loaders/registrations.js';
import type { Logger } from '../logger.js';
import { systemClock, type Clock } from './clock.js';
import type { FeedMessage, RegistrationFeed } from './feed.js';
import type { PollCredentials } from './poll-credentials.js';
import { diffRegistrations, registeredDevicesOf } from './registration-diff.js';
import type { RegisteredDevices } from './registration-diff.js';

interface RegistrationWatcherOptions {
  accountId: string;
  client: KazooClient;
  feed: RegistrationFeed;
  credentials: PollCredentials;
  pollMs: number;
  leaseMs: number;
  logger: Logger;
  /** Reports each poll's outcome (metrics). */
  onPoll?: (outcome: 'ok' | 'error') => void;
  random?: () => number;
  /** Times polls, back-off and the lease's retries and renewals (default: the system clock). */
  clock?: Clock;
}

/** Each wait is the nominal one ± this share, so instances and accounts do not poll in lockstep. */
const JITTER = 0.1;
/** Consecutive failures double the wait, up to this many poll intervals (and MAX_BACKOFF_MS). */
const MAX_BACKOFF_INTERVALS = 8;
const MAX_BACKOFF_MS = 60_000;
/** Where /registrations is not available, polls read /devices/status and ask /registrations again every this many. */
const REGISTRATIONS_RETRY_POLLS = 60;
/** Tokens tried in one poll when Kazoo refuses them, before waiting for the next one. */
const MAX_CREDENTIALS_PER_POLL = 3;

interface HeldLease {
  lease: string;
  /** The last reading under this lease, or the one it carried on from; undefined until the first. */
  devices: RegisteredDevices | undefined;
  seq: number | undefined;
  /** Whether a message went out under this lease (the first reading always sends one). */
  announced: boolean;
  cancelRenewal: () => void;
}

export class RegistrationWatcher {
  private readonly options: Required<RegistrationWatcherOptions>;
  private readonly log: Logger;
  private held: HeldLease | undefined;
  /**
   * This instance's last committed reading, kept across leases: when Redis comes back without its data (a restart
   * that kept nothing), there is no stored snapshot to carry on from, and diffing against this one is what still
   * publishes the changes made during the outage.
   */
  private lastReading: { devices: RegisteredDevices; seq: number } | undefined;
  private stopped = false;
  private failures = 0;
  /** The source the last poll read, and polls since /registrations was last tried. */
  private source: RegistrationSource = 'registrations';
  private pollsSinceRegistrationsTried = 0;
  private wake: (() => void) | undefined;

  constructor(options: RegistrationWatcherOptions) {
    this.options = {
      ...options,
      random: options.random ?? Math.random,
      onPoll: options.onPoll ?? (() => undefined),
      clock: options.clock ?? systemClock,
    };
    this.log = options.logger.child({ accountId: options.accountId });
  }

  start(): void {
    void this.run();
  }

  /** Stops polling and releases the lease; an in-flight poll finishes on its own and commits nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.dropLease('stopped');
  }

  private get leaseRetryMs(): number {
    // A third of the lease: a dead holder's lease expires after one period and is taken within the next third.
    return Math.max(1, Math.floor(this.options.leaseMs / 3));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay: number;
      try {
        delay = await this.step();
      } catch (error) {
        delay = this.failed(error);
      }
      if (this.stopped) return;
      await this.sleep(delay);
    }
  }

  private async step(): Promise<number> {
    if (this.held === undefined && !(await this.takeLease())) return this.jittered(this.leaseRetryMs);
    return this.poll();
  }

  private async takeLease(): Promise<boolean> {
    // No token, no poll: leave the lease to an instance that has one.
    if ((await this.options.credentials.pick()) === undefined) return false;
    const { feed, accountId } = this.options;
    const lease = randomUUID();
    if (!(await feed.acquire(accountId, lease))) return false;
    let stored;
    try {
      // Carry on from the last reading (a crashed holder's included), so changes made meanwhile are published.
      stored = await feed.readSnapshot(accountId);
    } catch (error) {
      await feed.release(accountId, lease).catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await feed.release(accountId, lease);
      return false;
    }
    // The newer of the stored snapshot and this instance's own last reading; sequence numbers only grow.
    const own = this.lastReading;
    const carried = stored !== undefined && (own === undefined || stored.snapshot.seq >= own.seq) ? stored.snapshot : own;
    this.held = {
      lease,
      devices: carried?.devices,
      seq: carried?.seq,
      announced: false,
      cancelRenewal: this.renewEvery(this.leaseRetryMs),
    };
    this.log.info(
      { carriesOn: carried === undefined ? 'nothing' : carried === own ? 'own reading' : 'stored snapshot' },
      'took the registration lease: polling this account',
    );
    return true;
  }

  /** Renews the lease every `ms` until the returned function is called. */
  private renewEvery(ms: number): () => void {
    let cancel: () => void;
    const schedule = (): void => {
      cancel = this.options.clock.after(ms, () => {
        schedule();
        void this.renew();
      });
    };
    schedule();
    return () => cancel();
  }

  private async renew(): Promise<void> {
    const held = this.held;
    if (held === undefined) return;
    const kept = await this.options.feed.renew(this.options.accountId, held.lease).then(
      (renewed) => (renewed ? 'kept' : 'lost'),
      () => 'unreachable' as const,
    );
    if (kept !== 'kept' && this.held === held) await this.dropLease(kept);
  }

  private async dropLease(reason: 'stopped' | 'lost' | 'unreachable' | 'no token'): Promise<void> {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    held.cancelRenewal();
    if (reason === 'lost') this.log.warn('lost the registration lease: another instance polls this account now');
    else if (reason === 'unreachable') this.log.warn('cannot renew the registration lease: the feed (Redis) is unreachable');
    else this.log.info({ reason }, 'released the registration lease');
    await this.options.feed.release(this.options.accountId, held.lease).catch(() => undefined);
  }

  private async poll(): Promise<number> {
    const { credentials, client, accountId } = this.options;
    for (let attempt = 0; attempt < MAX_CREDENTIALS_PER_POLL; attempt++) {
      const credential = await credentials.pick();
      if (credential === undefined) {
        await this.dropLease('no token');
        return this.jittered(this.leaseRetryMs);
      }
      let index: RegistrationIndex;
      try {
        const read = await readRegistrations(
          { client, token: credential.token, requestId: randomUUID() },
          accountId,
          this.registrationSource(),
        );
        index = read.index;
        this.source = read.source;
      } catch (error) {
        if (isKazooError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')) {
          this.log.info({ source: credential.source, code: error.code }, 'Kazoo refused the polling token; trying another');
          credentials.refused(credential, error.code);
          continue;
        }
        this.options.onPoll('error');
        return this.failed(error);
      }
      this.options.onPoll('ok');
      return this.record(index);
    }
    this.options.onPoll('error');
    return this.failed(undefined);
  }

  private async record(index: RegistrationIndex): Promise<number> {
    const held = this.held;
    if (this.stopped || held === undefined) return 0;
    if (this.failures > 0) this.log.info({ failedPolls: this.failures }, 'Kazoo answers again: polling resumed');
    this.failures = 0;
    const devices = registeredDevicesOf(index);
    const changes = held.devices === undefined ? [] : diffRegistrations(held.devices, devices);
    const now = this.options.clock.now();
    const at = new Date(now).toISOString();
    // Sequence numbers only grow, across holders too: the clock keeps them ahead of any lost snapshot's.
    const seq = changes.length > 0 ? Math.max((held.seq ?? 0) + 1, now) : (held.seq ?? now);
    const message: FeedMessage | undefined =
      changes.length > 0 || !held.announced ? { accountId: this.options.accountId, seq, at, changes } : undefined;
    const kept = await this.options.feed.commit(this.options.accountId, held.lease, { seq, at, lease: held.lease, devices }, message);
    if (!kept) {
      if (this.held === held) await this.dropLease('lost');
      return this.jittered(this.leaseRetryMs);
    }
    held.devices = devices;
    held.seq = seq;
    held.announced = true;
    this.lastReading = { devices, seq };
    if (changes.length > 0) this.log.debug({ changes: changes.length }, 'registrations changed');
    return this.jittered(this.options.pollMs);
  }

  /** Nothing is committed; the wait grows with each consecutive failure and honours Kazoo's Retry-After. */
  private failed(error: unknown): number {
    this.failures += 1;
    const code = isKazooError(error) ? error.code : error === undefined ? 'NO_TOKEN_ACCEPTED' : 'INTERNAL';
    if (this.failures === 1) {
      this.log.warn({ code, ...(code === 'INTERNAL' ? { err: error } : {}) }, 'registration poll failed; backing off');
    } else {
      this.log.debug({ code, failedPolls: this.failures }, 'registration poll failed again');
    }
    const { pollMs } = this.options;
    const ceiling = Math.max(pollMs, Math.min(pollMs * MAX_BACKOFF_INTERVALS, MAX_BACKOFF_MS));
    const backoff = Math.min(pollMs * 2 ** Math.min(this.failures, 10), ceiling);
    const retryAfter = isKazooError(error) ? (error.retryAfterMs ?? 0) : 0;
    return this.jittered(Math.max(backoff, retryAfter));
  }

  /** /registrations, unless the last poll found it unavailable: then /devices/status, trying /registrations now and then. */
  private registrationSource(): RegistrationSource {
    if (this.source === 'registrations' || ++this.pollsSinceRegistrationsTried >= REGISTRATIONS_RETRY_POLLS) {
      this.pollsSinceRegistrationsTried = 0;
      return 'registrations';
    }
    return 'devices/status';
  }

  private jittered(ms: number): number {
    return Math.round(ms * (1 - JITTER + 2 * JITTER * this.options.random()));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.clock.after(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}
