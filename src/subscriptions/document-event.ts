// What a deviceChanged or userChanged subscriber receives for one document (the model behind GraphQL's
// DeviceChangeEvent and UserChangeEvent), and how the document topics' state and changes become such events. The
// document itself is not in the event: its resolver reads it with the subscriber's own token.
import * as devices from '../kazoo/devices.js';
import * as users from '../kazoo/users.js';
import type { DocumentChange, DocumentChangeKind, DocumentState } from './documents-topic.js';
import type { EventBatch, LiveEvent } from './live-event.js';
import type { TopicEvents } from './topic-subscriber.js';

export interface DocumentEventModel extends LiveEvent {
  readonly kind: 'INITIAL' | DocumentChangeKind;
  /** The document's Kazoo id. */
  readonly id: string;
  /** ISO-8601 time of the Kazoo reading (or event) that showed the change. */
  readonly at: string;
}

function documentEvents(subject: 'device' | 'user'): TopicEvents<DocumentState, DocumentChange, DocumentEventModel> {
  return {
    subject,
    subjectOf: (change) => change.id,
    async initialEvents(view, request) {
      let batch: EventBatch;
      if (request.subjectIds !== undefined) {
        // Those asked for that the account has, in the order asked.
        batch = { subjectIds: [...request.subjectIds].filter((id) => Object.hasOwn(view.state, id)) };
      } else if (subject === 'device') {
        const deviceSummaries = await devices.listAllSummaries(request.session, request.accountId);
        batch = { subjectIds: deviceSummaries.map((row) => row.id), deviceSummaries };
      } else {
        const userSummaries = await users.listAllSummaries(request.session, request.accountId);
        batch = { subjectIds: userSummaries.map((row) => row.id), userSummaries };
      }
      const { subjectIds } = batch;
      return subjectIds.map((id, index) => ({
        accountId: request.accountId,
        id,
        kind: 'INITIAL' as const,
        initialComplete: index === subjectIds.length - 1,
        at: view.at,
        batch,
        origin: undefined,
      }));
    },
    changeEvents(message, changes) {
      const batch: EventBatch = { subjectIds: changes.map((change) => change.id) };
      return changes.map((change) => ({
        accountId: message.accountId,
        id: change.id,
        kind: change.kind,
        initialComplete: true,
        at: message.at,
        batch,
        origin: change,
      }));
    },
  };
}

export const deviceEvents = documentEvents('device');
export const userEvents = documentEvents('user');

export function isDocumentEvent(value: unknown): value is DocumentEventModel {
  return typeof value === 'object' && value !== null && 'batch' in value && 'id' in value && 'kind' in value && !('deviceId' in value);
}
