// GraphQL over Server-Sent Events (graphql-sse, distinct connections mode: one plain POST or GET with
// `Accept: text/event-stream` per operation, its results streamed back) at /graphql/stream on the gateway's port:
// subscriptions, and queries, for networks whose proxies block WebSockets. A path of its own rather than /graphql:
// graphql-sse knows a stream only by an exact `Accept: text/event-stream`, GET /graphql is GraphiQL's, Apollo's CSRF
// check would refuse the header-less GETs streams may be, and a path is what a proxy's "do not buffer" rule names.
// The WebSocket's rules, before any stream starts: the Kazoo token from the headers (tokenFromHeaders) checked with
// token_auth (401, or 503 when Kazoo cannot be asked), the same caps on open connections (counted together with the
// WebSocket's, connection-caps.ts) and, through gateway.ts, the same request bucket. Then the operation goes through
// the shared document registry and the pipeline; its refusals are GraphQL errors in the stream, which graphql-sse
// clients report as results (an HTTP error status would be a network error they retry).
// graphql-sse's own node:http adapter is not used: it reads bodies without bound and writes without back-pressure.
// Here the body is bounded by MAX_BODY_BYTES and a client that stops reading stops the subscription's reads, so
// it falls behind and is dropped as over WebSocket. A stream ends with its operation (a subscription's when its token
// expires, with UNAUTHENTICATED); Apollo's drain cuts open ones, which clients take as a network error and retry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { execute, getOperationAST, GraphQLError } from 'graphql';
import type { ExecutionArgs, ExecutionResult, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { createHandler } from 'graphql-sse';
import type { ExecutionPatchResult, RequestParams } from 'graphql-sse';
import { createContext, tokenFromHeaders } from '../../graphql/context.js';
import type { GatewayContext } from '../../graphql/context.js';
import { toGraphQLError } from '../../graphql/errors.js';
import type { CursorCodec } from '../../graphql/pagination.js';
import * as auth from '../../kazoo/auth.js';
import type { KazooClient } from '../../kazoo/client.js';
import { isKazooError } from '../../kazoo/errors.js';
import type { ListingSizes } from '../../loaders/index.js';
import type { Logger } from '../../logger.js';
import type { LiveData } from '../../subscriptions/live-data.js';
import { subscribeWithFreshLoaders } from '../../graphql/subscribe-with-fresh-loaders.js';
import type { SubscriptionContext } from '../../graphql/subscription-context.js';
import type { ConnectionCaps } from '../connection-caps.js';
import type { DocumentRegistry } from '../document-registry.js';
import { BodyTooLargeError, readBody, sendJsonError } from '../graphql-over-http.js';
import { errorCodesOf } from '../operation-outcome.js';
import { withoutHttp } from '../operation-pipeline.js';
import type { Caller, OperationPipeline, PipelineOperation } from '../operation-pipeline.js';
import { unknownOperation } from '../use-operation-limits.js';
import { clientAddress, tokenBucketKey } from '../use-rate-limit.js';

export const SSE_PATH = '/graphql/stream';

export interface SseOptions {
  schema: GraphQLSchema;
  client: KazooClient;
  live: LiveData;
  logger: Logger;
  /** Largest request body, as for HTTP (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Parsed and validated documents, shared with the other transports. */
  registry: DocumentRegistry;
  pipeline: OperationPipeline;
  cursors: CursorCodec;
  /** The listing sizes the gateway learns, shared with the other transports (loaders feed them, the cost model reads them). */
  listingSizes: ListingSizes;
  /** Open connections per address and per token, shared with the WebSocket. */
  connectionCaps: ConnectionCaps;
  /** Proxies in front of the gateway trusted to report the client's address (use-rate-limit.ts clientAddress). */
  trustedProxyHops: number;
}

export interface SseTransport {
  /** The route at SSE_PATH (gateway.ts puts the request rate limit in front of it). */
  handle(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void>;
  /** Cuts every open stream when Apollo drains (Gateway.close()). */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
}

/** One event stream: one operation, from its request to its end. */
interface EventStream {
  readonly response: ServerResponse;
  readonly caller: Caller;
  readonly context: SubscriptionContext;
  readonly startedAt: number;
  /** The operation as the pipeline saw it, once its document was resolved; `admitted` once the pipeline let it run. */
  operation: PipelineOperation | undefined;
  resolved: OperationDefinitionNode | undefined;
  admitted: boolean;
  /** The errors raised so far (refusals, results' errors), to settle with. */
  readonly errors: GraphQLError[];
  settled: boolean;
  /** graphql-sse's messages, once the stream has started. */
  messages: AsyncGenerator<string, void, undefined> | undefined;
}

/** graphql-sse types an operation's context as a record; an interface such as SubscriptionContext has no index signature. */
type OperationContextOf<Context> = Context & Record<PropertyKey, unknown>;

/** The response headers of a stream, beyond graphql-sse's. */
const STREAM_HEADERS = {
  // Answers depend on the caller's token, as over HTTP.
  'cache-control': 'no-store',
  // nginx (and proxies that follow it) would otherwise buffer the stream and deliver events late, in bursts.
  'x-accel-buffering': 'no',
};

export function useSse(options: SseOptions): SseTransport {
  const { client, logger, pipeline, registry } = options;
  const { byAddress, byToken } = options.connectionCaps;
  const open = new Set<EventStream>();
  let draining = false;

  const settle = (stream: EventStream): void => {
    if (stream.settled) return;
    stream.settled = true;
    pipeline.settled({
      caller: stream.caller,
      context: stream.context,
      operation: stream.resolved,
      errors: stream.errors,
      errorCodes: errorCodesOf(stream.errors),
      cost: stream.operation?.cost,
      durationMs: performance.now() - stream.startedAt,
      batched: false,
    });
  };

  /** A refusal, sent as the stream's one result; graphql-sse takes an object with `data` for a ready result. */
  const refuse = (stream: EventStream, errors: readonly GraphQLError[]): ExecutionResult => {
    stream.errors.push(...errors);
    return { data: null, errors };
  };

  /** Ends a stream without `complete`: its operation stops, and clients take it as a network error and retry. */
  const cut = (stream: EventStream): void => {
    void stream.messages?.return(undefined);
    stream.response.end();
  };

  const sse = createHandler<IncomingMessage, EventStream, OperationContextOf<SubscriptionContext>>({
    schema: options.schema,
    // Distinct connections mode only: no stream reserved (PUT) by one request for the operations of others.
    authenticate: () => null,
    // The registry has validated the document, with the gateway's rules (document-rules.ts).
    validate: () => [],
    onSubscribe: (request, params: RequestParams) => {
      const stream = request.context;
      // A trusted document is named by `extensions.documentId`, with `query: ''` (graphql-sse requires a string), as
      // over graphql-ws; in trusted-only mode no other text runs.
      const source = registry.sourceOf({ query: params.query, documentId: params.extensions?.documentId });
      if (source?.error !== undefined) return refuse(stream, [withoutHttp(source.error)]);
      const prepared = registry.prepare(source?.query ?? params.query);
      if (prepared.document === undefined) return refuse(stream, prepared.errors);
      const { document } = prepared;
      const operation = getOperationAST(document, params.operationName);
      if (operation == null) return refuse(stream, [withoutHttp(unknownOperation(params.operationName))]);
      stream.resolved = operation;
      if (operation.operation === 'mutation' && request.method === 'GET') {
        // As over HTTP: a link or an <img> must not be able to change anything.
        return refuse(stream, [new GraphQLError('Mutations are sent with POST', { extensions: { code: 'BAD_REQUEST' } })]);
      }
      const candidate: PipelineOperation = {
        caller: stream.caller,
        context: stream.context,
        document,
        operation,
        variables: params.variables,
        cost: 0,
      };
      stream.operation = candidate;
      const refusal = pipeline.admit(candidate);
      if (refusal !== undefined) return refuse(stream, [withoutHttp(refusal)]);
      stream.admitted = true;
      return {
        schema: options.schema,
        document,
        operationName: params.operationName ?? null,
        variableValues: params.variables ?? null,
        contextValue: stream.context as OperationContextOf<SubscriptionContext>,
      };
    },
    // Both run through the pipeline's execute step (spans); contextValue is always the context onSubscribe built.
    execute: (args: ExecutionArgs) => pipeline.execute(args.contextValue as GatewayContext, () => execute(args)),
    subscribe: async (args: ExecutionArgs) => {
      const results = await pipeline.execute(args.contextValue as GatewayContext, () => subscribeWithFreshLoaders(args));
      return Symbol.asyncIterator in results ? endingWithItsError(results) : results;
    },
    onNext: async (_context, request, result: ExecutionResult | ExecutionPatchResult) => {
      const stream = request.context;
      // Sent without the `data: null` that marked it as a result for graphql-sse: nothing ran.
      if (!stream.admitted || stream.operation === undefined) return { errors: result.errors ?? [] };
      if (result.errors !== undefined) stream.errors.push(...result.errors);
      // Back-pressure: the subscription is read no faster than the client reads its stream.
      await drained(stream.response);
      return pipeline.result(stream.operation, result as ExecutionResult);
    },
    onComplete: (_context, request) => settle(request.context),
  });

  /**
   * What the WebSocket checks before its first operation, checked before any stream: the client's connections, then
   * its token, with Kazoo. The token Kazoo accepted, or undefined once the request is answered with a refusal.
   */
  const acceptedToken = async (
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<{ token: string; tokenKey: string } | undefined> => {
    const address = clientAddress(request, options.trustedProxyHops);
    if (byAddress.atCap(address)) {
      sendJsonError(response, 429, 'TOO_MANY_CONNECTIONS', `This address already holds ${byAddress.cap} connections; close one first`);
      return undefined;
    }
    byAddress.hold(address, response);
    const token = tokenFromHeaders(request.headers);
    if (token === undefined) {
      refuseToken(response, 'Send your Kazoo token in X-Auth-Token (or Authorization: Bearer)');
      return undefined;
    }
    try {
      await auth.whoAmI({ client, token, requestId });
    } catch (error) {
      if (isKazooError(error) && error.code === 'UNAUTHENTICATED') {
        refuseToken(response, 'Kazoo does not accept this token');
        return undefined;
      }
      logger.warn({ code: isKazooError(error) ? error.code : 'INTERNAL', requestId }, 'could not check an event stream token with Kazoo');
      sendJsonError(response, 503, 'UPSTREAM_UNAVAILABLE', 'Kazoo is unavailable; retry later');
      return undefined;
    }
    const tokenKey = tokenBucketKey(token);
    if (byToken.atCap(tokenKey)) {
      sendJsonError(response, 429, 'TOO_MANY_CONNECTIONS', `This token already holds ${byToken.cap} connections; close one first`);
      return undefined;
    }
    byToken.hold(tokenKey, response);
    return { token, tokenKey };
  };

  const handle: SseTransport['handle'] = async (request, response, requestId) => {
    if (draining) {
      refuseWhileDraining(response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      response.setHeader('allow', 'GET, POST');
      sendJsonError(response, 405, 'METHOD_NOT_ALLOWED', `${SSE_PATH} takes GET or POST`);
      return;
    }
    if (!acceptsEventStream(request.headers.accept)) {
      const hint = `${SSE_PATH} sends event streams: ask with Accept: text/event-stream (plain GraphQL over HTTP is at /graphql)`;
      sendJsonError(response, 406, 'NOT_ACCEPTABLE', hint);
      return;
    }
    const accepted = await acceptedToken(request, response, requestId);
    if (accepted === undefined) return;
    const { token, tokenKey } = accepted;
    let body: string | null = null;
    if (request.method === 'POST') {
      try {
        body = await readBody(request, options.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        response.setHeader('connection', 'close');
        sendJsonError(response, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
        return;
      }
    }

    // The client going away (the stream closed) stops the Kazoo calls of its operation.
    const closed = new AbortController();
    response.once('close', () => closed.abort());
    const stream: EventStream = {
      response,
      // Kazoo has just accepted the token: its own bucket.
      caller: { transport: 'sse', rateKey: tokenKey },
      context: Object.assign(createContext(client, options.cursors, options.listingSizes, token, requestId, closed.signal), {
        live: options.live,
        connection: { expiresAt: auth.jwtExpiry(token), close: () => cut(stream) },
      }),
      startedAt: performance.now(),
      operation: undefined,
      resolved: undefined,
      admitted: false,
      errors: [],
      settled: false,
      messages: undefined,
    };
    pipeline.bindCaller(stream.context.session, stream.caller);

    let answer: Awaited<ReturnType<typeof sse>>;
    try {
      answer = await sse({
        method: request.method,
        url: request.url ?? SSE_PATH,
        headers: {
          // Accept was checked above; graphql-sse compares it whole, so `text/event-stream, */*` would not do.
          get: (name) => (name === 'accept' ? 'text/event-stream' : headerValue(request, name)),
        },
        body,
        raw: request,
        context: stream,
      });
    } catch (error) {
      stream.errors.push(toGraphQLError(error));
      settle(stream);
      throw error;
    }
    const [messages, init] = answer;
    if (messages === null || typeof messages === 'string') {
      // graphql-sse refused the request itself (no query, unreadable JSON or variables, a content type not JSON).
      sendJsonError(response, init.status, 'BAD_REQUEST', refusalMessage(messages) ?? init.statusText);
      return;
    }
    // The client left (its `close` has already been emitted), or the stream was cut, while it was being set up.
    if (response.destroyed || response.writableEnded) {
      await messages.return(undefined);
      return;
    }
    if (draining) {
      await messages.return(undefined);
      refuseWhileDraining(response);
      return;
    }

    stream.messages = messages;
    open.add(stream);
    const clientLeft = (): void => void messages.return(undefined);
    response.once('close', clientLeft);
    response.writeHead(init.status, init.statusText, { ...init.headers, ...STREAM_HEADERS });
    try {
      for await (const message of messages) {
        if (response.writableEnded || response.destroyed) break;
        response.write(message);
      }
    } finally {
      response.off('close', clientLeft);
      open.delete(stream);
      if (!response.writableEnded) response.end();
    }
  };

  return {
    handle,
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            draining = true;
            for (const stream of open) cut(stream);
          },
        };
      },
    },
  };
}

/**
 * A subscription's results, ending with its error as a last result (the token expired, Kazoo refused it): graphql-sse
 * would otherwise drop the stream as an internal error, where graphql-ws sends an `error` message. `return` reaches
 * the subscription at once, so a client that leaves stops it even while it waits for its next event.
 */
function endingWithItsError(results: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  let failed = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (failed) return { done: true, value: undefined };
      try {
        return await results.next();
      } catch (error) {
        failed = true;
        return { done: false, value: { errors: [toGraphQLError(error)] } };
      }
    },
    async return() {
      await results.return?.();
      return { done: true, value: undefined };
    },
    // graphql-sse stops only operations that look like generators (next, return and throw).
    async throw(error: unknown) {
      await results.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Whether an Accept header lists text/event-stream (with or without parameters, among other types). */
function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => range.split(';')[0]?.trim().toLowerCase() === 'text/event-stream');
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** No token, or one Kazoo refused: 401 before any stream, as the WebSocket closes with 4403 before any operation. */
function refuseToken(response: ServerResponse, message: string): void {
  response.setHeader('www-authenticate', 'Bearer');
  sendJsonError(response, 401, 'UNAUTHENTICATED', message);
}

/** A stream asked for while the gateway drains: another instance should take it. */
function refuseWhileDraining(response: ServerResponse): void {
  response.setHeader('connection', 'close');
  sendJsonError(response, 503, 'SHUTTING_DOWN', 'This gateway instance is shutting down; retry');
}

/** The message of graphql-sse's own JSON refusal, if it has one. */
function refusalMessage(body: string | null): string | undefined {
  if (body === null) return undefined;
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: unknown }[] };
    const message = parsed.errors?.[0]?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves once the response can take more (or the client is gone). */
function drained(response: ServerResponse): Promise<void> {
  if (!response.writableNeedDrain || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
