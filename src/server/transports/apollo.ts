// The operation pipeline over HTTP: Apollo Server parses (through the shared document registry, its
// `documentStore`), validates and resolves the operation; this plugin then hands each operation to the pipeline's
// steps (operation-pipeline.ts): admit once the operation is resolved, result and settled when its answer goes. Its
// execute step is the executor's (use-compiled-execution.ts), the one place Apollo lets code run around execution.
// Apollo runs it for each operation of a batch, with that operation's own request context.
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GatewayContext } from '../../graphql/context.js';
import { errorCodesOf } from '../operation-outcome.js';
import type { OperationPipeline, PipelineOperation } from '../operation-pipeline.js';
import { unknownOperation } from '../use-operation-limits.js';

export function apolloPipelinePlugin(pipeline: OperationPipeline): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let admitted: PipelineOperation | undefined;
      let cost: number | undefined;
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          // Typed as always present, but undefined when operationName matches no operation: a request error, refused
          // before any limit is skipped or anything runs.
          if (operation === undefined) throw unknownOperation(request.operationName);
          const candidate: PipelineOperation = {
            caller: pipeline.callerOf(contextValue),
            context: contextValue,
            document,
            operation,
            variables: request.variables,
            cost: 0,
          };
          const refusal = pipeline.admit(candidate);
          cost = candidate.cost;
          if (refusal !== undefined) throw refusal;
          admitted = candidate;
        },
        async willSendResponse(requestContext: GraphQLRequestContextWillSendResponse<GatewayContext>) {
          const { response } = requestContext;
          if (admitted !== undefined && response.body.kind === 'single') {
            response.body.singleResult = pipeline.result(admitted, response.body.singleResult);
          }
          const sent = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : (requestContext.errors ?? []);
          pipeline.settled({
            caller: pipeline.callerOf(requestContext.contextValue),
            context: requestContext.contextValue,
            operation: requestContext.operation,
            errors: requestContext.errors ?? [],
            errorCodes: errorCodesOf(sent),
            cost,
            durationMs: performance.now() - started,
            batched: requestContext.requestIsBatched,
          });
        },
      };
    },
  };
}
