// Reading Crossbar's error answers: the message a client gets is always the gateway's, whatever Kazoo (or something
// pretending to be Kazoo) put in `message`, in rule names, field paths or targets.
import { describe, expect, it } from 'vitest';
import { interpret } from './crossbar-answer.js';
import type { KazooError } from './errors.js';

function answer(status: number, body: unknown): KazooError {
  const result = interpret(status, JSON.stringify(body), {}, 'request-1');
  if (!(result instanceof Error)) throw new Error('expected an error');
  return result;
}

const validation = (data: unknown) => answer(400, { status: 'error', error: '400', message: 'validation error', data });

describe("Crossbar's 400 messages", () => {
  it.each([
    ['action required', 'Kazoo rejected the request: it names no action'],
    ['invalid action', 'Kazoo rejected the request: Kazoo does not know the action it names'],
    ['bad_identifier', 'Kazoo rejected the request: an id in it is unknown or malformed'],
    ['invalid_method', 'Kazoo rejected the request: this method is not allowed on this resource'],
    ['bad: /srv/kazoo/x.erl password=hunter2', 'Kazoo rejected the request'],
  ])('%j becomes %j', (message, expected) => {
    const error = answer(400, { status: 'error', error: '400', message, data: {} });
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expected, kazooMessage: message });
  });

  it('keeps at most 100 printable characters of Kazoo’s message for logs', () => {
    const error = answer(409, { message: `conflict\r\n\u0000${'é'.repeat(300)}` });
    expect(error.message).toBe('Kazoo reported a conflicting concurrent write; retry the change');
    expect(error.kazooMessage).toBe(`conflict????${'?'.repeat(88)}`);
  });
});

describe('validation errors', () => {
  it('are described from the rule and a plain target, never from Kazoo’s message', () => {
    const error = validation({
      name: { required: { message: 'Field is required but missing', value: 'name' } },
      'sip.password': { minLength: { message: 'password=hunter2', target: 6, value: 'abc' } },
      'media.audio.codecs': { enum: { message: 'x', target: ['PCMU', 'PCMA'] } },
      device_type: { type: { message: 'Value did not match type(s): string', target: 'string, null' } },
      'sip.username': { unique: { message: 'SIP credentials already in use', cause: 'user100' } },
    });
    expect(error.code).toBe('VALIDATION');
    expect(error.fieldErrors).toEqual([
      { field: 'name', rule: 'required', message: 'is required' },
      { field: 'sip.password', rule: 'minLength', message: 'must be at least 6 characters long' },
      { field: 'media.audio.codecs', rule: 'enum', message: 'must be one of: PCMU, PCMA' },
      { field: 'device_type', rule: 'type', message: 'must be of type string or null' },
      { field: 'sip.username', rule: 'unique', message: 'is already in use' },
    ]);
  });

  it('targets that are not plain (long lists, long or odd strings, objects) are left out', () => {
    const error = validation({
      a: { enum: { target: Array.from({ length: 11 }, (_, index) => `v${index}`) } },
      b: { enum: { target: ['ok', 'x'.repeat(41)] } },
      c: { enum: { target: ['line\nbreak'] } },
      d: { minLength: { target: { nested: 1 } } },
      e: { type: { target: 'password=hunter2' } },
    });
    expect(error.fieldErrors.map((fieldError) => fieldError.message)).toEqual([
      'is not one of the allowed values',
      'is not one of the allowed values',
      'is not one of the allowed values',
      'is too short',
      'has the wrong type',
    ]);
  });

  it('an unknown rule gets a generic message; a rule name that does not look like one becomes `invalid`', () => {
    const error = validation({
      a: { not_one_schema_valid: { message: 'failed to validate' } },
      b: { 'rule with spaces: hunter2': { message: 'x' } },
      ['c\u0000\r\n'.padEnd(500, 'x')]: { required: {} },
    });
    expect(error.fieldErrors).toEqual([
      { field: 'a', rule: 'not_one_schema_valid', message: 'Kazoo refused this value (rule not_one_schema_valid)' },
      { field: 'b', rule: 'invalid', message: 'is invalid' },
      { field: `c???${'x'.repeat(196)}`, rule: 'required', message: 'is required' },
    ]);
  });

  it('reports at most 50 field errors', () => {
    const data = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`f${index}`, { required: {} }]));
    expect(validation(data).fieldErrors).toHaveLength(50);
  });
});
