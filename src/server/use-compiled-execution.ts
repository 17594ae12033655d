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
// Execution, compiled or not, runs through the operation pipeline's `execute` step, so that what hooks wrap around
// an operation (its span, for tracing) is around its resolvers whichever way they run.
// Compiling costs about a millisecond, some thirty graphql-js runs of a small read: a document is compiled on its
// second run only (as Mercurius does), so one-off documents (GraphiQL, probes, an abuser's unique queries) never pay it.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute as executeInterpreted } from 'graphql';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import type { GatewayContext } from '../graphql/context.js';
import type { OperationPipeline } from './operation-pipeline.js';
import { unknownOperation } from './use-operation-limits.js';

/** Runs with graphql-js before a document is compiled. */
const INTERPRETED_RUNS = 1;
/** A document graphql-jit could not compile: it keeps running with graphql-js, whose answers are the reference. */
const NOT_COMPILED = Symbol('not compiled');

interface CompiledExecution {
  /** For ApolloServer's `gateway` option. */
  readonly gateway: GatewayInterface;
  /** Runs one operation of a validated document: what Apollo's pipeline calls after validation and the plugins. */
  readonly execute: GatewayExecutor;
}

export function useCompiledExecution(
  schema: GraphQLSchema,
  schemaSdl: string,
  pipeline: Pick<OperationPipeline, 'execute'> = { execute: (_context, run) => run() },
): CompiledExecution {
  /** Per document and operation name: runs so far until compiled, then what it compiled to. */
  const byDocument = new WeakMap<DocumentNode, Map<string | null, number | CompiledQuery | typeof NOT_COMPILED>>();

  const compile = (document: DocumentNode, operationName: string | null): CompiledQuery | undefined => {
    try {
      // Errors thrown in resolvers become GraphQL errors either way; their stacks are never sent (Apollo strips them).
      const compiled = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      return isCompiledQuery(compiled) ? compiled : undefined;
    } catch {
      return undefined;
    }
  };

  /** The compiled query, or undefined while (or because) the document runs with graphql-js. */
  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | undefined => {
    let byOperation = byDocument.get(document);
    if (byOperation === undefined) {
      byOperation = new Map();
      byDocument.set(document, byOperation);
    }
    const known = byOperation.get(operationName) ?? 0;
    if (known === NOT_COMPILED) return undefined;
    if (typeof known !== 'number') return known;
    if (known < INTERPRETED_RUNS) {
      byOperation.set(operationName, known + 1);
      return undefined;
    }
    const compiled = compile(document, operationName);
    byOperation.set(operationName, compiled ?? NOT_COMPILED);
    return compiled;
  };

  const executeOperation: GatewayExecutor = async ({ document, operation, operationName, request, context }) => {
    // Typed as always present, but Apollo calls the executor with none when operationName matched nothing (the
    // limits plugin refuses those first); graphql-js would then run the document's only operation. Never guess one.
    if ((operation as OperationDefinitionNode | undefined) === undefined) return { errors: [unknownOperation(request.operationName)] };
    const interpreted = () => executeInterpreted({ schema, document, operationName, variableValues: request.variables, contextValue: context });
    const query = compiledFor(document, operationName);
    if (query === undefined) return interpreted();
    const result = await query.query(undefined, context, request.variables ?? {});
    // No data at all: graphql-jit refused the variables before anything ran. graphql-js's refusal is the reference:
    // its errors name the input path (`input.macAddress`, where graphql-jit names only the innermost field) and carry
    // the variable's definition, which is how Apollo recognises them as the client's (BAD_USER_INPUT, HTTP 400). So
    // graphql-js runs the operation, and refuses it the same way without calling a resolver.
    return result.data === undefined && result.errors !== undefined ? interpreted() : result;
  };
  // Apollo types the context as any object; it is the gateway's own (gateway.ts builds it for every request).
  const execute: GatewayExecutor = (requestContext) =>
    pipeline.execute(requestContext.context as GatewayContext, () => executeOperation(requestContext));

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
