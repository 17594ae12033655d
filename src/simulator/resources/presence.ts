// cb_presence for things: POST /devices/{id}/presence and POST /users/{id}/presence (reset | set a state).
import { loadDoc } from './common.js';
import { recordNotification, requireAccount, type CrossbarResource, type RequestContext } from '../context.js';
import { validationError } from '../envelope.js';
import { getPath, isJsonObject } from '../json.js';
import type { StoredDoc } from '../store.js';

const PRESENCE_STATES = ['confirmed', 'early', 'terminated'];

function presenceIdOf(doc: StoredDoc): string | undefined {
  if (typeof doc.presence_id === 'string') return doc.presence_id;
  const username = doc.pvt_type === 'device' ? getPath(doc, 'sip.username') : undefined;
  return typeof username === 'string' ? username : undefined;
}

function requestedAction(ctx: RequestContext): { action: string; state?: string } {
  const data = isJsonObject(ctx.reqData) ? ctx.reqData : {};
  const action = data.action ?? (data.reset === true ? 'reset' : undefined);
  if (action === 'reset') return { action };
  if (action === 'set') {
    const state = data.state;
    if (typeof state === 'string' && PRESENCE_STATES.includes(state)) return { action, state };
    throw validationError({ state: { invalid: { message: 'Field must be set to a valid state', target: 'invalid' } } });
  }
  throw validationError({ action: { invalid: { message: 'Field must be set to a valid action', target: 'invalid' } } });
}

export const presenceResource: CrossbarResource = {
  allowedMethods: (tokens) => (tokens.length === 2 ? ['POST'] : []),
  execute(ctx, tokens) {
    const account = requireAccount(ctx);
    const [kind, id = ''] = tokens;
    const thing = loadDoc(ctx, account, kind === 'users' ? 'user' : 'device', id);
    const { action, state } = requestedAction(ctx);
    // a user without a presence_id stands for the devices it owns
    const targets =
      thing.pvt_type === 'user' && typeof thing.presence_id !== 'string'
        ? ctx.sim.store.docs(account.id, 'device').filter((doc) => doc.owner_id === thing._id)
        : [thing];
    if (targets.length === 0) return { data: 'nothing to send command to' };
    for (const target of targets) {
      recordNotification(ctx, target._id, 'presence', {
        action,
        ...(state !== undefined ? { state } : {}),
        presence_id: presenceIdOf(target) ?? null,
        realm: account.realm,
        ...(target !== thing ? { userId: thing._id } : {}),
      });
    }
    return { data: 'command sent' };
  },
};
