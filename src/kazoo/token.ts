// What the gateway may know about a Kazoo token without asking Kazoo: whether it can be sent at all, a hash to key
// per-token state by (so no cache or map holds the token itself), and the claims a JWT carries, read unverified:
// Kazoo remains the judge of a token, these only say which account's budget a call is charged to and how long an
// answer about it can hold.
import { createHash } from 'node:crypto';
import { isKazooId } from './paths.js';

const MAX_TOKEN_LENGTH = 8_192;

/**
 * Whether `token` can be sent to Kazoo: 1 to 8192 visible ASCII characters (0x21–0x7E). Kazoo's tokens are JWTs or
 * hex; anything else (CR/LF, NUL, spaces, characters beyond ASCII) is refused before any call, so a client cannot
 * make the HTTP layer fail in ways that look like Kazoo failing.
 */
export function isSendableToken(token: unknown): token is string {
  if (typeof token !== 'string') return false;
  const facts = factsOf(token);
  facts.sendable ??= hasSendableForm(token);
  return facts.sendable;
}

function hasSendableForm(token: string): boolean {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/**
 * What was worked out about the token seen last. One request makes several Kazoo calls, and each asks about its token
 * (its form, its hash for the verdicts, its claims for expiry and account): answered once per token instead of once
 * per question. One slot: it holds the token in use, never a collection of tokens.
 */
interface TokenFacts {
  readonly token: string;
  sendable?: boolean;
  hash?: string;
  /** null: not a JWT, or claims that are not an object. */
  claims?: Record<string, unknown> | null;
}

let lastFacts: TokenFacts | undefined;

function factsOf(token: string): TokenFacts {
  if (lastFacts === undefined || lastFacts.token !== token) lastFacts = { token };
  return lastFacts;
}

/** SHA-256 of the token: the key of everything the client remembers about a token. */
export function tokenHash(token: string): string {
  const facts = factsOf(token);
  facts.hash ??= createHash('sha256').update(token).digest('base64url');
  return facts.hash;
}

/** Reads `exp` from a JWT without verifying it: the gateway only reports it, Kazoo remains the judge. */
export function jwtExpiry(token: string): Date | undefined {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
}

/** The `account_id` a JWT claims (unverified), when it is a Kazoo id. */
export function jwtAccountId(token: string): string | undefined {
  const accountId = jwtClaims(token)?.account_id;
  return isKazooId(accountId) ? accountId : undefined;
}

function jwtClaims(token: string): Record<string, unknown> | undefined {
  const facts = factsOf(token);
  if (facts.claims === undefined) facts.claims = decodeClaims(token) ?? null;
  return facts.claims ?? undefined;
}

function decodeClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
