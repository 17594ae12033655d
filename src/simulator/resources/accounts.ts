// cb_accounts (read-only part): GET /v2/accounts/{ACCOUNT_ID} and GET /v2/accounts/{ACCOUNT_ID}/api_key.
import { createHash } from 'node:crypto';
import { requireAccount, type CrossbarResource, type HttpVerb } from '../context.js';
import { md5Revision } from '../envelope.js';
import type { JsonObject } from '../json.js';
import type { AccountRecord } from '../store.js';

/** The (unreachable) master account every simulated account belongs to, reported as reseller_id. */
export const MASTER_ACCOUNT_ID = createHash('md5').update('kazoo-simulator-master').digest('hex');

/** The account document's public fields plus the private ones cb_accounts leaks (enabled, created ...). */
function accountPublicDoc(account: AccountRecord): JsonObject {
  return {
    billing_mode: 'normal',
    call_restriction: {},
    caller_id: {},
    created: account.created,
    enabled: true,
    id: account.id,
    is_reseller: false,
    language: account.language,
    music_on_hold: {},
    name: account.name,
    realm: account.realm,
    reseller_id: MASTER_ACCOUNT_ID,
    superduper_admin: false,
    timezone: account.timezone,
    wnm_allow_additions: false,
  };
}

export const accountsResource: CrossbarResource = {
  allowedMethods(tokens): readonly HttpVerb[] {
    if (tokens.length === 1) return ['GET'];
    if (tokens.length === 2 && tokens[1] === 'api_key') return ['GET'];
    return [];
  },
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    if (tokens[1] === 'api_key') {
      const data = { api_key: account.apiKey };
      return { data, revision: md5Revision(data) };
    }
    return { data: accountPublicDoc(account), revision: account.rev, etag: account.rev };
  },
};
