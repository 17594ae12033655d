// Logs what clients are not told: the cause behind an INTERNAL_SERVER_ERROR, with the request id to find it by, for
// operations of every transport (a hook of the operation pipeline). Expected failures (bad input, Kazoo said no) are
// not errors of the gateway and are not logged as such.
import type { Logger } from '../logger.js';
import type { OperationHook } from './operation-pipeline.js';

export function useErrorLogging(logger: Logger): OperationHook {
  return {
    name: 'error-logging',
    settled({ errors, context, operation, caller }) {
      for (const error of errors) {
        if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') continue;
        logger.error(
          {
            err: error.originalError ?? error,
            requestId: context.session.requestId,
            transport: caller.transport,
            operationName: operation?.name?.value ?? null,
            path: error.path,
          },
          'resolver failed',
        );
      }
    },
  };
}
