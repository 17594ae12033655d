// What travels between gateway instances, versioned and checked on the way in. Sequence numbers are contiguous per
// account and topic within an epoch: every message is the previous one's `seq` plus one, so an instance that missed
// one (Redis pub/sub drops what is published while a subscriber reconnects) sees the gap and repairs it from the
// snapshot (topic-watch.ts). An epoch starts when nobody can carry on from an earlier state (the snapshot was lost
// with Redis's data and no instance remembers one): numbers of different epochs are not compared.
import type { LiveTopic } from './topic.js';

export const WIRE_VERSION = 1;

export interface LiveMessage<Change> {
  readonly v: typeof WIRE_VERSION;
  readonly accountId: string;
  readonly epoch: string;
  readonly seq: number;
  /** ISO-8601 time of the Kazoo reading (or event) the changes come from. */
  readonly at: string;
  /** Empty on the first reading of a new lease holder: it only says that the snapshot is current again. */
  readonly changes: readonly Change[];
}

export interface LiveSnapshot<State> {
  readonly v: typeof WIRE_VERSION;
  readonly epoch: string;
  /** The `seq` of the last message applied: messages with a higher `seq` (same epoch) describe what came after. */
  readonly seq: number;
  readonly at: string;
  /** The lease under which it was written. */
  readonly lease: string;
  readonly state: State;
}

/** A message as read from the bus, checked; undefined when it is not one this version understands. */
export function parseMessage<State, Change>(topic: LiveTopic<State, Change>, raw: unknown): LiveMessage<Change> | undefined {
  if (!isRecord(raw) || raw['v'] !== WIRE_VERSION) return undefined;
  const { accountId, epoch, seq, at, changes } = raw;
  if (typeof accountId !== 'string' || typeof epoch !== 'string' || !isSeq(seq) || typeof at !== 'string') return undefined;
  if (!Array.isArray(changes)) return undefined;
  const parsed: Change[] = [];
  for (const change of changes) {
    const checked = topic.parseChange(change);
    if (checked === undefined) return undefined;
    parsed.push(checked);
  }
  return { v: WIRE_VERSION, accountId, epoch, seq, at, changes: parsed };
}

export function parseSnapshot<State, Change>(topic: LiveTopic<State, Change>, raw: unknown): LiveSnapshot<State> | undefined {
  if (!isRecord(raw) || raw['v'] !== WIRE_VERSION) return undefined;
  const { epoch, seq, at, lease } = raw;
  if (typeof epoch !== 'string' || !isSeq(seq) || typeof at !== 'string' || typeof lease !== 'string') return undefined;
  const state = topic.parseState(raw['state']);
  return state === undefined ? undefined : { v: WIRE_VERSION, epoch, seq, at, lease, state };
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
