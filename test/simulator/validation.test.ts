// What a Crossbar client sees from the simulator's schema validation: Kazoo 4.3's rule names and
// messages, dotted field paths, non-strict type fixing and schema defaults (kazoo-crossbar.md §1.3,
// §4.2-4.3, §5).
import { describe, expect, it } from 'vitest';
import { mergeValidationErrors, validateAgainstSchema, type ValidationErrors } from '../../src/simulator/validation/index.js';

function errorsOf(schema: Parameters<typeof validateAgainstSchema>[0], doc: unknown): ValidationErrors {
  const result = validateAgainstSchema(schema, doc);
  if (result.valid) throw new Error(`expected ${JSON.stringify(doc)} to be rejected`);
  return result.errors;
}

function valueOf(schema: Parameters<typeof validateAgainstSchema>[0], doc: unknown): Record<string, unknown> {
  const result = validateAgainstSchema(schema, doc);
  if (!result.valid) throw new Error(`expected acceptance, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

const BARE_DEVICE_DEFAULTS = {
  call_restriction: {},
  contact_list: {},
  enabled: true,
  exclude_from_queues: false,
  music_on_hold: {},
  mwi_unsolicited_updates: true,
  register_overwrite_notify: false,
  ringtones: {},
  sip: { expire_seconds: 300, invite_format: 'contact', method: 'password' },
  suppress_unregister_notifications: false,
};

describe('device validation errors', () => {
  it('reports a missing name as required, with the missing name as value', () => {
    expect(errorsOf('devices', {})).toEqual({
      name: { required: { message: 'Field is required but missing', value: 'name' } },
    });
  });

  it('bounds name to 1..128 characters', () => {
    expect(errorsOf('devices', { name: '' })).toEqual({
      name: { minLength: { message: 'String must be at least 1 characters', target: 1, cause: '', value: '' } },
    });
    expect(valueOf('devices', { name: 'x'.repeat(128) }).name).toBe('x'.repeat(128));
    expect(Object.keys(errorsOf('devices', { name: 'x'.repeat(129) }).name ?? {})).toEqual(['maxLength']);
  });

  it('bounds sip.username to 2..32 characters with target, cause and value', () => {
    expect(errorsOf('devices', { name: 'd', sip: { username: 'a' } })).toEqual({
      'sip.username': { minLength: { message: 'String must be at least 2 characters', target: 2, cause: 'a', value: 'a' } },
    });
    const long = 'u'.repeat(33);
    expect(errorsOf('devices', { name: 'd', sip: { username: long } })).toEqual({
      'sip.username': { maxLength: { message: 'String must not be more than 32 characters', target: 32, cause: long, value: long } },
    });
    expect(validateAgainstSchema('devices', { name: 'd', sip: { username: 'ab', password: 'x'.repeat(32) } }).valid).toBe(true);
  });

  it('counts characters, not UTF-16 units, for lengths', () => {
    const emoji = '😀'.repeat(32);
    expect(valueOf('devices', { name: 'd', sip: { username: emoji } })).toMatchObject({ sip: { username: emoji } });
  });

  it('names the rule from the UTF-8 size like Kazoo: a too-short non-ASCII username is reported as too long', () => {
    expect(errorsOf('devices', { name: 'd', sip: { username: 'é' } })).toEqual({
      'sip.username': { maxLength: { message: 'String must not be more than 32 characters', target: 32, cause: 'é', value: 'é' } },
    });
  });

  it('rejects values outside an enum with the allowed list as target', () => {
    expect(errorsOf('devices', { name: 'd', sip: { method: 'digest', invite_format: 'sip' } })).toEqual({
      'sip.invite_format': {
        enum: {
          message: 'Value not found in enumerated list of values',
          target: ['username', 'npan', '1npan', 'e164', 'route', 'contact'],
          value: 'sip',
        },
      },
      'sip.method': { enum: { message: 'Value not found in enumerated list of values', target: ['password', 'ip'], value: 'digest' } },
    });
  });

  it('keys nested errors by dotted path, array index and %2E-escaped key dots', () => {
    expect(
      errorsOf('devices', {
        name: 'd',
        caller_id: { external: { name: 'n'.repeat(36) } },
        flags: ['ok', 7],
        call_restriction: { 'tollfree.us': { action: 'allow' } },
        owner_id: 'short',
      }),
    ).toEqual({
      'caller_id.external.name': {
        maxLength: { message: 'String must not be more than 35 characters', target: 35, cause: 'n'.repeat(36), value: 'n'.repeat(36) },
      },
      'flags.1': { type: { message: 'Value did not match type(s): string', target: 'string', value: 7 } },
      'call_restriction.tollfree%2Eus.action': {
        enum: { message: 'Value not found in enumerated list of values', target: ['inherit', 'deny'], value: 'allow' },
      },
      owner_id: { minLength: { message: 'String must be at least 32 characters', target: 32, cause: 'short', value: 'short' } },
    });
  });

  it('reports minimum and maximum with Kazoo texts', () => {
    const errors = errorsOf('devices', {
      name: 'd',
      call_recording: { any: { onnet: { time_limit: 4 } }, inbound: { offnet: { time_limit: 10801 } } },
    });
    expect(errors).toEqual({
      'call_recording.any.onnet.time_limit': { minimum: { message: 'Value must be at least 5', target: 5, value: 4 } },
      'call_recording.inbound.offnet.time_limit': { maximum: { message: 'Value must be at most 10800', target: 10800, value: 10801 } },
    });
  });

  it('rejects properties call_recording does not define (additionalProperties false)', () => {
    expect(errorsOf('devices', { name: 'd', call_recording: { inbound: { onnet: { enabled: true, bogus: 1 } } } })).toEqual({
      'call_recording.inbound.onnet.bogus': {
        additionalProperties: {
          message: 'Strict checking of data is enabled; only include schema-defined properties',
          value: { enabled: true, bogus: 1 },
        },
      },
    });
  });

  it('rejects duplicate codecs (uniqueItems) and codecs outside the list', () => {
    expect(errorsOf('devices', { name: 'd', media: { audio: { codecs: ['PCMU', 'PCMU'] }, video: { codecs: ['H265'] } } })).toEqual({
      'media.audio.codecs': { uniqueItems: { message: 'List of items is not unique', value: ['PCMU', 'PCMU'] } },
      'media.video.codecs.0': {
        enum: { message: 'Value not found in enumerated list of values', target: ['H261', 'H263', 'H264', 'VP8'], value: 'H265' },
      },
    });
  });

  it('keeps one rule per field: the keyword jesse checks last (type after enum)', () => {
    expect(errorsOf('devices', { name: 'd', sip: { method: 5 } })).toEqual({
      'sip.method': { type: { message: 'Value did not match type(s): string', target: 'string', value: 5 } },
    });
  });

  it('joins union types in the type message', () => {
    expect(errorsOf('devices', { name: 'd', provision: { endpoint_model: true } })).toEqual({
      'provision.endpoint_model': { type: { message: 'Value did not match type(s): string, integer', target: 'string, integer', value: true } },
    });
  });

  it('reports every error of the document at once', () => {
    expect(errorsOf('devices', { sip: { username: 'a', method: 'digest', password: 'abc' }, enabled: 'yes' })).toEqual({
      enabled: { type: { message: 'Value did not match type(s): boolean', target: 'boolean', value: 'yes' } },
      'sip.method': { enum: { message: 'Value not found in enumerated list of values', target: ['password', 'ip'], value: 'digest' } },
      'sip.password': { minLength: { message: 'String must be at least 5 characters', target: 5, cause: 'abc', value: 'abc' } },
      'sip.username': { minLength: { message: 'String must be at least 2 characters', target: 2, cause: 'a', value: 'a' } },
      name: { required: { message: 'Field is required but missing', value: 'name' } },
    });
  });
});

describe('patterns as Kazoo (PCRE) matches them', () => {
  it('accepts custom SIP header names in the A-z range, which also covers [ ] ^ and `', () => {
    const headers = { 'X-Custom_1': 'a', 'X[1]^`': 'b' };
    expect(valueOf('devices', { name: 'd', sip: { custom_sip_headers: { in: headers, out: headers } } })).toMatchObject({
      sip: { custom_sip_headers: { in: headers, out: headers } },
    });
  });

  it('rejects custom SIP header names outside the pattern as a failed anyOf', () => {
    const customSipHeaders = { in: { 'X.Custom': 'a' } };
    expect(errorsOf('devices', { name: 'd', sip: { custom_sip_headers: customSipHeaders } })).toEqual({
      'sip.custom_sip_headers': { any_schemas_not_valid: { message: 'failed to validate', value: customSipHeaders } },
    });
  });

  it('checks sip.realm against its pattern, where $ also matches before a final newline', () => {
    expect(errorsOf('devices', { name: 'd', sip: { realm: 'bad realm' } })).toEqual({
      'sip.realm': { pattern: { message: "Failed to match pattern '^[.\\w_-]+$'", target: '^[.\\w_-]+$', value: 'bad realm' } },
    });
    expect(validateAgainstSchema('devices', { name: 'd', sip: { realm: 'sip.example.com\n' } }).valid).toBe(true);
  });
});

describe('provision combo keys (oneOf)', () => {
  it('accepts each documented shape', () => {
    const comboKeys = {
      '1': { type: 'parking', value: 10 },
      '2': { type: 'parking', value: '3' },
      '3': { type: 'parking', value: { label: 'Park 1', value: 1 } },
      '4': { type: 'line', value: 'anything' },
      '5': { type: 'speed_dial', value: { label: 'Boss', value: '2001' } },
      not_a_key_number: 'ignored',
    };
    expect(valueOf('devices', { name: 'd', provision: { combo_keys: comboKeys } })).toMatchObject({ provision: { combo_keys: comboKeys } });
  });

  it('reports a key matching no shape as not_one_schema_valid', () => {
    expect(errorsOf('devices', { name: 'd', provision: { feature_keys: { '1': { type: 'parking', value: 11 }, '2': { type: 'blf' } } } })).toEqual({
      'provision.feature_keys.1': { not_one_schema_valid: { message: 'failed to validate', value: { type: 'parking', value: 11 } } },
      'provision.feature_keys.2': { not_one_schema_valid: { message: 'failed to validate', value: { type: 'blf' } } },
    });
  });
});

describe('schema defaults', () => {
  it('completes a bare device like Kazoo 4.3 (enabled, sip.method, invite_format, expire_seconds...)', () => {
    expect(valueOf('devices', { name: 'x' })).toEqual({ name: 'x', ...BARE_DEVICE_DEFAULTS });
  });

  it('fills call_forward and media sub-defaults only when those objects are present', () => {
    expect(valueOf('devices', { name: 'x', call_forward: { number: '+15555550100' }, media: {} })).toEqual({
      name: 'x',
      ...BARE_DEVICE_DEFAULTS,
      call_forward: {
        number: '+15555550100',
        direct_calls_only: false,
        enabled: false,
        failover: false,
        ignore_early_media: true,
        keep_caller_id: true,
        require_keypress: true,
        substitute: true,
      },
      media: { audio: {}, encryption: { enforce_security: false, methods: [] }, video: { codecs: [] } },
    });
  });

  it('never overrides a given value, only fills what is missing', () => {
    const value = valueOf('devices', { name: 'x', enabled: false, sip: { method: 'ip', ip: '10.0.0.1' } });
    expect(value.enabled).toBe(false);
    expect(value.sip).toEqual({ method: 'ip', ip: '10.0.0.1', expire_seconds: 300, invite_format: 'contact' });
  });

  it('completes a bare user, hotdesk flags included', () => {
    expect(valueOf('users', { first_name: 'Ada', last_name: 'Lovelace' })).toEqual({
      first_name: 'Ada',
      last_name: 'Lovelace',
      call_restriction: {},
      contact_list: {},
      enabled: true,
      hotdesk: { enabled: false, keep_logged_in_elsewhere: false, require_pin: false },
      music_on_hold: {},
      priv_level: 'user',
      require_password_update: false,
      ringtones: {},
      verified: false,
      vm_to_email_enabled: true,
    });
  });

  it('defaults the user_auth hash method to md5', () => {
    expect(valueOf('user_auth', { credentials: 'abc123' })).toEqual({ credentials: 'abc123', method: 'md5' });
  });

  it('keeps unknown top-level properties and leaves the input untouched', () => {
    const doc = { name: 'x', custom_field: { nested: [1, 2] } };
    const snapshot = structuredClone(doc);
    expect(valueOf('devices', doc)).toMatchObject({ custom_field: { nested: [1, 2] } });
    expect(doc).toEqual(snapshot);
  });
});

describe('non-strict type fixing (crossbar.schema_strict_validation false)', () => {
  it('turns numeric strings into integers and "true"/"false" into booleans', () => {
    const value = valueOf('devices', { name: 'x', enabled: 'false', sip: { expire_seconds: '600' }, call_forward: { enabled: 'true' } });
    expect(value).toMatchObject({ enabled: false, sip: { expire_seconds: 600 }, call_forward: { enabled: true } });
  });

  it('rounds non-integer numbers and decimal strings like kz_term:to_integer/1', () => {
    const value = valueOf('users', { first_name: 'a', last_name: 'b', voicemail: { notify: { callback: { attempts: 2.5, interval_s: '-2.5', schedule: ['5', 7.4] } } } });
    expect(value).toMatchObject({ voicemail: { notify: { callback: { attempts: 3, interval_s: -3, schedule: [5, 7] } } } });
  });

  it('reads a JSON array of character codes as an Erlang string, as kz_term does', () => {
    expect(valueOf('devices', { name: 'x', sip: { expire_seconds: [54, 48, 48] } })).toMatchObject({ sip: { expire_seconds: 600 } });
  });

  it('leaves values it cannot convert as type errors', () => {
    expect(errorsOf('devices', { name: 'x', enabled: 'yes', sip: { expire_seconds: '5 min' } })).toEqual({
      enabled: { type: { message: 'Value did not match type(s): boolean', target: 'boolean', value: 'yes' } },
      'sip.expire_seconds': { type: { message: 'Value did not match type(s): integer', target: 'integer', value: '5 min' } },
    });
  });

  it('does not convert for union types: "true" is a string for media.bypass_media, and not an allowed one', () => {
    expect(errorsOf('devices', { name: 'x', media: { bypass_media: 'true' } })).toEqual({
      'media.bypass_media': { enum: { message: 'Value not found in enumerated list of values', target: [true, false, 'auto'], value: 'true' } },
    });
  });

  it('reports the errors left after converting, with converted values', () => {
    expect(errorsOf('devices', { name: '', enabled: 'true', call_recording: { any: { any: { time_limit: '2' } } } })).toEqual({
      name: { minLength: { message: 'String must be at least 1 characters', target: 1, cause: '', value: '' } },
      'call_recording.any.any.time_limit': { minimum: { message: 'Value must be at least 5', target: 5, value: 2 } },
    });
  });
});

describe('users, notify and auth schemas', () => {
  it('requires first and last names and checks username, email (jesse: ^[^@]+@[^@]+$) and priv_level', () => {
    expect(errorsOf('users', { username: 'bad name', email: 'nowhere', priv_level: 'root' })).toEqual({
      first_name: { required: { message: 'Field is required but missing', value: 'first_name' } },
      last_name: { required: { message: 'Field is required but missing', value: 'last_name' } },
      username: { pattern: { message: "Failed to match pattern '^([+@.\\w_-]+)$'", target: '^([+@.\\w_-]+)$', value: 'bad name' } },
      email: { wrong_format: { message: 'Field is not in the correct format', value: 'nowhere', format: 'email' } },
      priv_level: { enum: { message: 'Value not found in enumerated list of values', target: ['user', 'admin'], value: 'root' } },
    });
    expect(validateAgainstSchema('users', { first_name: 'a', last_name: 'b', email: 'admin@localhost', username: 'a.b+c@d_e-f' }).valid).toBe(true);
  });

  it('validates the NOTIFY request data: data.event is required', () => {
    expect(errorsOf('devices_notify', { data: {} })).toEqual({
      'data.event': { required: { message: 'Field is required but missing', value: 'event' } },
    });
    expect(validateAgainstSchema('devices_notify', { action: 'notify', data: { event: 'check-sync' } }).valid).toBe(true);
  });

  it('wants a 64-character api_key and nothing else in api_auth', () => {
    expect(errorsOf('api_auth', { api_key: 'k'.repeat(63), account: 'x' })).toEqual({
      account: {
        additionalProperties: {
          message: 'Strict checking of data is enabled; only include schema-defined properties',
          value: { api_key: 'k'.repeat(63), account: 'x' },
        },
      },
      api_key: { minLength: { message: 'String must be at least 64 characters', target: 64, cause: 'k'.repeat(63), value: 'k'.repeat(63) } },
    });
    expect(validateAgainstSchema('api_auth', { api_key: 'k'.repeat(64) }).valid).toBe(true);
  });
});

describe('mergeValidationErrors', () => {
  it('combines schema errors and custom checks into one object (§1.3 example)', () => {
    const schemaErrors = errorsOf('devices', { sip: { username: 'user100' } });
    const customErrors: ValidationErrors = { 'sip.username': { unique: { message: 'SIP credentials already in use', cause: 'user100' } } };
    expect(mergeValidationErrors(customErrors, schemaErrors)).toEqual({
      name: { required: { message: 'Field is required but missing', value: 'name' } },
      'sip.username': { unique: { message: 'SIP credentials already in use', cause: 'user100' } },
    });
  });

  it('lets a later error object replace an earlier one for the same field, as kz_json:merge_jobjs/2 does', () => {
    const custom: ValidationErrors = { 'sip.username': { unique: { message: 'SIP credentials already in use', cause: 'a' } } };
    const schema = errorsOf('devices', { name: 'd', sip: { username: 'a' } });
    expect(mergeValidationErrors(custom, schema)).toEqual(schema);
  });
});
