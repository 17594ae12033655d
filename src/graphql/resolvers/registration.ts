// Registration fields, from Kazoo's `/registrations` row when there is one (see loaders/registrations.ts).
import type { RegistrationIndex } from '../../loaders/index.js';
import { documentKey } from '../../loaders/index.js';
import { gregorianToDate } from '../../kazoo/types.js';
import type { RegistrationResolvers } from '../generated/resolvers-types.js';
import { DeviceRef } from '../models.js';
import type { RegistrationModel } from '../models.js';

export function registrationOf(accountId: string, deviceId: string, index: RegistrationIndex): RegistrationModel {
  const registered = index.get(deviceId);
  return { accountId, deviceId, registered: registered !== undefined, details: registered?.details };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function integer(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? Math.round(number) : null;
}

export const Registration: RegistrationResolvers = {
  device: async (registration, _args, context) => {
    const summary = await context.loaders.deviceSummary.load(documentKey(registration.accountId, registration.deviceId));
    return summary === null ? null : DeviceRef.fromSummary(registration.accountId, summary);
  },
  userAgent: (registration) => text(registration.details?.user_agent),
  contact: (registration) => text(registration.details?.contact),
  contactIp: (registration) => text(registration.details?.contact_ip),
  contactPort: (registration) => integer(registration.details?.contact_port),
  sourceIp: (registration) => text(registration.details?.source_ip) ?? text(registration.details?.network_ip),
  expiresInSeconds: (registration) => integer(registration.details?.expires),
  registeredAt: (registration) => gregorianToDate(registration.details?.event_timestamp) ?? null,
  username: (registration) => text(registration.details?.username),
  realm: (registration) => text(registration.details?.realm),
};
