// What a registrationChanged subscriber receives for one device: the model behind GraphQL's RegistrationEvent.
import type { KazooDeviceSummary, KazooRegistration } from '../kazoo/types.js';
import type { RegistrationChangeKind } from './registration-diff.js';

/**
 * Events delivered together: one poll's changes, or the initial state. Their `device` fields are read with one set
 * of loaders, so a batch of many devices costs one device listing rather than one read per device.
 */
export interface EventBatch {
  readonly deviceIds: readonly string[];
  /**
   * The account's device listing, when making the batch read it (an initial state for every device), with the
   * subscriber's own token: the batch's `device` fields start from it instead of listing the account again.
   */
  readonly deviceSummaries?: readonly KazooDeviceSummary[];
}

export interface RegistrationEventModel {
  accountId: string;
  deviceId: string;
  /** INITIAL for the state sent first with `initial: true`; else what happened. */
  kind: 'INITIAL' | RegistrationChangeKind;
  registered: boolean;
  /** The device's `/registrations` row; null when it is not registered or only `/devices/status` answered. */
  details: KazooRegistration | null;
  /** False on the events of the initial state but its last: from that one on, every event is live. */
  initialComplete: boolean;
  /** ISO-8601 time of the Kazoo reading that showed this state. */
  at: string;
  batch: EventBatch;
  /**
   * The feed's change this event was made from, the same object for every subscriber that receives it; undefined for
   * an initial state, which is each subscriber's own. Lets subscribers asking the same thing share one execution.
   */
  origin: object | undefined;
}

export function isRegistrationEvent(value: unknown): value is RegistrationEventModel {
  return typeof value === 'object' && value !== null && 'batch' in value && 'deviceId' in value;
}
