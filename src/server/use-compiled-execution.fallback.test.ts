// A document graphql-jit cannot compile (a compiler bug, an unsupported construct) must keep being answered, by
// graphql-js, on every run: never an internal error, never a retry of the compiler per request.
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { buildGatewaySchema, schemaSource } from '../graphql/schema.js';
import { useCompiledExecution } from './use-compiled-execution.js';

const compileQuery = vi.hoisted(() => vi.fn(() => {
  throw new Error('the compiler failed');
}));
vi.mock('graphql-jit', async (importOriginal) => ({ ...(await importOriginal<typeof import('graphql-jit')>()), compileQuery }));

describe('a document that cannot be compiled', () => {
  it('is answered by graphql-js on every run and compiled once at most', async () => {
    const compiled = useCompiledExecution(buildGatewaySchema(), schemaSource);
    const query = '{ __typename me: __schema { queryType { name } } }';
    const document = parse(query);
    const run = () =>
      compiled.execute({
        document,
        operation: getOperationAST(document),
        operationName: null,
        request: { query },
        context: {},
      } as unknown as GatewayGraphQLRequestContext);
    for (let runs = 0; runs < 4; runs++) {
      expect(await run()).toEqual({ data: { __typename: 'Query', me: { queryType: { name: 'Query' } } } });
    }
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });
});
