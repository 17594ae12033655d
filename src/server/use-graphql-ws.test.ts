// Where the graphql-ws connection's Kazoo token may be in the `connection_init` payload: the HTTP rule, keys in any case.
import { describe, expect, it } from 'vitest';
import { tokenFromConnectionParams } from './use-graphql-ws.js';

describe('tokenFromConnectionParams', () => {
  it.each([
    [{ authToken: 'abc' }, 'abc'],
    [{ 'X-Auth-Token': 'abc' }, 'abc'],
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ Authorization: 'bearer   abc ' }, 'abc'],
    [{ AuthToken: 'Bearer abc' }, 'abc'],
    [{ headers: { 'x-auth-token': 'abc' } }, 'abc'],
    [{ authToken: '', Authorization: 'Bearer abc' }, 'abc'],
  ])('finds the token in %j', (params, token) => {
    expect(tokenFromConnectionParams(params)).toBe(token);
  });

  it.each([
    [undefined],
    [{}],
    [{ authToken: '' }],
    [{ authToken: 'Bearer ' }],
    [{ authToken: 42 }],
    [{ token: 'abc' }],
    // As over HTTP: Authorization needs its scheme.
    [{ Authorization: 'abc' }],
    [{ headers: { authorization: 'Basic abc' } }],
  ])(
    'finds none in %j',
    (params) => {
      expect(tokenFromConnectionParams(params as Record<string, unknown> | undefined)).toBeUndefined();
    },
  );
});
