// A topic of live data: one kind of thing the gateway keeps live per account (today the account's registrations).
// The kernel around it — the runner that reads Kazoo under a lease (topic-runner.ts), the bus that carries changes
// between instances (bus.ts), the per-instance watch that repairs gaps (topic-watch.ts) — knows nothing else about
// what it carries: a topic says how its state is read from Kazoo, how two states differ, how a change is applied, and
// what a state and a change look like on the wire (validated when read back, since Redis is shared and outlives
// releases of this code).
import type { DeregisterNotice, DocumentNotice, RegSuccess } from '../kazoo/amqp-events.js';
import type { KazooSession } from '../kazoo/session.js';

export type TopicName = 'registrations' | 'devices' | 'users';

/** Reads one account's state from Kazoo; made once per runner, so it may remember what it learnt (a missing module). */
export type StateReader<State> = (session: KazooSession, accountId: string) => Promise<State>;

/** What a push source (Kazoo's AMQP buses) tells the runner of an account: one Kazoo message, parsed. */
export type LiveSignal =
  | { readonly kind: 'registration'; readonly registration: RegSuccess }
  | { readonly kind: 'deregistered'; readonly notice: DeregisterNotice }
  | { readonly kind: 'document'; readonly notice: DocumentNotice };

/** What a topic makes of a signal. */
export type SignalEffect<Change> =
  /** Commit these changes (maybe none) without reading Kazoo; `expiry` (re)arms the subject's silent-expiry timer at
   * that instant (ms since 1970, before the runner's grace), `clearExpiry` disarms it. */
  | { readonly kind: 'changes'; readonly changes: Change[]; readonly expiry?: { subject: string; at: number }; readonly clearExpiry?: string }
  /** Read the state again now; report `updated` subjects as updated even when their reading did not change (the
   * listing does not show every field of a document). */
  | { readonly kind: 'read'; readonly updated: readonly string[] }
  | { readonly kind: 'ignore' };

export interface LiveTopic<State, Change> {
  readonly name: TopicName;
  /** The poll source: a reader of the whole state. */
  createReader(): StateReader<State>;
  /** What changed from `previous` to `next`, in a stable order. */
  diff(previous: State, next: State): Change[];
  /** `state` with `changes` applied (a new value: states are shared with subscribers and never mutated). */
  apply(state: State, changes: readonly Change[]): State;
  /** The Kazoo id of what a change is about (a device), for subscribers that watch only some. */
  subjectOf(change: Change): string;
  /** A state read back from the bus, checked; undefined when it is not one. */
  parseState(raw: unknown): State | undefined;
  /** A change read back from the bus, checked; undefined when it is not one. */
  parseChange(raw: unknown): Change | undefined;
  /** What a pushed signal means for `state`. */
  react(state: State, signal: LiveSignal): SignalEffect<Change>;
  /** The changes when a subject's silent-expiry timer runs out (a registration no refresh renewed). */
  expire(state: State, subject: string): Change[];
  /** A change reporting `subject` as updated in `state` as it is; undefined when `state` does not hold it. */
  touched(state: State, subject: string): Change | undefined;
}
