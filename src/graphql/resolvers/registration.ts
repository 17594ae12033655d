// Registration fields, from Kazoo's `/registrations` row when there is one (see loaders/registrations.ts).
import type { RegistrationIndex } from '../../loaders/index.js';
import { documentKey } from '../../loaders/index.js';
import { gregorianToDate } from '../../kazoo/types.js';
import type { RegistrationResolvers } from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { DeviceRef } from '../models.js';
import type { RegistrationModel } from '../models.js';

/** `readAt`: when the index was read from Kazoo; resolvers run moments after the read, within the same request. */
export function registrationModel(
  accountId: string,
  deviceId: string,
  registered: boolean,
  details: RegistrationModel['details'],
  readAt: number,
): RegistrationModel {
  return { kind: 'registration', accountId, deviceId, registered, details: registered ? details : undefined, readAt };
}

export function registrationOf(accountId: string, deviceId: string, index: RegistrationIndex, readAt = Date.now()): RegistrationModel {
  const registered = index.get(deviceId);
  return registrationModel(accountId, deviceId, registered !== undefined, registered?.details, readAt);
}

/** Kazoo writes the fields its registrar did not have as the text `undefined` (`"network_ip": "undefined"`). */
function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value !== 'undefined' ? value : null;
}

function integer(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? Math.round(number) : null;
}

/**
 * Kazoo's `expires` is the seconds the registration had left when Kazoo answered, in whole seconds: the instant is
 * the reading time plus those, to the second.
 */
export function expiryOf(expires: unknown, readAt: number): Date | null {
  const seconds = integer(expires);
  return seconds === null ? null : new Date(Math.floor(readAt / 1000 + seconds) * 1000);
}

export const Registration: RegistrationResolvers = {
  id: (registration) => globalId('Registration', registration.accountId, registration.deviceId),
  device: async (registration, _args, context) => {
    const summary = await context.loaders.deviceSummary.load(documentKey(registration.accountId, registration.deviceId));
    return summary === null ? null : DeviceRef.fromSummary(registration.accountId, summary);
  },
  userAgent: (registration) => text(registration.details?.user_agent),
  contact: (registration) => text(registration.details?.contact),
  contactIp: (registration) => text(registration.details?.contact_ip),
  contactPort: (registration) => integer(registration.details?.contact_port),
  sourceIp: (registration) => text(registration.details?.source_ip) ?? text(registration.details?.network_ip),
  expiresAt: (registration) => expiryOf(registration.details?.expires, registration.readAt),
  registeredAt: (registration) => gregorianToDate(registration.details?.event_timestamp) ?? null,
  username: (registration) => text(registration.details?.username),
  realm: (registration) => text(registration.details?.realm),
};
