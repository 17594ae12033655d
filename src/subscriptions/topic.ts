// A topic of live data: one kind of thing the gateway keeps live per account (today the account's registrations).
// The kernel around it — the runner that reads Kazoo under a lease (topic-runner.ts), the bus that carries changes
// between instances (bus.ts), the per-instance watch that repairs gaps (topic-watch.ts) — knows nothing else about
// what it carries: a topic says how its state is read from Kazoo, how two states differ, how a change is applied, and
// what a state and a change look like on the wire (validated when read back, since Redis is shared and outlives
// releases of this code).
import type { KazooSession } from '../kazoo/session.js';

export type TopicName = 'registrations' | 'devices' | 'users';

/** Reads one account's state from Kazoo; made once per runner, so it may remember what it learnt (a missing module). */
export type StateReader<State> = (session: KazooSession, accountId: string) => Promise<State>;

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
}
