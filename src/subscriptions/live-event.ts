// What every live event carries besides its own fields, for the subscription executor
// (src/graphql/subscribe-with-fresh-loaders.ts): the batch it was delivered in, so that a batch's events share one
// set of loaders, and the change it was made from, so that subscribers asking the same thing share one execution.
import type { KazooDeviceSummary, KazooUserSummary } from '../kazoo/types.js';

/**
 * Events delivered together: one message's changes, or the initial state. Their documents are read with one set of
 * loaders, so a batch of many devices costs one listing rather than one read per device.
 */
export interface EventBatch {
  /** The Kazoo ids the batch's events are about (devices, or users). */
  readonly subjectIds: readonly string[];
  /**
   * The account's device (or user) listing, when making the batch read it (an initial state of every device), with
   * the subscriber's own token: the batch's documents start from it instead of listing the account again.
   */
  readonly deviceSummaries?: readonly KazooDeviceSummary[];
  readonly userSummaries?: readonly KazooUserSummary[];
}

export interface LiveEvent {
  readonly accountId: string;
  readonly batch: EventBatch;
  /** False on the events of the initial state but its last: from that one on, every event is live. */
  readonly initialComplete: boolean;
  /**
   * The bus's change this event was made from, the same object for every subscriber that receives it; undefined for
   * an initial state, which is each subscriber's own. Lets subscribers asking the same thing share one execution.
   */
  readonly origin: object | undefined;
}

export function isLiveEvent(value: unknown): value is LiveEvent {
  return typeof value === 'object' && value !== null && 'batch' in value && 'origin' in value && 'initialComplete' in value;
}
