// Where a Kazoo validation error's field lands in the input the client sent (kazoo-mapping.ts inputLocationOf), on
// the real schema: every keyed-list shape is named by the entry's position in the client's list, down to its fields.
import { isInputObjectType } from 'graphql';
import type { GraphQLInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { inputLocationOf } from './kazoo-mapping.js';
import { provisionKeysShape } from './kazoo-shapes.js';
import { buildGatewaySchema } from './schema.js';

const schema = buildGatewaySchema();
const conversion = { schema, listShapes: { ProvisionKeyInput: provisionKeysShape } };
const USER_ID = '0123456789abcdef0123456789abcdef';

function deviceInput(): GraphQLInputObjectType {
  const type = schema.getType('DeviceInput');
  if (!isInputObjectType(type)) throw new Error('no DeviceInput');
  return type;
}

/** Input values as graphql-js coerces them: enum values are already Kazoo's (`deny`, `parking`). */
const INPUT = {
  name: 'Desk',
  sip: {
    username: 'desk01',
    customSipHeaders: { in: [{ name: 'X-Site', value: 'HQ' }], both: [{ name: 'X-Other', value: '1' }, { name: 'X-Tenant', value: 'demo' }] },
  },
  callRestriction: [
    { classifier: 'emergency', action: 'inherit' },
    { classifier: 'international', action: 'deny' },
  ],
  media: { audio: { codecs: ['PCMU', 'PCMA'] } },
  dialPlan: { system: ['us'], rules: [{ regex: '^1.(\\d+)$', prefix: '+1' }] },
  formatters: [{ field: 'from', rules: [{ regex: 'a' }, { regex: '(' }] }],
  hotdesk: { users: [{ userId: USER_ID, settings: { require_pin: 'yes' } }] },
  metaflows: { numbers: { '1': { module: 'x' } } },
  provision: {
    comboKeys: [
      { index: 7, type: 'line', value: '1' },
      { index: 3, type: 'parking', value: '99', label: 'Park' },
    ],
  },
  extra: { mobile: { mdn: '' } },
};

const locate = (kazooField: string) => inputLocationOf(conversion, deviceInput(), INPUT, kazooField, 'input');
const exact = (...path: string[]) => ({ path, exact: true });

describe('a Kazoo field located in the input', () => {
  it.each([
    ['a plain field', 'sip.username', exact('input', 'sip', 'username')],
    ['a required field the client left out', 'sip.password', exact('input', 'sip', 'password')],
    ['a provisioner key by its index', 'provision.combo_keys.3', exact('input', 'provision', 'comboKeys', '1')],
    ["a labelled provisioner key's value", 'provision.combo_keys.3.value.value', exact('input', 'provision', 'comboKeys', '1', 'value')],
    ["a provisioner key's label", 'provision.combo_keys.3.value.label', exact('input', 'provision', 'comboKeys', '1', 'label')],
    ["a provisioner key's type", 'provision.combo_keys.7.type', exact('input', 'provision', 'comboKeys', '0', 'type')],
    ['a field of an entry keyed by an enum value', 'call_restriction.international.action', exact('input', 'callRestriction', '1', 'action')],
    ['an item of a list of values', 'media.audio.codecs.1', exact('input', 'media', 'audio', 'codecs', '1')],
    ['a header sent in a direction', 'sip.custom_sip_headers.in.X-Site', exact('input', 'sip', 'customSipHeaders', 'in', '0')],
    ['a header stored beside the directions', 'sip.custom_sip_headers.X-Tenant', exact('input', 'sip', 'customSipHeaders', 'both', '1')],
    ['a dial plan rule whose regex holds a dot (%2E)', 'dial_plan.^1%2E(\\d+)$.prefix', exact('input', 'dialPlan', 'rules', '0', 'prefix')],
    ['a dial plan field beside its rules', 'dial_plan.system.0', exact('input', 'dialPlan', 'system', '0')],
    ['a rule in a list under a keyed entry', 'formatters.from.1.regex', exact('input', 'formatters', '0', 'rules', '1', 'regex')],
    ['a key in the JSON settings of a keyed entry', `hotdesk.users.${USER_ID}.require_pin`, exact('input', 'hotdesk', 'users', '0', 'settings', 'require_pin')],
    ['a key inside a JSON field', 'metaflows.numbers.1.module', exact('input', 'metaflows', 'numbers', '1', 'module')],
    ['a key the client gave in extra', 'mobile.mdn', exact('input', 'extra', 'mobile', 'mdn')],
  ])('%s: %s', (_case, kazooField, location) => {
    expect(locate(kazooField)).toEqual(location);
  });

  it.each([
    ['a provisioner key the input does not hold (kept by a PATCH)', 'provision.combo_keys.5', ['input', 'provision', 'comboKeys']],
    ['an entry key the input does not hold', 'call_restriction.toll_us.action', ['input', 'callRestriction']],
    ['an unmodelled key the client did not give', 'sip.not_modelled', ['input', 'sip']],
    ['a key of nothing modelled', 'pvt_anything', ['input']],
  ])('%s is the nearest input around it, not exact: %s', (_case, kazooField, path) => {
    expect(locate(kazooField)).toEqual({ path, exact: false });
  });
});
