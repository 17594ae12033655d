// The device and user document topics: which documents an account has, each with a fingerprint of its listing row.
// Polled, a topic reads the account's listing (one Crossbar call per 1,000 documents) and reports documents created,
// deleted, or whose listed fields changed (name, type, owner, enabled, MAC; a user's names, email, username...). An
// edit to a field the listing does not show is seen only through Kazoo's own events (AMQP `configuration`, blackhole
// `doc_edited`), which ask the topic to read again at once. Events carry no document: each subscriber reads it with
// its own token (the `device` / `user` field of the event).
import * as devices from '../kazoo/devices.js';
import type { KazooSession } from '../kazoo/session.js';
import type { KazooObject } from '../kazoo/types.js';
import * as users from '../kazoo/users.js';
import type { LiveTopic } from './topic.js';
import { isRecord } from './wire.js';

/** Documents of the account by Kazoo id, each with the fingerprint of its listing row. */
export type DocumentState = Readonly<Record<string, string>>;

export type DocumentChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

export interface DocumentChange {
  id: string;
  kind: DocumentChangeKind;
  /** The new fingerprint (null when deleted), so that a change applied to a state gives the next state exactly. */
  fingerprint: string | null;
}

const KINDS: ReadonlySet<string> = new Set<DocumentChangeKind>(['CREATED', 'UPDATED', 'DELETED']);

type ListAll = (session: KazooSession, accountId: string) => Promise<readonly (KazooObject & { id: string })[]>;

function documentsTopic(name: 'devices' | 'users', documentType: 'device' | 'user', listAll: ListAll): LiveTopic<DocumentState, DocumentChange> {
  return {
    name,
    createReader: () => async (session, accountId) => {
      const state: Record<string, string> = {};
      for (const row of await listAll(session, accountId)) state[row.id] = JSON.stringify(row);
      return state;
    },
    diff: (previous, next) => {
      const changes: DocumentChange[] = [];
      for (const [id, fingerprint] of Object.entries(next)) {
        if (!Object.hasOwn(previous, id)) changes.push({ id, kind: 'CREATED', fingerprint });
        else if (previous[id] !== fingerprint) changes.push({ id, kind: 'UPDATED', fingerprint });
      }
      for (const id of Object.keys(previous)) if (!Object.hasOwn(next, id)) changes.push({ id, kind: 'DELETED', fingerprint: null });
      return changes;
    },
    apply: (state, changes) => {
      const next: Record<string, string> = { ...state };
      for (const change of changes) {
        if (change.fingerprint === null) delete next[change.id];
        else next[change.id] = change.fingerprint;
      }
      return next;
    },
    subjectOf: (change) => change.id,
    parseState: (raw) => {
      if (!isRecord(raw)) return undefined;
      return Object.values(raw).every((fingerprint) => typeof fingerprint === 'string') ? (raw as DocumentState) : undefined;
    },
    parseChange: (raw) => {
      if (!isRecord(raw)) return undefined;
      const { id, kind, fingerprint } = raw;
      if (typeof id !== 'string' || typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
      if ((kind === 'DELETED') !== (fingerprint === null) || (fingerprint !== null && typeof fingerprint !== 'string')) return undefined;
      return { id, kind: kind as DocumentChangeKind, fingerprint };
    },
    // Kazoo's events name the document, never its body: read the listing again (created and deleted ones show in
    // it), and report an edit even when the listed fields did not change.
    react: (_state, signal) =>
      signal.kind === 'document' && signal.notice.type === documentType
        ? { kind: 'read', updated: signal.notice.action === 'edited' ? [signal.notice.id] : [] }
        : { kind: 'ignore' },
    expire: () => [],
    touched: (state, id) => {
      const fingerprint = state[id];
      return fingerprint === undefined ? undefined : { id, kind: 'UPDATED', fingerprint };
    },
  };
}

export const devicesTopic = documentsTopic('devices', 'device', devices.listAllSummaries);
export const usersTopic = documentsTopic('users', 'user', users.listAllSummaries);
