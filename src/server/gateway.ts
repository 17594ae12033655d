// The gateway process: one node:http server carrying GraphQL over HTTP at /graphql and the health routes, around
// Apollo Server and one shared Kazoo client. `startGateway` is what main.ts and the tests start.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createContext, tokenFromHeaders } from '../graphql/context.js';
import type { GatewayContext } from '../graphql/context.js';
import { buildGatewaySchema } from '../graphql/schema.js';
import { KazooClient } from '../kazoo/client.js';
import type { Logger } from '../logger.js';
import { graphqlOverHttp, sendJsonError } from './graphql-over-http.js';
import { requestIdOf } from './request-id.js';
import { useErrorLogging } from './use-error-logging.js';
import { kazooReadiness, useHealthCheck } from './use-health-check.js';

/** An HTTP route: one path, whatever the method (the handler answers 405 itself where it matters). */
type RouteHandler = (request: IncomingMessage, response: ServerResponse, requestId: string) => void | Promise<void>;

export interface GatewayOptions {
  kazooUrl: string;
  port: number;
  host: string;
  kazooTimeoutMs: number;
  maxBodyBytes: number;
  introspection: boolean;
  logger: Logger;
}

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly httpServer: Server;
  readonly client: KazooClient;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const client = new KazooClient({ baseUrl: options.kazooUrl, timeoutMs: options.kazooTimeoutMs });
  const schema = buildGatewaySchema();
  const httpServer = createServer();

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    logger: {
      debug: (message) => logger.debug(message),
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      useErrorLogging(logger),
    ],
  });
  await apollo.start();

  const graphql = graphqlOverHttp({
    apollo,
    maxBodyBytes: options.maxBodyBytes,
    context: async (request, requestId) =>
      createContext(client, tokenFromHeaders({ get: (name) => headerValue(request, name) }), requestId),
  });
  const health = useHealthCheck(kazooReadiness(client));

  const routes = new Map<string, RouteHandler>([
    ['/graphql', graphql],
    ['/healthz', (_request, response) => health.healthz(response)],
    ['/readyz', (_request, response) => health.readyz(response)],
  ]);

  httpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = requestIdOf(request);
    response.setHeader('x-request-id', requestId);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = routes.get(path);
    Promise.resolve()
      .then(() =>
        route === undefined
          ? sendJsonError(response, 404, 'NOT_FOUND', `No route ${path}; GraphQL is served at /graphql`)
          : route(request, response, requestId),
      )
      .catch((error: unknown) => {
        logger.error({ err: error, requestId }, 'request failed');
        if (!response.headersSent) sendJsonError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        else response.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url,
    httpServer,
    client,
    async close() {
      await apollo.stop();
      await client.close();
    },
  };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
