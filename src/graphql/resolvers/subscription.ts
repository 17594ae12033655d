// Subscription fields and their event types. Arguments are checked before anything else, as in queries; then the
// subscriber's own token must be able to read the account (FORBIDDEN otherwise) before it joins the account's shared
// watch. Events reuse the Registration, Device and User models of queries, read with the subscriber's own token.
import * as accounts from '../../kazoo/accounts.js';
import { KazooError } from '../../kazoo/errors.js';
import { documentKey, loadOwners } from '../../loaders/index.js';
import { isDocumentEvent } from '../../subscriptions/document-event.js';
import type { DocumentEventModel } from '../../subscriptions/document-event.js';
import type { SubscriberRequest } from '../../subscriptions/live-data.js';
import type { EventBatch } from '../../subscriptions/live-event.js';
import { isRegistrationEvent } from '../../subscriptions/registration-event.js';
import type { RegistrationEventModel } from '../../subscriptions/registration-event.js';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type {
  DeviceChangeEventResolvers,
  RegistrationEventResolvers,
  SubscriptionResolvers,
  UserChangeEventResolvers,
} from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { DeviceRef, UserRef } from '../models.js';
import { accountOf, documentOf } from '../scope.js';
import { selectedFields } from '../selection.js';
import { subscriptionContextOf } from '../subscription-context.js';
import type { SubscriptionContext } from '../subscription-context.js';
import { registrationModel } from './registration.js';

/** The close code of a connection dropped for falling behind (a 4xxx code: graphql-ws clients retry those). */
const SUBSCRIBER_OVERFLOW_CLOSE_CODE = 4413;

/** The Kazoo ids of the documents named (by `id` or Kazoo id), all of `accountId`. */
async function checkIds(
  context: GatewayContext,
  type: 'Device' | 'User',
  argument: string,
  accountId: string,
  ids: readonly string[],
): Promise<ReadonlySet<string>> {
  if (ids.length === 0) {
    throw new KazooError('INVALID_ARGUMENT', `${argument} must name at least one ${type.toLowerCase()}; leave it out to watch them all`, {
      fieldErrors: [{ field: argument, rule: 'minItems', message: 'must not be empty' }],
    });
  }
  const documents = await Promise.all(ids.map((id, position) => documentOf(context, type, id, accountId, `${argument}[${position}]`)));
  return new Set(documents.map((document) => document.kazooId));
}

/**
 * What every subscription field does first: the account, the subjects asked for, the connection still valid, and the
 * subscriber's own token allowed to read the account; then the request to join the account's live stream with.
 */
async function subscriberRequest(
  context: GatewayContext,
  args: { accountId?: string | null; initial?: boolean | null },
  subjects: { type: 'Device' | 'User'; argument: string; ids: readonly string[] | null | undefined },
): Promise<{ live: SubscriptionContext; request: SubscriberRequest }> {
  const accountId = await accountOf(context, args.accountId);
  const subjectIds = subjects.ids == null ? undefined : await checkIds(context, subjects.type, subjects.argument, accountId, subjects.ids);
  const live = subscriptionContextOf(context);
  if (live === undefined) throw overHttp();
  const { expiresAt } = live.connection;
  if (expiresAt !== undefined && expiresAt.getTime() <= Date.now()) {
    throw new KazooError('UNAUTHENTICATED', 'The Kazoo token of this connection has expired: reconnect with a fresh token');
  }
  // Reading the account with the subscriber's own token: Kazoo answers 403 when the token may not see it.
  await accounts.get(context.session, accountId);
  return {
    live,
    request: {
      accountId,
      subjectIds,
      initial: args.initial === true,
      session: context.session,
      expiresAt,
      onOverflow: (reason) => live.connection.close(SUBSCRIBER_OVERFLOW_CLOSE_CODE, reason),
    },
  };
}

/** The event itself; over HTTP, graphql-js executes a subscription like a query, with no event. */
function eventOf<Event>(is: (value: unknown) => value is Event): (event: unknown) => Event {
  return (event) => {
    if (!is(event)) throw overHttp();
    return event;
  };
}

// Errors get their codes from kazoo-mapping.ts, which wraps subscribe functions like resolvers.
export const Subscription: SubscriptionResolvers = {
  registrationChanged: {
    subscribe: async (_root, args, context) => {
      const { live, request } = await subscriberRequest(context, args, { type: 'Device', argument: 'deviceIds', ids: args.deviceIds });
      return live.live.registrations(request);
    },
    resolve: eventOf(isRegistrationEvent),
  },
  deviceChanged: {
    subscribe: async (_root, args, context) => {
      const { live, request } = await subscriberRequest(context, args, { type: 'Device', argument: 'ids', ids: args.ids });
      return live.live.devices(request);
    },
    resolve: eventOf(isDocumentEvent),
  },
  userChanged: {
    subscribe: async (_root, args, context) => {
      const { live, request } = await subscriberRequest(context, args, { type: 'User', argument: 'ids', ids: args.ids });
      return live.live.users(request);
    },
    resolve: eventOf(isDocumentEvent),
  },
};

function overHttp(): Error {
  return gatewayError(
    'BAD_USER_INPUT',
    'Subscriptions are served over WebSocket (graphql-ws, graphql-transport-ws) at /graphql, ' +
      'and over Server-Sent Events (graphql-sse) at /graphql/stream',
  );
}

/** The batch whose devices a loader was already asked for, so the batch is requested once, not once per event. */
const requestedBatch = new WeakMap<object, EventBatch>();

export const RegistrationEvent: RegistrationEventResolvers = {
  // Never null: an unregistered device's registration says so, and a cache replaces the registered one it held.
  registration: (event) =>
    registrationModel(event.accountId, event.deviceId, event.registered, event.details ?? undefined, Date.parse(event.at)),
  device: async (event, _args, context, info) => {
    const loader = context.loaders.deviceSummary;
    if (requestedBatch.get(loader) !== event.batch) {
      // The whole batch in one go: from three devices on, one listing answers every event of the batch. Events run
      // one after another, so the owners the batch's devices will ask for are requested together here too.
      requestedBatch.set(loader, event.batch);
      const summaries = loader.loadMany(event.batch.subjectIds.map((deviceId) => documentKey(event.accountId, deviceId)));
      if (selectedFields(info).has('owner')) {
        void summaries.then((found) =>
          loadOwners(context.loaders, event.accountId, found.map((summary) => (summary instanceof Error ? undefined : summary?.owner_id))),
        );
      }
    }
    const summary = await loader.load(documentKey(event.accountId, event.deviceId));
    return summary === null ? null : DeviceRef.fromSummary(event.accountId, summary);
  },
};

/** The document of a change event as the subscriber's token reads it now, or null (deleted, or not readable). */
async function documentNow<Ref>(
  event: DocumentEventModel,
  load: () => Promise<Ref | null>,
): Promise<Ref | null> {
  if (event.kind === 'DELETED') return null;
  try {
    return await load();
  } catch (error) {
    if (error instanceof KazooError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) return null;
    throw error;
  }
}

/** A batch's listing rows by id (an initial state of a thousand devices must not search its listing per event). */
const rowsByBatch = new WeakMap<EventBatch, ReadonlyMap<string, { id: string }>>();

function listedRow<Row extends { id: string }>(batch: EventBatch, rows: readonly Row[] | undefined, id: string): Row | undefined {
  if (rows === undefined) return undefined;
  let byId = rowsByBatch.get(batch);
  if (byId === undefined) {
    byId = new Map(rows.map((row) => [row.id, row]));
    rowsByBatch.set(batch, byId);
  }
  return byId.get(id) as Row | undefined;
}

export const DeviceChangeEvent: DeviceChangeEventResolvers = {
  kazooId: (event) => event.id,
  deviceId: (event) => globalId('Device', event.accountId, event.id),
  device: (event, _args, context) =>
    documentNow(event, async () => {
      // An initial state starts from the subscriber's own listing of the account; a change reads the document fresh.
      const summary = listedRow(event.batch, event.batch.deviceSummaries, event.id);
      if (summary !== undefined) return DeviceRef.fromSummary(event.accountId, summary);
      const doc = await context.loaders.device.load(documentKey(event.accountId, event.id));
      return doc === null ? null : DeviceRef.fromDocument(event.accountId, doc);
    }),
};

export const UserChangeEvent: UserChangeEventResolvers = {
  kazooId: (event) => event.id,
  userId: (event) => globalId('User', event.accountId, event.id),
  user: (event, _args, context) =>
    documentNow(event, async () => {
      const summary = listedRow(event.batch, event.batch.userSummaries, event.id);
      if (summary !== undefined) return UserRef.fromSummary(event.accountId, summary);
      const doc = await context.loaders.user.load(documentKey(event.accountId, event.id));
      return doc === null ? null : UserRef.fromDocument(event.accountId, doc);
    }),
};
