// Subscription.registrationChanged and its RegistrationEvent. Arguments are checked before anything else, as in
// queries; then the subscriber's own token must be able to read the account (FORBIDDEN otherwise) before it joins the
// account's shared watcher. Events reuse the Registration and Device models of queries.
import * as accounts from '../../kazoo/accounts.js';
import { KazooError } from '../../kazoo/errors.js';
import { documentKey, loadOwners } from '../../loaders/index.js';
import { isRegistrationEvent } from '../../subscriptions/registration-event.js';
import type { EventBatch, RegistrationEventModel } from '../../subscriptions/registration-event.js';
import { subscriptionContextOf } from '../subscription-context.js';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type { RegistrationEventResolvers, SubscriptionResolvers } from '../generated/resolvers-types.js';
import { DeviceRef } from '../models.js';
import { accountOf, documentOf } from '../scope.js';
import { registrationModel } from './registration.js';
import { selectedFields } from '../selection.js';

/** The close code of a connection dropped for falling behind (a 4xxx code: graphql-ws clients retry those). */
const SUBSCRIBER_OVERFLOW_CLOSE_CODE = 4413;

/** The Kazoo ids of the devices named (by `id` or Kazoo id), all of `accountId`. */
async function checkDeviceIds(context: GatewayContext, accountId: string, deviceIds: readonly string[]): Promise<ReadonlySet<string>> {
  if (deviceIds.length === 0) {
    throw new KazooError('INVALID_ARGUMENT', 'deviceIds must name at least one device; leave it out to watch every device', {
      fieldErrors: [{ field: 'deviceIds', rule: 'minItems', message: 'must not be empty' }],
    });
  }
  const devices = await Promise.all(
    deviceIds.map((deviceId, position) => documentOf(context, 'Device', deviceId, accountId, `deviceIds[${position}]`)),
  );
  return new Set(devices.map((device) => device.kazooId));
}

export const Subscription: SubscriptionResolvers = {
  registrationChanged: {
    // Errors get their codes from kazoo-mapping.ts, which wraps subscribe functions like resolvers.
    subscribe: async (_root, args, context) => {
      const accountId = await accountOf(context, args.accountId);
      const deviceIds = args.deviceIds == null ? undefined : await checkDeviceIds(context, accountId, args.deviceIds);
      const live = subscriptionContextOf(context);
      if (live === undefined) throw overHttp();
      const { expiresAt } = live.connection;
      if (expiresAt !== undefined && expiresAt.getTime() <= Date.now()) {
        throw new KazooError('UNAUTHENTICATED', 'The Kazoo token of this connection has expired: reconnect with a fresh token');
      }
      // Reading the account with the subscriber's own token: Kazoo answers 403 when the token may not see it.
      await accounts.get(context.session, accountId);
      return live.registrations.subscribe({
        accountId,
        deviceIds,
        initial: args.initial === true,
        session: context.session,
        expiresAt,
        onOverflow: (reason) => live.connection.close(SUBSCRIBER_OVERFLOW_CLOSE_CODE, reason),
      });
    },
    resolve: (event: unknown): RegistrationEventModel => {
      // Over HTTP, graphql-js executes a subscription like a query, with no event.
      if (!isRegistrationEvent(event)) throw overHttp();
      return event;
    },
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
      const summaries = loader.loadMany(event.batch.deviceIds.map((deviceId) => documentKey(event.accountId, deviceId)));
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
