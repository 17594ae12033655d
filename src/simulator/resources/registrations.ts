// cb_registrations: GET|DELETE /registrations, GET /registrations/count, DELETE /registrations/{SIP_USERNAME}.
import { requireAccount, type CrossbarResource, type HttpVerb } from '../context.js';
import { humanError } from '../envelope.js';
import { getPath } from '../json.js';

export const registrationsResource: CrossbarResource = {
  allowedMethods(tokens): readonly HttpVerb[] {
    if (tokens.length === 0) return ['GET', 'DELETE'];
    if (tokens.length === 1) return tokens[0] === 'count' ? ['GET'] : ['DELETE'];
    return [];
  },
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const { registrar, store } = ctx.sim;
    const [token] = tokens;
    if (token === undefined) {
      if (ctx.verb === 'DELETE') {
        registrar.flushAccount(account.id);
        return { data: 'ok' };
      }
      const now = Date.now();
      return { data: registrar.active(account.id, now).map((registration) => registrar.toRow(registration, now)) };
    }
    if (token === 'count') return { data: { count: registrar.active(account.id).length } };
    // validate_sip_username/2: the username must belong to a live device of the account
    const known = store
      .docs(account.id, 'device')
      .some((doc) => String(getPath(doc, 'sip.username') ?? '').toLowerCase() === token.toLowerCase());
    if (!known) throw humanError(404, 'bad identifier', [token]);
    registrar.flushUsername(account.id, token);
    return { data: 'ok' };
  },
};
