// Logs what clients are not told: the cause behind an INTERNAL_SERVER_ERROR, with the request id to find it by.
// Expected failures (bad input, Kazoo said no) are not errors of the gateway and are not logged as such.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../graphql/context.js';
import type { Logger } from '../logger.js';

export function useErrorLogging(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') continue;
            logger.error(
              { err: error.originalError ?? error, requestId: contextValue.session.requestId, operationName, path: error.path },
              'resolver failed',
            );
          }
        },
      };
    },
  };
}
