// Maps /v2 path segments to the Crossbar module that owns them (api_util:parse_path_tokens/2, simplified).
import type { CrossbarResource } from './context.js';
import { accountsResource } from './resources/accounts.js';
import { apiAuthResource, tokenAuthResource, userAuthResource } from './resources/auth.js';
import { devicesResource, userDevicesResource } from './resources/devices.js';
import { presenceResource } from './resources/presence.js';
import { quickcallResource } from './resources/quickcall.js';
import { registrationsResource } from './resources/registrations.js';
import { usersResource } from './resources/users.js';

interface Route {
  resource: CrossbarResource;
  tokens: string[];
  /** The account id as written in the path (validated later). */
  accountId?: string;
}

function thingRoute(kind: 'devices' | 'users', rest: string[], accountId: string): Route {
  const [id, sub, ...more] = rest;
  if (id !== undefined && sub === 'quickcall' && more.length === 1) {
    return { resource: quickcallResource, tokens: [kind, id, ...more], accountId };
  }
  if (id !== undefined && sub === 'presence' && more.length === 0) {
    return { resource: presenceResource, tokens: [kind, id], accountId };
  }
  if (kind === 'users' && id !== undefined && sub === 'devices' && more.length === 0) {
    return { resource: userDevicesResource, tokens: [id], accountId };
  }
  return { resource: kind === 'devices' ? devicesResource : usersResource, tokens: rest, accountId };
}

export function resolveRoute(segments: readonly string[]): Route | undefined {
  const [noun, ...rest] = segments;
  switch (noun) {
    case 'user_auth':
      return { resource: userAuthResource, tokens: rest };
    case 'api_auth':
      return { resource: apiAuthResource, tokens: rest };
    case 'token_auth':
      return { resource: tokenAuthResource, tokens: rest };
    case 'accounts': {
      const [accountId, child, ...tail] = rest;
      if (accountId === undefined) return undefined;
      if (child === undefined || child === 'api_key') {
        return { resource: accountsResource, tokens: [accountId, ...(child ? [child, ...tail] : [])], accountId };
      }
      if (child === 'devices' || child === 'users') return thingRoute(child, tail, accountId);
      if (child === 'registrations') return { resource: registrationsResource, tokens: tail, accountId };
      return undefined;
    }
    default:
      return undefined;
  }
}
