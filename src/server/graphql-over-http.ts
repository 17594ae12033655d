// GraphQL over HTTP on node:http, with Apollo Server as the framework-free core: this adapter only reads the body
// (bounded), hands Apollo a method/headers/search/body, and writes back what Apollo answers. A persisted document
// request (`documentId` in the body or the query string) becomes, as GraphQL over HTTP's Appendix A describes, the
// request of the document's text before Apollo sees it; the document registry says which text, or why none.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap } from '@apollo/server';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from '../graphql/context.js';
import { Cancellation } from '../kazoo/cancellation.js';
import type { CancelSignal } from '../kazoo/cancellation.js';
import { isRecord } from '../kazoo/client.js';
import type { DocumentRegistry } from './document-registry.js';

interface GraphQLOverHttpOptions {
  apollo: ApolloServer<GatewayContext>;
  /** `signal` aborts when the client goes away before its response is sent. */
  context: (request: IncomingMessage, requestId: string, signal: CancelSignal) => Promise<GatewayContext>;
  maxBodyBytes: number;
  /** Most operations in one batched POST (a JSON array), when Apollo is set to accept batches. */
  maxBatchSize?: number;
  /** Resolves `documentId`s to trusted documents and, in trusted-only mode, refuses other texts. */
  documents: Pick<DocumentRegistry, 'sourceOf'>;
}

/** A body larger than the route's bound: answered 413, never read further. */
export class BodyTooLargeError extends Error {}

/** The client went away while its body was being read: nothing to answer, and not a failure of the gateway. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** The request's body as text, at most `maxBytes` of it (BodyTooLargeError beyond). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // Node reports a client that aborts mid-body as an `aborted` ECONNRESET error on the request.
    request.on('error', (error) => reject(request.destroyed || request.readableAborted ? new ClientGoneError(error.message) : error));
  });
}

export function sendJsonError(response: ServerResponse, status: number, code: string, message: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** A request error raised before Apollo, with the status it carries (`extensions.http`, as Apollo's errors do). */
function sendRequestError(response: ServerResponse, error: GraphQLError): void {
  const status = (error.extensions.http as { status?: number } | undefined)?.status ?? 400;
  sendJsonError(response, status, String(error.extensions.code), error.message);
}


/** One POST operation with the text its `documentId` names in place of the id; or why it may not run. */
function resolvePosted(operation: unknown, documents: GraphQLOverHttpOptions['documents']): { operation: unknown } | { error: GraphQLError } {
  if (!isRecord(operation)) return { operation };
  const source = documents.sourceOf({ query: operation.query, documentId: operation.documentId });
  if (source === undefined) return { operation };
  if (source.error !== undefined) return { error: source.error };
  const { documentId: _documentId, ...parameters } = operation;
  return { operation: { ...parameters, query: source.query } };
}

/** A GET request's query string with the text its `documentId` names in place of the id; or why it may not run. */
function resolveSearch(search: string, documents: GraphQLOverHttpOptions['documents']): { search: string } | { error: GraphQLError } {
  const parameters = new URLSearchParams(search);
  const source = documents.sourceOf({ query: parameters.get('query') ?? undefined, documentId: parameters.get('documentId') ?? undefined });
  if (source === undefined) return { search };
  if (source.error !== undefined) return { error: source.error };
  if (!parameters.has('documentId')) return { search };
  parameters.delete('documentId');
  parameters.set('query', source.query);
  return { search: `?${parameters.toString()}` };
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

export function graphqlOverHttp(options: GraphQLOverHttpOptions) {
  return async (request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> => {
    let body: unknown;
    if (request.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(request, options.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          response.setHeader('connection', 'close');
          sendJsonError(response, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
          return;
        }
        throw error;
      }
      if (isJson(request.headers['content-type'])) {
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          sendJsonError(response, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
          return;
        }
      } else {
        body = raw;
      }
      if (Array.isArray(body) && options.maxBatchSize !== undefined && body.length > options.maxBatchSize) {
        sendJsonError(
          response,
          400,
          'BATCH_TOO_LARGE',
          `A batch may hold at most ${options.maxBatchSize} operations; this one has ${body.length}`,
        );
        return;
      }
      // A batch is refused whole when one of its operations is: nothing of it runs.
      const operations: unknown[] = [];
      for (const operation of Array.isArray(body) ? body : [body]) {
        const resolved = resolvePosted(operation, options.documents);
        if ('error' in resolved) {
          sendRequestError(response, resolved.error);
          return;
        }
        operations.push(resolved.operation);
      }
      body = Array.isArray(body) ? operations : operations[0];
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = request.url ?? '/';
    const searchStart = url.indexOf('?');
    // A client that disconnects before its answer is sent cancels the operation's Kazoo calls.
    const clientGone = new Cancellation();
    response.once('close', () => {
      if (!response.writableFinished) clientGone.abort();
    });
    const method = request.method?.toUpperCase() ?? 'GET';
    let search = searchStart === -1 ? '' : url.slice(searchStart);
    if (method === 'GET') {
      const resolved = resolveSearch(search, options.documents);
      if ('error' in resolved) {
        sendRequestError(response, resolved.error);
        return;
      }
      search = resolved.search;
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search, body },
      context: () => options.context(request, requestId, clientGone),
    });
    // Answers depend on the caller's token: no cache may keep them (Apollo's cache-control plugin is off).
    response.setHeader('cache-control', 'no-store');
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
}
