// What a registrationChanged subscriber receives for one device (the model behind GraphQL's RegistrationEvent), and
// how the registrations topic's state and changes become such events.
import * as devices from '../kazoo/devices.js';
import type { KazooRegistration } from '../kazoo/types.js';
import type { EventBatch, LiveEvent } from './live-event.js';
import type { RegisteredDevices, RegistrationChange, RegistrationChangeKind } from './registration-diff.js';
import type { TopicEvents } from './topic-subscriber.js';

export interface RegistrationEventModel extends LiveEvent {
  readonly kind: 'INITIAL' | RegistrationChangeKind;
  readonly deviceId: string;
  readonly registered: boolean;
  /** The device's `/registrations` row; null when it is not registered or only `/devices/status` answered. */
  readonly details: KazooRegistration | null;
  /** ISO-8601 time of the Kazoo reading that showed this state. */
  readonly at: string;
}

export function isRegistrationEvent(value: unknown): value is RegistrationEventModel {
  return typeof value === 'object' && value !== null && 'batch' in value && 'deviceId' in value && 'registered' in value;
}

export const registrationEvents: TopicEvents<RegisteredDevices, RegistrationChange, RegistrationEventModel> = {
  subject: 'registration',
  subjectOf: (change) => change.deviceId,
  async initialEvents(view, request) {
    let batch: EventBatch;
    if (request.subjectIds === undefined) {
      // Every device of the account in Kazoo's order, and any registered device the listing did not show.
      const deviceSummaries = await devices.listAllSummaries(request.session, request.accountId);
      const known = new Set(deviceSummaries.map((device) => device.id));
      const unlisted = Object.keys(view.state).filter((deviceId) => !known.has(deviceId));
      batch = { subjectIds: [...deviceSummaries.map((device) => device.id), ...unlisted], deviceSummaries };
    } else {
      batch = { subjectIds: [...request.subjectIds] };
    }
    const { subjectIds } = batch;
    return subjectIds.map((deviceId, index) => ({
      accountId: request.accountId,
      deviceId,
      kind: 'INITIAL' as const,
      registered: Object.hasOwn(view.state, deviceId),
      details: view.state[deviceId] ?? null,
      initialComplete: index === subjectIds.length - 1,
      at: view.at,
      batch,
      origin: undefined,
    }));
  },
  changeEvents(message, changes) {
    const batch: EventBatch = { subjectIds: changes.map((change) => change.deviceId) };
    return changes.map((change) => ({
      accountId: message.accountId,
      deviceId: change.deviceId,
      kind: change.kind,
      registered: change.registered,
      details: change.details,
      initialComplete: true,
      at: message.at,
      batch,
      origin: change,
    }));
  },
};
