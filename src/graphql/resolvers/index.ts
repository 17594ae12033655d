// All explicit resolvers. Fields not listed here read Kazoo keys through kazoo-mapping.ts; scalars are in scalars.ts.
import type { Resolvers } from '../generated/resolvers-types.js';
import { Account } from './account.js';
import { Device } from './device.js';
import { Mutation } from './mutation.js';
import { Node } from './node.js';
import { Query } from './query.js';
import { Registration } from './registration.js';
import { bypassMediaValues, settingsResolvers } from './settings.js';
import { DeviceChangeEvent, RegistrationEvent, Subscription, UserChangeEvent } from './subscription.js';
import { User } from './user.js';
import { Viewer } from './viewer.js';

/** Enum values that are not strings, which the generated Resolvers type cannot describe. */
export const enumValues = { BypassMedia: bypassMediaValues };

export const resolvers: Resolvers = {
  Query,
  Mutation,
  Node,
  Account,
  Subscription,
  Device,
  User,
  Registration,
  RegistrationEvent,
  DeviceChangeEvent,
  UserChangeEvent,
  Viewer,
  ...settingsResolvers,
};
