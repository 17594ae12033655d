// What GraphiQL's fetcher sends: the token from the headers editor, and the operation the query really contains.
import { describe, expect, it } from 'vitest';
import { operationOf, tokenFromHeaders } from './fetcher.js';

describe('tokenFromHeaders', () => {
  it('reads X-Auth-Token in any case, then a Bearer authorization', () => {
    expect(tokenFromHeaders({ 'x-auth-token': ' t1 ' })).toBe('t1');
    expect(tokenFromHeaders({ Authorization: 'Bearer t2' })).toBe('t2');
    expect(tokenFromHeaders({ 'X-Auth-Token': 't3', Authorization: 'Bearer t4' })).toBe('t3');
    expect(tokenFromHeaders({ Authorization: 'Basic abc' })).toBeUndefined();
    expect(tokenFromHeaders({ 'X-Auth-Token': '' })).toBeUndefined();
  });
});

describe('operationOf', () => {
  it('replaces a stale operation name (the previous tab) by the only operation of the query', () => {
    const result = operationOf({ query: 'subscription Watch { registrationChanged(accountId: "a") { deviceId } }', operationName: 'Devices' });
    expect(result.operationName).toBe('Watch');
    expect(result.documentAST?.definitions).toHaveLength(1);
  });

  it('keeps the named operation of a document with several', () => {
    const query = 'query A { viewer { accountId } } subscription B { registrationChanged(accountId: "a") { deviceId } }';
    expect(operationOf({ query, operationName: 'B' }).operationName).toBe('B');
    expect(operationOf({ query, operationName: 'C' }).operationName).toBe('C');
  });

  it('leaves an unparsable query to the gateway to report', () => {
    expect(operationOf({ query: 'query {', operationName: 'X' })).toEqual({ operationName: 'X' });
  });
});
