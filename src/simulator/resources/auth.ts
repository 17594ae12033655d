// cb_user_auth, cb_api_auth and cb_token_auth: minting and inspecting tokens.
import { MASTER_ACCOUNT_ID } from './accounts.js';
import { requestObject, type CrossbarResource, type HttpVerb, type RequestContext } from '../context.js';
import { systemError, validationError } from '../envelope.js';
import type { JsonObject } from '../json.js';
import type { AccountRecord } from '../store.js';
import { validateAgainstSchema } from '../validation/index.js';

/** crossbar_util:populate_resp/3: what every auth answer adds about the account. */
function authResponseExtras(account: AccountRecord): JsonObject {
  return {
    account_name: account.name,
    apps: [],
    is_reseller: false,
    language: account.language,
    reseller_id: MASTER_ACCOUNT_ID,
  };
}

/** The auth endpoints spend a rate-limit token per attempt (cb_user_auth/cb_api_auth consume_tokens/1). */
function consumeAuthToken(ctx: RequestContext): void {
  if (!ctx.sim.rateLimiter.consume(ctx.clientAddress, undefined, 1)) throw systemError('too_many_requests');
}

function validatedRequest(ctx: RequestContext, schema: 'user_auth' | 'api_auth'): JsonObject {
  const result = validateAgainstSchema(schema, requestObject(ctx) ?? ctx.reqData);
  if (!result.valid) throw validationError(result.errors);
  return result.value as JsonObject;
}

function findAccount(ctx: RequestContext, request: JsonObject): AccountRecord | undefined {
  const { store } = ctx.sim;
  if (typeof request.account_name === 'string') return store.accountByName(request.account_name);
  const realm = request.account_realm ?? request.realm;
  if (typeof realm === 'string') return store.accountByRealm(realm);
  return undefined; // phone_number lookups are not modelled: no number is assigned to any account
}

const putOnly = (tokens: readonly string[]): readonly HttpVerb[] => (tokens.length === 0 ? ['PUT'] : []);

export const userAuthResource: CrossbarResource = {
  allowedMethods: putOnly,
  allowsAnonymous: () => true,
  execute(ctx) {
    consumeAuthToken(ctx);
    const request = validatedRequest(ctx, 'user_auth');
    const account = findAccount(ctx, request);
    const credentials = String(request.credentials).toLowerCase();
    const hashKey = request.method === 'sha' ? 'pvt_sha1_auth' : 'pvt_md5_auth';
    // users/creds_by_md5 only indexes enabled, live users
    const user = account
      ? ctx.sim.store.docs(account.id, 'user').find((doc) => doc.enabled !== false && doc[hashKey] === credentials)
      : undefined;
    if (!account || !user) throw systemError('invalid_credentials');
    const token = ctx.sim.tokens.issue({ accountId: account.id, ownerId: user._id, method: 'cb_user_auth' }, ctx.sim.tokenTtlSeconds);
    return {
      status: 201,
      authToken: token,
      data: { account_id: account.id, owner_id: user._id, ...authResponseExtras(account) },
    };
  },
};

export const apiAuthResource: CrossbarResource = {
  allowedMethods: putOnly,
  allowsAnonymous: () => true,
  execute(ctx) {
    consumeAuthToken(ctx);
    const request = validatedRequest(ctx, 'api_auth');
    const account = ctx.sim.store.accountByApiKey(String(request.api_key));
    if (!account) throw systemError('invalid_credentials');
    const token = ctx.sim.tokens.issue({ accountId: account.id, method: 'cb_api_auth' }, ctx.sim.tokenTtlSeconds);
    return { status: 201, authToken: token, data: { account_id: account.id, ...authResponseExtras(account) } };
  },
};

export const tokenAuthResource: CrossbarResource = {
  allowedMethods: (tokens) => (tokens.length === 0 ? ['GET', 'DELETE'] : []),
  execute(ctx) {
    const claims = ctx.auth;
    if (!claims) throw systemError('invalid_credentials');
    if (ctx.verb === 'DELETE') {
      // the token is a JWT with no database document to delete: Crossbar answers success and it stays valid
      return { data: {} };
    }
    const account = ctx.sim.store.account(claims.account_id);
    return {
      data: { ...claims, ...(account ? authResponseExtras(account) : {}) } as unknown as JsonObject,
    };
  },
};
