// Resolvers of the nested Kazoo settings types whose shape needs more than the generic key mapping.
import { isRecord } from '../../kazoo/client.js';
import { isKazooId } from '../../kazoo/paths.js';
import { documentKey } from '../../loaders/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import {
  bypassMediaFromKazoo,
  dialPlanRulesFromKazoo,
  formatterRulesFromKazoo,
  provisionKeysFromKazoo,
  undirectedSipHeadersFromKazoo,
} from '../kazoo-shapes.js';
import { UserRef } from '../models.js';

/** Set by Device.hotdesk so hotdesked users can be looked up in the device's account. */
export const HOTDESK_ACCOUNT = 'gateway_account_id';

/** Internal values of the BypassMedia enum: Kazoo's booleans and "auto", for output and input alike. */
export const bypassMediaValues = { OFF: false, ON: true, AUTO: 'auto' } as const;

export const settingsResolvers: Resolvers = {
  Media: {
    // The enum's internal values are Kazoo's (bypassMediaValues); codegen types enum results by name.
    bypassMedia: (media) => bypassMediaFromKazoo(media.bypass_media) as never,
  },
  DialPlan: {
    rules: (dialPlan) => dialPlanRulesFromKazoo(dialPlan),
  },
  CustomSipHeaders: {
    both: (headers) => undirectedSipHeadersFromKazoo(headers),
  },
  Provision: {
    comboKeys: (provision) => provisionKeysFromKazoo(provision.combo_keys),
    featureKeys: (provision) => provisionKeysFromKazoo(provision.feature_keys),
  },
  Formatter: {
    rules: (formatter) => formatterRulesFromKazoo(formatter.rules),
  },
  DeviceHotdesk: {
    users: (hotdesk) => {
      const users = hotdesk.users;
      if (!isRecord(users)) return [];
      return Object.entries(users).map(([userId, settings]) => ({
        user_id: userId,
        settings,
        [HOTDESK_ACCOUNT]: hotdesk[HOTDESK_ACCOUNT],
      }));
    },
  },
  HotdeskedUser: {
    user: async (entry, _args, context) => {
      const accountId = entry[HOTDESK_ACCOUNT];
      const userId = entry.user_id;
      if (!isKazooId(accountId) || !isKazooId(userId)) return null;
      const summary = await context.loaders.userSummary.load(documentKey(accountId, userId));
      return summary === null ? null : UserRef.fromSummary(accountId, summary);
    },
  },
};
