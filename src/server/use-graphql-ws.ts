// GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on the gateway's own port and path,
// /graphql, for subscriptions. The connection's Kazoo token comes in the `connection_init` payload and is checked
// with Kazoo's token_auth before the connection is acknowledged (close 4403 when missing or refused); every operation
// then runs with that token, like an HTTP request. Apollo's drain closes every socket on shutdown (1001 Going away).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, GraphQLError, parse, validate } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext, tokenFromHeaders } from '../graphql/context.js';
import type { GatewayContext } from '../graphql/context.js';
import type { CursorCodec } from '../graphql/pagination.js';
import * as auth from '../kazoo/auth.js';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError } from '../kazoo/errors.js';
import type { Logger } from '../logger.js';
import type { LiveRegistrations } from '../subscriptions/live-registrations.js';
import { subscribeWithFreshLoaders } from '../subscriptions/subscribe-with-fresh-loaders.js';
import type { SubscriptionContext } from '../subscriptions/subscription-context.js';
import { checkOperationLimits } from './use-operation-limits.js';
import type { OperationLimits } from './use-operation-limits.js';

export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  client: KazooClient;
  registrations: LiveRegistrations;
  logger: Logger;
  /** Largest message accepted from a client, like MAX_BODY_BYTES for HTTP. */
  maxPayloadBytes: number;
  /** The same depth, alias and cost limits as over HTTP (graphql-ws does not go through Apollo's plugins). */
  operationLimits: OperationLimits;
  /** Largest document in lexical tokens, as over HTTP. */
  maxQueryTokens: number;
  /** Operations one socket may have running at once. */
  maxSubscriptionsPerConnection: number;
  /** The gateway's cursor codec, shared with HTTP. */
  cursors: CursorCodec;
}

export interface GraphqlWs {
  /** For the HTTP server's `upgrade` event on /graphql. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket when Apollo drains (Gateway.close()). */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Closes every socket (1001) and stops accepting new ones; idempotent. */
  dispose(): Promise<void>;
}

type ConnectionParams = Record<string, unknown>;

interface Connection {
  token: string;
  expiresAt: Date | undefined;
}

/** Kazoo could not be asked about the token: "Try Again Later", which graphql-ws clients retry. */
export const KAZOO_UNAVAILABLE_CLOSE_CODE = 1013;
/** Distinct documents kept parsed and validated (least recently used first out). */
const DOCUMENT_CACHE_SIZE = 500;
/** Clients that do not answer the 1001 close frame within this are cut off, so shutdown stays short. */
const DISPOSE_GRACE_MS = 1_000;

/**
 * The Kazoo token of a `connection_init` payload, by the same rule as HTTP headers (tokenFromHeaders): `authToken` or
 * `X-Auth-Token`, else `Authorization: Bearer`; keys in any case, at the top level or else under `headers`.
 */
export function tokenFromConnectionParams(params: Readonly<ConnectionParams> | undefined): string | undefined {
  if (params === undefined) return undefined;
  const nested = params.headers;
  for (const source of [params, typeof nested === 'object' && nested !== null ? (nested as ConnectionParams) : {}]) {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(source)) {
      if (typeof value !== 'string') continue;
      const name = key.toLowerCase() === 'authtoken' ? 'x-auth-token' : key.toLowerCase();
      // `authToken` and `X-Auth-Token` both given: the first non-empty one counts.
      if (!headers[name]?.trim()) headers[name] = value;
    }
    const token = tokenFromHeaders(headers);
    if (token !== undefined) return token;
  }
  return undefined;
}

export function useGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const { client, logger, registrations } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  /** By graphql-ws connection context (one per socket). */
  const connections = new WeakMap<object, Connection>();

  /**
   * Parsed and validated documents by query text, as Apollo's document store does for HTTP: thousands of dashboards
   * subscribing with the same document share one AST (memory) and one validation, and the shared AST is what lets
   * them share executions (subscribe-with-fresh-loaders.ts).
   */
  const documents = new Map<string, { document: DocumentNode; errors: readonly GraphQLError[] }>();
  const parseAndValidate = (query: string): { document: DocumentNode; errors: readonly GraphQLError[] } | { errors: readonly GraphQLError[] } => {
    const known = documents.get(query);
    if (known !== undefined) {
      documents.delete(query);
      documents.set(query, known);
      return known;
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxQueryTokens });
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : 'The document could not be parsed';
      return { errors: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    }
    const entry = { document, errors: validate(options.schema, document) };
    documents.set(query, entry);
    if (documents.size > DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value as string);
    return entry;
  };

  const logInternalErrors = (errors: readonly GraphQLError[] | undefined, operationId: string): void => {
    for (const error of errors ?? []) {
      if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') continue;
      logger.error({ err: error.originalError ?? error, operationId, path: error.path }, 'subscription operation failed');
    }
  };

  const server = useServer<ConnectionParams>(
    {
      schema: options.schema,
      // Error texts are the gateway's own already; this keeps graphql-ws from echoing internal exceptions in close reasons.
      isProd: true,
      onConnect: async (ctx) => {
        const token = tokenFromConnectionParams(ctx.connectionParams);
        if (token === undefined) return false;
        try {
          await auth.whoAmI({ client, token, requestId: randomUUID() });
        } catch (error) {
          if (isKazooError(error) && error.code === 'UNAUTHENTICATED') return false;
          logger.warn({ code: isKazooError(error) ? error.code : 'INTERNAL' }, 'could not check a WebSocket token with Kazoo');
          // Closed first with a code the client retries; graphql-ws's own 4403 close that follows is then ignored.
          ctx.extra.socket.close(KAZOO_UNAVAILABLE_CLOSE_CODE, 'Kazoo is unavailable; retry later');
          return false;
        }
        connections.set(ctx, { token, expiresAt: auth.jwtExpiry(token) });
        return true;
      },
      context: (ctx): SubscriptionContext => {
        const connection = connections.get(ctx);
        if (connection === undefined) throw new Error('operation on an unacknowledged connection');
        // Object.assign keeps createContext's lazy `loaders` getter: a subscription never uses the initial set.
        return Object.assign(createContext(client, options.cursors, connection.token, randomUUID()), {
          registrations,
          connection: {
            expiresAt: connection.expiresAt,
            close: (code: number, reason: string) => ctx.extra.socket.close(code, reason),
          },
        });
      },
      // Parsing, validation and the operation limits, as Apollo runs them for HTTP; refusals are GraphQL errors for
      // that operation only, the socket stays open.
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws has already reserved this operation's id in ctx.subscriptions.
        const others = Object.keys(ctx.subscriptions).length - 1;
        if (others >= options.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(
              `This connection already runs ${others} operations; at most ${options.maxSubscriptionsPerConnection} are allowed`,
              { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', maxSubscriptions: options.maxSubscriptionsPerConnection } },
            ),
          ];
        }
        const parsed = parseAndValidate(payload.query);
        if (!('document' in parsed) || parsed.errors.length > 0) return parsed.errors;
        const { document } = parsed;
        const operation = getOperationAST(document, payload.operationName);
        if (operation == null) {
          return [new GraphQLError('Name the operation to run', { extensions: { code: 'BAD_USER_INPUT' } })];
        }
        const { error } = checkOperationLimits(options.operationLimits, options.schema, document, operation, payload.variables ?? undefined);
        if (error !== undefined) return [error];
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
        };
      },
      subscribe: subscribeWithFreshLoaders,
      onNext: (_ctx, id, _payload, _args, result) => logInternalErrors(result.errors, id),
      onError: (_ctx, id, _payload, errors) => logInternalErrors(errors, id),
    },
    wss,
  );

  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      const cutOff = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, DISPOSE_GRACE_MS);
      try {
        await server.dispose();
      } finally {
        clearTimeout(cutOff);
      }
    })();
    return disposing;
  };

  return {
    handleUpgrade(request, socket, head) {
      wss.handleUpgrade(request, socket, head, (webSocket) => wss.emit('connection', webSocket, request));
    },
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            await dispose();
          },
        };
      },
    },
    dispose,
  };
}
