// Structured request logs (pino JSON), each line carrying the request id that is also sent to Kazoo as X-Request-ID:
// one line per GraphQL operation (name, type, outcome, error codes, Crossbar calls made, duration), one per HTTP
// request (info when it failed, debug otherwise) and, at debug, one per Crossbar attempt by route template.
// What is never logged: query text, variables, headers, query strings, bodies — they carry passwords, API keys and
// tokens (`loginWithCredentials(password: "…")`, `GET /graphql?variables=…`, `X-Auth-Token`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../graphql/context.js';
import type { UpstreamAttempt } from '../kazoo/client.js';
import { routeTemplate } from '../kazoo/route-template.js';
import { fixedShapeLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { operationOutcome } from './operation-outcome.js';

interface RequestLogging {
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Logs the HTTP request once its response is sent (or the client went away). */
  trackHttp(request: IncomingMessage, response: ServerResponse, requestId: string): void;
  /** For the Kazoo client's `onAttempt`. */
  upstreamAttempt(attempt: UpstreamAttempt): void;
}

export function useRequestLogging(parent: Logger): RequestLogging {
  const logger = fixedShapeLogger(parent);
  /** Crossbar attempts per request id, for requests whose operations are running. */
  const upstreamCalls = new Map<string, number>();

  return {
    plugin: {
      async requestDidStart({ contextValue }) {
        const started = process.hrtime.bigint();
        const requestId = contextValue.session.requestId ?? '';
        // Batched operations share the request id, and so the count.
        if (!upstreamCalls.has(requestId)) upstreamCalls.set(requestId, 0);
        return {
          async willSendResponse(requestContext) {
            const { name, type, outcome, errorCodes } = operationOutcome(requestContext);
            logger.info(
              {
                requestId,
                operationName: name,
                operationType: type,
                outcome,
                ...(errorCodes.length === 0 ? {} : { errorCodes }),
                upstreamCalls: upstreamCalls.get(requestId) ?? 0,
                durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              },
              'graphql operation',
            );
            if (!requestContext.requestIsBatched) upstreamCalls.delete(requestId);
          },
        };
      },
    },

    trackHttp(request, response, requestId) {
      const started = process.hrtime.bigint();
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const entry = (): Record<string, unknown> => ({
        requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
      response.once('finish', () => {
        upstreamCalls.delete(requestId);
        if (response.statusCode >= 400) logger.info(entry(), 'http request');
        else logger.debug(entry(), 'http request');
      });
      response.once('close', () => {
        if (response.writableFinished) return;
        upstreamCalls.delete(requestId);
        logger.info({ ...entry(), status: undefined }, 'http request aborted before its response was sent');
      });
    },

    upstreamAttempt(attempt) {
      const count = upstreamCalls.get(attempt.requestId);
      if (count !== undefined) upstreamCalls.set(attempt.requestId, count + 1);
      // Every Kazoo call passes here: build the line only when debug lines are written.
      if (!logger.isLevelEnabled('debug')) return;
      logger.debug(
        {
          requestId: attempt.requestId,
          method: attempt.method,
          route: routeTemplate(attempt.path),
          status: attempt.status,
          outcome: attempt.outcome,
          attempt: attempt.attempt,
          durationMs: attempt.durationMs,
        },
        'kazoo call',
      );
    },
  };
}
