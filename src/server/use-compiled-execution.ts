// Executes HTTP operations with queries compiled by graphql-jit instead of graphql-js's general executor.
//
// Why: a page of 50 devices resolves about 600 fields, and graphql-js interprets the document for every one of them
// on every request (field collection, argument coercion, completion), then builds its answer from prototype-less
// objects that JSON.stringify walks slowly. graphql-jit turns each (document, operation) into a JavaScript function
// once; its answers are plain object literals. BENCHMARKS.md has the measured effect.
//
// Apollo Server stays the request pipeline (parsing with its document cache, validation, the plugins, errors, HTTP):
// its gateway interface is the one place Apollo lets something else execute. Apollo hands over the same parsed
// DocumentNode for the same query text (its document store), so compiled queries are kept per DocumentNode, and go
// when Apollo's cache lets the document go. Subscriptions over graphql-ws keep graphql-js's `subscribe`.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';

/** What a (document, operation) compiles to: a query to run, or the errors compiling it gave (sent as the answer). */
type Compiled = CompiledQuery | ExecutionResult;

export interface CompiledExecution {
  /** For ApolloServer's `gateway` option. */
  readonly gateway: GatewayInterface;
  /** Runs one operation of a validated document: what Apollo's pipeline calls after validation and the plugins. */
  readonly execute: GatewayExecutor;
}

export function useCompiledExecution(schema: GraphQLSchema, schemaSdl: string): CompiledExecution {
  const compiledByDocument = new WeakMap<DocumentNode, Map<string | null, Compiled>>();

  const compiled = (document: DocumentNode, operationName: string | null): Compiled => {
    let byOperation = compiledByDocument.get(document);
    if (byOperation === undefined) {
      byOperation = new Map();
      compiledByDocument.set(document, byOperation);
    }
    let entry = byOperation.get(operationName);
    if (entry === undefined) {
      // Errors thrown in resolvers become GraphQL errors either way; their stacks are never sent (Apollo strips them).
      entry = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      byOperation.set(operationName, entry);
    }
    return entry;
  };

  const execute: GatewayExecutor = async ({ document, operation, operationName, request, context }) => {
    const query = compiled(document, operationName);
    if (!isCompiledQuery(query)) return query;
    const result = await query.query(undefined, context, request.variables ?? {});
    // No data at all: the variables were refused before anything ran.
    if (result.data === undefined && result.errors !== undefined) {
      return { errors: result.errors.map((error) => asVariableError(error, operation)) };
    }
    return result;
  };

  return {
    execute,
    gateway: {
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: schemaSdl });
        return () => {};
      },
      async load() {
        return { executor: execute };
      },
      async stop() {},
    },
  };
}

/**
 * graphql-jit reports a refused variable with its location only; graphql-js attaches the variable's definition, which
 * is how Apollo recognises the error as the client's (BAD_USER_INPUT, HTTP 400). Re-attached here, same message.
 */
function asVariableError(error: GraphQLError, operation: OperationDefinitionNode): GraphQLError {
  const name = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
  const definition = operation.variableDefinitions?.find((candidate) => candidate.variable.name.value === name);
  return definition === undefined ? error : new GraphQLError(error.message, { nodes: [definition], originalError: error.originalError });
}
