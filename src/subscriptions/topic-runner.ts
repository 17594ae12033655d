// One channel's runner on this gateway instance (a topic of one account): it reads Kazoo only while it holds the
// channel's lease (so however many instances and subscribers there are, Kazoo is read once per interval), diffs the
// reading against the last one and commits the reading and its changes to the bus, numbered one after another
// (wire.ts). A failed read (5xx, timeout, refused connection, 429) commits nothing: nothing is reported as gone
// because Kazoo could not be asked; reading backs off, and the first good reading is diffed against the last good
// one, so only real differences are published. Lease retries and renewals, polls and back-off run on the injected
// clock.
//
// With a push source (Kazoo's AMQP buses, push-source.ts) the holder also commits what Kazoo announces, at once and
// without reading Kazoo: a registration, an unregistration, or a document to read again. Polling then only reconciles
// (every `reconcileMs`, and at once after the source reconnects), and goes back to `pollMs` while the source is
// down. A registration nobody refreshes is dropped by the runner's own timer (Kazoo sends nothing on a silent
// expiry), `expiryGraceMs` after it expires; timers are disarmed while the source is down, so an outage never
// drops a registration that may have been refreshed meanwhile.
import { randomUUID } from 'node:crypto';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError } from '../kazoo/errors.js';
import type { Logger } from '../logger.js';
import type { Channel, LiveBus } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import type { PollCredentials } from './poll-credentials.js';
import type { PushSource } from './push-source.js';
import type { LiveSignal, LiveTopic, StateReader } from './topic.js';
import { parseSnapshot, WIRE_VERSION } from './wire.js';
import type { LiveMessage, LiveSnapshot } from './wire.js';

interface TopicRunnerOptions<State, Change> {
  topic: LiveTopic<State, Change>;
  accountId: string;
  client: KazooClient;
  bus: LiveBus;
  credentials: PollCredentials;
  pollMs: number;
  leaseMs: number;
  logger: Logger;
  /** Reports each poll's outcome (metrics). */
  onPoll?: (outcome: 'ok' | 'error') => void;
  random?: () => number;
  /** Times polls, back-off and the lease's retries and renewals (default: the system clock). */
  clock?: Clock;
  /** Kazoo's own events for this account, when the gateway consumes them. */
  push?: PushSource | undefined;
  /** REGISTRATION_RECONCILE_MS: the poll interval while the push source is live. */
  reconcileMs?: number;
  /** REGISTRATION_EXPIRY_GRACE_MS: how long after a pushed registration's expiry it is dropped without a refresh. */
  expiryGraceMs?: number;
}

/** Each wait is the nominal one ± this share, so instances and accounts do not poll in lockstep. */
const JITTER = 0.1;
/** Consecutive failures double the wait, up to this many poll intervals (and MAX_BACKOFF_MS). */
const MAX_BACKOFF_INTERVALS = 8;
const MAX_BACKOFF_MS = 60_000;
/** Tokens tried in one poll when Kazoo refuses them, before waiting for the next one. */
const MAX_CREDENTIALS_PER_POLL = 3;

/** Where the runner carries on from: a state and its place in the channel's sequence. */
interface Reading<State> {
  state: State;
  epoch: string;
  seq: number;
}

interface HeldLease<State> {
  lease: string;
  /** The last reading under this lease, or the one it carried on from; undefined until the first. */
  carried: Reading<State> | undefined;
  /** Whether a message went out under this lease (the first reading always sends one). */
  announced: boolean;
  cancelRenewal: () => void;
}

export class TopicRunner<State, Change> {
  private readonly options: Required<Omit<TopicRunnerOptions<State, Change>, 'push'>> & { push: PushSource | undefined };
  private readonly channel: Channel;
  private readonly read: StateReader<State>;
  private readonly log: Logger;
  private held: HeldLease<State> | undefined;
  /**
   * This instance's last committed reading, kept across leases: when Redis comes back without its data (a restart
   * that kept nothing), there is no stored snapshot to carry on from, and diffing against this one is what still
   * publishes the changes made during the outage.
   */
  private lastReading: Reading<State> | undefined;
  private stopped = false;
  private failures = 0;
  private wake: (() => void) | undefined;
  /** Set when something asks for a reading while one runs: the loop reads again at once. */
  private readRequested = false;
  /** Subjects a pushed edit named, reported as updated by the next reading. */
  private readonly touched = new Set<string>();
  /** Counts commits of pushed changes: a reading begun before one is older than the state and is not committed. */
  private pushedCommits = 0;
  /** Commits, one after another (readings and pushed changes alike). */
  private commits: Promise<unknown> = Promise.resolve();
  /** Silent-expiry timers by subject. */
  private readonly expiries = new Map<string, () => void>();
  private unlistenPush: (() => void) | undefined;

  constructor(options: TopicRunnerOptions<State, Change>) {
    this.options = {
      ...options,
      random: options.random ?? Math.random,
      onPoll: options.onPoll ?? (() => undefined),
      clock: options.clock ?? systemClock,
      push: options.push,
      reconcileMs: options.reconcileMs ?? options.pollMs,
      expiryGraceMs: options.expiryGraceMs ?? 0,
    };
    this.channel = { topic: options.topic.name, accountId: options.accountId };
    this.read = options.topic.createReader();
    this.log = options.logger.child({ accountId: options.accountId, topic: options.topic.name });
  }

  start(): void {
    this.unlistenPush = this.options.push?.listen(this.options.accountId, {
      signal: (signal) => this.signal(signal),
      liveChanged: (live) => this.pushLiveChanged(live),
    });
    void this.run();
  }

  /** Stops polling and releases the lease; an in-flight poll finishes on its own and commits nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unlistenPush?.();
    this.wake?.();
    await this.dropLease('stopped');
  }

  /** Reads at once (or right after the reading under way). */
  private readNow(): void {
    this.readRequested = true;
    this.wake?.();
  }

  private pushLiveChanged(live: boolean): void {
    if (!live) this.disarmExpiries();
    this.log.info({ source: this.options.push?.name, live }, live ? 'push source live: reconciling now, then polling slowly' : 'push source down: polling at the fast interval');
    this.readNow();
  }

  /** A pushed Kazoo event: only the lease holder acts on it (every instance hears it; one commits). */
  private signal(signal: LiveSignal): void {
    const held = this.held;
    if (this.stopped || held === undefined) return;
    const carried = held.carried;
    if (carried === undefined) {
      // No state yet: the first reading, already under way, carries the news.
      this.readNow();
      return;
    }
    void this.exclusive(async () => {
      if (this.held !== held || held.carried === undefined) return;
      const effect = this.options.topic.react(held.carried.state, signal);
      if (effect.kind === 'ignore') return;
      if (effect.kind === 'read') {
        for (const subject of effect.updated) this.touched.add(subject);
        this.readNow();
        return;
      }
      if (effect.clearExpiry !== undefined) this.disarmExpiry(effect.clearExpiry);
      if (effect.expiry !== undefined && this.options.push?.live() === true) this.armExpiry(held, effect.expiry.subject, effect.expiry.at);
      if (effect.changes.length > 0) await this.commitPushed(held, effect.changes);
    }).catch((error: unknown) => this.log.warn({ err: error }, 'committing a pushed change failed; the next reading reconciles'));
  }

  private async commitPushed(held: HeldLease<State>, changes: Change[]): Promise<void> {
    const carried = held.carried;
    if (carried === undefined) return;
    this.pushedCommits += 1;
    await this.commit(held, this.options.topic.apply(carried.state, changes), changes);
  }

  private armExpiry(held: HeldLease<State>, subject: string, expiresAt: number): void {
    this.disarmExpiry(subject);
    const { clock, expiryGraceMs } = this.options;
    // Kamailio's clock is not ours: an expiry already past (or a skewed timestamp) counts from now.
    const delay = Math.max(0, expiresAt - clock.now()) + expiryGraceMs;
    const cancel = clock.after(delay, () => {
      this.expiries.delete(subject);
      void this.exclusive(async () => {
        if (this.held !== held || held.carried === undefined) return;
        const changes = this.options.topic.expire(held.carried.state, subject);
        if (changes.length > 0) {
          this.log.info({ subject }, 'no refresh since the registration expired: dropped (Kazoo announces no silent expiry)');
          await this.commitPushed(held, changes);
        }
      }).catch((error: unknown) => this.log.warn({ err: error }, 'committing an expiry failed; the next reading reconciles'));
    });
    this.expiries.set(subject, cancel);
  }

  private disarmExpiry(subject: string): void {
    this.expiries.get(subject)?.();
    this.expiries.delete(subject);
  }

  private disarmExpiries(): void {
    for (const cancel of this.expiries.values()) cancel();
    this.expiries.clear();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.commits.then(work, work);
    this.commits = next.catch(() => undefined);
    return next;
  }

  private get intervalMs(): number {
    return this.options.push?.live() === true ? this.options.reconcileMs : this.options.pollMs;
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
      if (this.readRequested && this.held !== undefined) {
        this.readRequested = false;
        continue;
      }
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
    const { bus, topic } = this.options;
    const lease = randomUUID();
    if (!(await bus.acquire(this.channel, lease))) return false;
    let stored: LiveSnapshot<State> | undefined;
    try {
      // Carry on from the last reading (a crashed holder's included), so changes made meanwhile are published.
      const raw = await bus.readSnapshot(this.channel);
      stored = raw === undefined ? undefined : parseSnapshot(topic, raw.snapshot);
    } catch (error) {
      await bus.release(this.channel, lease).catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await bus.release(this.channel, lease);
      return false;
    }
    // The stored snapshot when there is one (whoever wrote it last is furthest on). Without one (Redis came back
    // without its data), this instance's own last reading, so changes made meanwhile are still published, but in a
    // new epoch: another instance may have numbered further in the old one than this one knows.
    const own = this.lastReading;
    const carried =
      stored !== undefined
        ? { state: stored.state, epoch: stored.epoch, seq: stored.seq }
        : own === undefined
          ? undefined
          : { state: own.state, epoch: randomUUID(), seq: 0 };
    this.held = { lease, carried, announced: false, cancelRenewal: this.renewEvery(this.leaseRetryMs) };
    this.log.info(
      { carriesOn: carried === undefined ? 'nothing' : stored === undefined ? 'own reading' : 'stored snapshot' },
      'took the lease: reading this account from Kazoo',
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
    const kept = await this.options.bus.renew(this.channel, held.lease).then(
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
    this.disarmExpiries();
    this.touched.clear();
    if (reason === 'lost') this.log.warn('lost the lease: another instance reads this account now');
    else if (reason === 'unreachable') this.log.warn('cannot renew the lease: the bus (Redis) is unreachable');
    else this.log.info({ reason }, 'released the lease');
    await this.options.bus.release(this.channel, held.lease).catch(() => undefined);
  }

  private async poll(): Promise<number> {
    const { credentials, client, accountId } = this.options;
    this.readRequested = false;
    const pushedBefore = this.pushedCommits;
    for (let attempt = 0; attempt < MAX_CREDENTIALS_PER_POLL; attempt++) {
      const credential = await credentials.pick();
      if (credential === undefined) {
        await this.dropLease('no token');
        return this.jittered(this.leaseRetryMs);
      }
      let state: State;
      try {
        state = await this.read({ client, token: credential.token, requestId: randomUUID() }, accountId);
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
      return this.exclusive(async () => {
        if (this.pushedCommits === pushedBefore) return this.record(state);
        // Kazoo announced a change while this reading was under way: the reading may predate it. Read again.
        this.readRequested = true;
        return 0;
      });
    }
    this.options.onPoll('error');
    return this.failed(undefined);
  }

  private async record(state: State): Promise<number> {
    const held = this.held;
    if (this.stopped || held === undefined) return 0;
    if (this.failures > 0) this.log.info({ failedPolls: this.failures }, 'Kazoo answers again: reading resumed');
    this.failures = 0;
    const { topic } = this.options;
    const changes = held.carried === undefined ? [] : topic.diff(held.carried.state, state);
    if (held.carried !== undefined && this.touched.size > 0) {
      const reported = new Set(changes.map((change) => topic.subjectOf(change)));
      for (const subject of this.touched) {
        const change = reported.has(subject) || !Object.hasOwn(held.carried.state as object, subject) ? undefined : topic.touched(state, subject);
        if (change !== undefined) changes.push(change);
      }
    }
    this.touched.clear();
    if (!(await this.commit(held, state, changes))) return this.jittered(this.leaseRetryMs);
    return this.jittered(this.intervalMs);
  }

  /** Commits `state`, reached by `changes`, as the next message; false when the lease turned out lost. */
  private async commit(held: HeldLease<State>, state: State, changes: Change[]): Promise<boolean> {
    const { bus, accountId } = this.options;
    const at = new Date(this.options.clock.now()).toISOString();
    const epoch = held.carried?.epoch ?? randomUUID();
    const previousSeq = held.carried?.seq ?? 0;
    // Every message is the one before plus one (wire.ts); a reading with nothing new sends none, but for the first
    // under a lease, which tells listeners that the snapshot is current again.
    const sends = changes.length > 0 || !held.announced;
    const seq = sends ? previousSeq + 1 : previousSeq;
    const message: LiveMessage<Change> | undefined = sends ? { v: WIRE_VERSION, accountId, epoch, seq, at, changes } : undefined;
    const snapshot: LiveSnapshot<State> = { v: WIRE_VERSION, epoch, seq, at, lease: held.lease, state };
    const kept = await bus.commit(this.channel, held.lease, snapshot, message);
    if (!kept) {
      if (this.held === held) await this.dropLease('lost');
      return false;
    }
    held.carried = { state, epoch, seq };
    held.announced = true;
    this.lastReading = held.carried;
    if (changes.length > 0) this.log.debug({ changes: changes.length, seq }, 'changes published');
    return true;
  }

  /** Nothing is committed; the wait grows with each consecutive failure and honours Kazoo's Retry-After. */
  private failed(error: unknown): number {
    this.failures += 1;
    const code = isKazooError(error) ? error.code : error === undefined ? 'NO_TOKEN_ACCEPTED' : 'INTERNAL';
    if (this.failures === 1) {
      this.log.warn({ code, ...(code === 'INTERNAL' ? { err: error } : {}) }, 'reading Kazoo failed; backing off');
    } else {
      this.log.debug({ code, failedPolls: this.failures }, 'reading Kazoo failed again');
    }
    const { pollMs } = this.options;
    const ceiling = Math.max(pollMs, Math.min(pollMs * MAX_BACKOFF_INTERVALS, MAX_BACKOFF_MS));
    const backoff = Math.min(pollMs * 2 ** Math.min(this.failures, 10), ceiling);
    const retryAfter = isKazooError(error) ? (error.retryAfterMs ?? 0) : 0;
    return this.jittered(Math.max(backoff, retryAfter));
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
