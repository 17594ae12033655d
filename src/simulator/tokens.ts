// Auth tokens: HS256-signed JWTs carrying Kazoo's claims (crossbar_auth.erl create_auth_token/3).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { unixSeconds } from './clock.js';
import { isJsonObject, type JsonObject } from './json.js';

export interface TokenClaims {
  account_id: string;
  owner_id?: string;
  method: string;
  exp: number;
  iat: number;
  iss: string;
}

type TokenCheck =
  | { kind: 'valid'; claims: TokenClaims }
  | { kind: 'expired' }
  | { kind: 'bad_signature' }
  /** Not a JWT at all: Crossbar then looks for a legacy token document and finds none. */
  | { kind: 'not_jwt' };

function encodeSegment(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export class TokenService {
  private readonly secret = randomBytes(32);

  issue(claims: { accountId: string; ownerId?: string; method: string }, ttlSeconds: number): string {
    const now = unixSeconds();
    const payload: JsonObject = {
      account_id: claims.accountId,
      ...(claims.ownerId !== undefined ? { owner_id: claims.ownerId } : {}),
      method: claims.method,
      exp: now + Math.floor(ttlSeconds),
      iat: now,
      iss: 'kazoo',
    };
    const unsigned = `${encodeSegment({ alg: 'HS256', typ: 'JWT' })}.${encodeSegment(payload)}`;
    return `${unsigned}.${this.sign(unsigned)}`;
  }

  check(token: string): TokenCheck {
    const parts = token.split('.');
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
      return { kind: 'not_jwt' };
    }
    const decodedHeader = decodeSegment(header);
    if (!isJsonObject(decodedHeader)) return { kind: 'not_jwt' };
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (decodedHeader.alg !== 'HS256' || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { kind: 'bad_signature' };
    }
    const claims = decodeSegment(payload);
    if (!isJsonObject(claims) || typeof claims.account_id !== 'string' || typeof claims.exp !== 'number') {
      return { kind: 'bad_signature' };
    }
    if (claims.exp <= unixSeconds()) return { kind: 'expired' };
    return {
      kind: 'valid',
      claims: {
        account_id: claims.account_id,
        ...(typeof claims.owner_id === 'string' ? { owner_id: claims.owner_id } : {}),
        method: typeof claims.method === 'string' ? claims.method : 'cb_user_auth',
        exp: claims.exp,
        iat: typeof claims.iat === 'number' ? claims.iat : claims.exp,
        iss: typeof claims.iss === 'string' ? claims.iss : 'kazoo',
      },
    };
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.secret).update(unsigned).digest('base64url');
  }
}
