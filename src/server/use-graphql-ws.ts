// GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on the gateway's own port and path,
// /graphql, for subscriptions. The connection's Kazoo token comes in the `connection_init` payload and is checked
// with Kazoo's token_auth before the connection is acknowledged (close 4403 when missing or refused); every operation
// then runs with that token, like an HTTP request. Apollo's drain closes every socket on shutdown (1001 Going away).
// Operations go through the same operation pipeline as HTTP (operation-pipeline.ts): documents from the shared
// registry (parsed and validated as over HTTP), then the same hooks (limits, cost-charged rate limit, cost extension,
// metrics, logs). What is the transport's own: every upgrade is charged to its address's request bucket (the
// handshake costs a token_auth call), every operation to its token's request bucket, and a client may hold only so
// many sockets open (per address, per token, counted with its SSE streams: connection-caps.ts) and run so many
// operations on one. A W3C `traceparent` in the connection_init payload is the parent of the spans of the
// connection's operations (use-tracing.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '@opentelemetry/api';
import { execute, getOperationAST, GraphQLError } from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext, tokenFromHeaders } from '../graphql/context.js';
import type { GatewayContext } from '../graphql/context.js';
import type { CursorCodec } from '../graphql/pagination.js';
import * as auth from '../kazoo/auth.js';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError } from '../kazoo/errors.js';
import type { ListingSizes } from '../loaders/index.js';
import type { Logger } from '../logger.js';
import type { LiveData } from '../subscriptions/live-data.js';
import { subscribeWithFreshLoaders } from '../graphql/subscribe-with-fresh-loaders.js';
import type { SubscriptionContext } from '../graphql/subscription-context.js';
import type { ConnectionCaps } from './connection-caps.js';
import type { DocumentRegistry } from './document-registry.js';
import { errorCodesOf } from './operation-outcome.js';
import { withoutHttp } from './operation-pipeline.js';
import type { OperationPipeline, PipelineOperation } from './operation-pipeline.js';
import { unknownOperation } from './use-operation-limits.js';
import { clientAddress, tokenBucketKey } from './use-rate-limit.js';
import type { RateLimiter } from './use-rate-limit.js';
import { continueTrace, incomingTrace } from './use-tracing.js';

interface GraphqlWsOptions {
  schema: GraphQLSchema;
  client: KazooClient;
  live: LiveData;
  logger: Logger;
  /** Largest message accepted from a client, like MAX_BODY_BYTES for HTTP. */
  maxPayloadBytes: number;
  /** Parsed and validated documents, shared with HTTP. */
  registry: DocumentRegistry;
  /** The hooks every operation goes through, as over HTTP. */
  pipeline: OperationPipeline;
  /** Operations one socket may have running at once. */
  maxSubscriptionsPerConnection: number;
  /** The gateway's cursor codec, shared with HTTP. */
  cursors: CursorCodec;
  /** The listing sizes the gateway learns, shared with HTTP (loaders feed them, the cost model reads them). */
  listingSizes: ListingSizes;
  /** The HTTP rate limiter, whose buckets WebSocket upgrades and operations are charged to; none: no rate limit. */
  rateLimiter?: RateLimiter | undefined;
  /** Connections open at once per client address and per token, counted with the other long-lived transports. */
  connectionCaps: ConnectionCaps;
  /** Proxies in front of the gateway trusted to report the client's address (use-rate-limit.ts clientAddress). */
  trustedProxyHops: number;
}

interface GraphqlWs {
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
  /** The token's rate-limit bucket (use-rate-limit.ts tokenBucketKey): Kazoo accepted the token at connect. */
  tokenKey: string;
  expiresAt: Date | undefined;
  /** The trace the client's connection_init continues (empty when it sent none). */
  trace: Context;
  /** Operations admitted and not yet settled, by graphql-ws operation id. */
  running: Map<string, { operation: PipelineOperation; startedAt: number }>;
  /** Aborts when the socket closes: the Kazoo calls of its operations stop. */
  closed: AbortSignal;
}

/** Kazoo could not be asked about the token: "Try Again Later", which graphql-ws clients retry. */
const KAZOO_UNAVAILABLE_CLOSE_CODE = 1013;
/** The token already holds its share of sockets; graphql-ws clients take 4429 as final and do not retry. */
const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4429;
/** Clients that do not answer the 1001 close frame within this are cut off, so shutdown stays short. */
const DISPOSE_GRACE_MS = 1_000;

/**
 * The Kazoo token of a `connection_init` payload, by the same rule as HTTP headers (tokenFromHeaders): `authToken` or
 * `X-Auth-Token`, else `Authorization: Bearer`; keys in any case, at the top level or else under `headers`.
 */
export function tokenFromConnectionParams(params: Readonly<ConnectionParams> | undefined): string | undefined {
  if (params === undefined) return undefined;
  for (const source of [params, nestedHeaders(params)]) {
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

/** The W3C trace context of a `connection_init` payload: at the top level or else under `headers`, like the token. */
function traceFromConnectionParams(params: Readonly<ConnectionParams> | undefined): Context {
  return incomingTrace(params === undefined ? {} : { ...nestedHeaders(params), ...params });
}

function nestedHeaders(params: Readonly<ConnectionParams>): ConnectionParams {
  const nested = params.headers;
  return typeof nested === 'object' && nested !== null ? (nested as ConnectionParams) : {};
}

export function useGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const { client, logger, live } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  /** By graphql-ws connection context (one per socket). */
  const connections = new WeakMap<object, Connection>();

  const { byAddress, byToken } = options.connectionCaps;

  /** Ends an operation's pipeline run: metrics, logs and error logs see it as they see an HTTP answer. */
  const settle = (connection: Connection | undefined, id: string, errors: readonly GraphQLError[]): void => {
    const running = connection?.running.get(id);
    if (connection === undefined || running === undefined) return;
    connection.running.delete(id);
    options.pipeline.settled({
      caller: running.operation.caller,
      context: running.operation.context,
      operation: running.operation.operation,
      errors,
      errorCodes: errorCodesOf(errors),
      cost: running.operation.cost,
      durationMs: performance.now() - running.startedAt,
      batched: false,
    });
  };
  /** The errors of a result, to settle with; a subscription's event errors count as its own. */
  const errorsSeen = new WeakMap<PipelineOperation, GraphQLError[]>();

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
        const tokenKey = tokenBucketKey(token);
        if (byToken.atCap(tokenKey)) {
          ctx.extra.socket.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, `This token already holds ${byToken.cap} connections; close one first`);
          return false;
        }
        byToken.hold(tokenKey, ctx.extra.socket);
        const closed = new AbortController();
        ctx.extra.socket.once('close', () => closed.abort());
        connections.set(ctx, {
          token,
          tokenKey,
          expiresAt: auth.jwtExpiry(token),
          trace: traceFromConnectionParams(ctx.connectionParams),
          running: new Map(),
          closed: closed.signal,
        });
        return true;
      },
      // The registry's document and the pipeline's admission, as for HTTP; refusals are GraphQL errors for that
      // operation only, the socket stays open.
      onSubscribe: (ctx, id, payload) => {
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
        const connection = connections.get(ctx);
        if (connection === undefined) return [new GraphQLError('Operation on an unacknowledged connection', { extensions: { code: 'UNAUTHENTICATED' } })];
        // Refused before admission (rate, document, operation name): metrics and logs see it as over HTTP.
        const refuse = (errors: readonly GraphQLError[]): GraphQLError[] => {
          const caller = { transport: 'websocket', rateKey: connection.tokenKey } as const;
          options.pipeline.settled({
            caller,
            context: createContext(client, options.cursors, options.listingSizes, connection.token, randomUUID()),
            operation: undefined,
            errors,
            errorCodes: errorCodesOf(errors),
            cost: undefined,
            durationMs: 0,
            batched: false,
          });
          return errors.map(withoutHttp);
        };
        const decision = options.rateLimiter?.take(connection.tokenKey);
        if (decision !== undefined && !decision.allowed) {
          return refuse([
            new GraphQLError(`Too many operations for this token; retry in ${Math.ceil(decision.retryAfterMs / 100) / 10} s`, {
              extensions: { code: 'RATE_LIMITED', retryAfterMs: decision.retryAfterMs },
            }),
          ]);
        }
        // A trusted document is named by `extensions.documentId` (graphql-ws requires a `query` string: send '').
        const source = options.registry.sourceOf({ query: payload.query, documentId: payload.extensions?.documentId });
        if (source?.error !== undefined) return refuse([source.error]);
        const prepared = options.registry.prepare(source?.query ?? payload.query);
        if (prepared.document === undefined) return refuse(prepared.errors);
        const { document } = prepared;
        const operation = getOperationAST(document, payload.operationName);
        if (operation == null) return refuse([unknownOperation(payload.operationName)]);
        // Object.assign keeps createContext's lazy `loaders` getter: a subscription never uses the initial set. A
        // subscription also stops its calls when it completes (subscribe-with-fresh-loaders.ts).
        const context: SubscriptionContext = Object.assign(
          createContext(client, options.cursors, options.listingSizes, connection.token, randomUUID(), connection.closed),
          {
            live,
            connection: {
              expiresAt: connection.expiresAt,
              close: (code: number, reason: string) => ctx.extra.socket.close(code, reason),
            },
          },
        );
        const admitted: PipelineOperation = {
          // Kazoo accepted the token when the socket connected: its own bucket.
          caller: { transport: 'websocket', rateKey: connection.tokenKey },
          context,
          document,
          operation,
          variables: payload.variables ?? undefined,
          cost: 0,
        };
        options.pipeline.bindCaller(context.session, admitted.caller);
        connection.running.set(id, { operation: admitted, startedAt: performance.now() });
        const refusal = continueTrace(connection.trace, () => options.pipeline.admit(admitted));
        if (refusal !== undefined) {
          settle(connection, id, [refusal]);
          return [withoutHttp(refusal)];
        }
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: context,
        };
      },
      // Both run through the pipeline's execute step; contextValue is always the context onSubscribe built.
      execute: (args) => options.pipeline.execute(args.contextValue as GatewayContext, () => execute(args)),
      subscribe: (args) => options.pipeline.execute(args.contextValue as GatewayContext, () => subscribeWithFreshLoaders(args)),
      onNext: (ctx, id, _payload, _args, result) => {
        const running = connections.get(ctx)?.running.get(id);
        if (running === undefined) return undefined;
        if (result.errors !== undefined) {
          const seen = errorsSeen.get(running.operation) ?? [];
          seen.push(...result.errors);
          errorsSeen.set(running.operation, seen);
        }
        return options.pipeline.result(running.operation, result as ExecutionResult);
      },
      onError: (ctx, id, _payload, errors) => settle(connections.get(ctx), id, errors),
      onComplete: (ctx, id) => {
        const connection = connections.get(ctx);
        const running = connection?.running.get(id);
        settle(connection, id, running === undefined ? [] : (errorsSeen.get(running.operation) ?? []));
      },
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
      const address = clientAddress(request, options.trustedProxyHops);
      if (byAddress.atCap(address)) {
        refuseUpgrade(socket, `This address already holds ${byAddress.cap} connections`);
        return;
      }
      // The handshake leads to a token_auth call: charged like an HTTP request of the same client.
      const decision = options.rateLimiter?.take(options.rateLimiter.keyOf(request));
      if (decision !== undefined && !decision.allowed) {
        refuseUpgrade(socket, 'Too many connection attempts; retry later', decision.retryAfterMs);
        return;
      }
      wss.handleUpgrade(request, socket, head, (webSocket) => {
        byAddress.hold(address, webSocket);
        wss.emit('connection', webSocket, request);
      });
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

/** Refuses an upgrade before any WebSocket exists: an HTTP 429 the client's WebSocket library reports as such. */
function refuseUpgrade(socket: Duplex, message: string, retryAfterMs?: number): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'RATE_LIMITED', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } }] });
  socket.end(
    [
      'HTTP/1.1 429 Too Many Requests',
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      ...(retryAfterMs === undefined ? [] : [`Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}`]),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
