// The dashboard's link to the gateway, signed in with one Kazoo token: typed queries over GraphQL over HTTP and typed
// subscriptions over graphql-ws (token in the connection_init payload as `authToken`), reconnecting for as long as
// the page is open and reporting the connection state for the page to show. Operations are sent as trusted documents
// (`documentId`, over HTTP in the body, over graphql-ws in `extensions` with an empty `query`): the gateway serving
// the page knows them from the same build, so this page runs even where only trusted documents may (codegen.ts
// generates the ids and the manifest). A query answers its data together with the errors of the fields that failed
// (a field backed by a Kazoo call that failed is null, its siblings answer), so the page can show what it has; only
// an answer without data is thrown.
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import type { TypedDocumentString } from '../generated/graphql.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: unknown; occurrences?: unknown };
}

/** A GraphQL error (or transport failure) with its stable code, e.g. `UNAUTHENTICATED`. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    readonly code: string,
    /** The field that failed, when the error is a field's. */
    readonly path: readonly (string | number)[] = [],
    /** How many fields failed this way (the gateway folds the same failure of every row into one error). */
    readonly occurrences = 1,
  ) {
    super(message);
  }
}

const toGatewayError = (error: GraphQLErrorShape): GatewayError =>
  new GatewayError(
    error.message,
    typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN',
    error.path ?? [],
    typeof error.extensions?.occurrences === 'number' ? error.extensions.occurrences : 1,
  );

function gatewayError(errors: readonly GraphQLErrorShape[]): GatewayError {
  const first = errors[0];
  return first === undefined ? new GatewayError('Unknown error', 'UNKNOWN') : toGatewayError(first);
}

/** A query's answer: its data, and an error for each field that failed (null in `data`). */
interface QueryResult<T> {
  data: T;
  errors: GatewayError[];
}

/** The error of the field at `path` (or of a field inside it), or the first error, for a field that came back null. */
export function errorAt(errors: readonly GatewayError[], path: readonly string[]): GatewayError {
  return (
    errors.find((error) => path.every((segment, index) => error.path[index] === segment)) ??
    errors[0] ??
    new GatewayError(`The gateway answered no ${path.join('.')}`, 'BAD_RESPONSE')
  );
}

/** Close codes after which reconnecting cannot help: the gateway refused the token (graphql-ws 4401/4403). */
const REFUSED = new Set([4401, 4403]);

/** Reconnect quickly at first, then every 10 s at most: a wall screen must come back on its own. */
const retryWait = (retries: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000) + Math.random() * 500));

/** The trusted document id codegen gave a document (persistedDocuments); a document without one is a build error. */
export function documentIdOf(document: Pick<TypedDocumentString<unknown, unknown>, '__meta__'>): string {
  const id: unknown = document.__meta__?.hash;
  if (typeof id !== 'string') throw new Error('This document has no trusted document id: run `npm run codegen`');
  return id;
}

interface GatewayClientOptions {
  httpUrl: string;
  wsUrl: string;
  token: string;
  onConnectionState(state: ConnectionState): void;
}

interface Subscriber<T> {
  next(data: T): void;
  error(error: GatewayError): void;
}

export class GatewayClient {
  private readonly ws: Client;

  constructor(private readonly options: GatewayClientOptions) {
    this.ws = createClient({
      url: options.wsUrl,
      connectionParams: { authToken: options.token },
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (closeEvent) => !REFUSED.has((closeEvent as { code?: number } | undefined)?.code ?? 0),
      retryWait,
      keepAlive: 10_000,
      on: {
        connecting: (isRetry) => options.onConnectionState(isRetry ? 'reconnecting' : 'connecting'),
        connected: () => options.onConnectionState('live'),
        closed: () => options.onConnectionState('reconnecting'),
      },
    });
  }

  async query<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
  ): Promise<QueryResult<TResult>> {
    let response: Response;
    try {
      response = await fetch(this.options.httpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'x-auth-token': this.options.token,
        },
        body: JSON.stringify({ documentId: documentIdOf(document), variables }),
      });
    } catch {
      throw new GatewayError('The gateway cannot be reached', 'NETWORK_ERROR');
    }
    const body = (await response.json().catch(() => ({}))) as { data?: TResult | null; errors?: GraphQLErrorShape[] };
    if (body.data == null) {
      throw body.errors?.length ? gatewayError(body.errors) : new GatewayError(`The gateway answered ${response.status}`, 'BAD_RESPONSE');
    }
    return { data: body.data, errors: (body.errors ?? []).map(toGatewayError) };
  }

  /** Subscribes until the returned function is called; the subscription survives reconnections. */
  subscribe<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
    subscriber: Subscriber<TResult>,
  ): () => void {
    return this.ws.subscribe<TResult>(
      { query: '', extensions: { documentId: documentIdOf(document) }, variables: variables as Record<string, unknown> },
      {
        // An event whose `device` could not be read still carries its registration: take it.
        next: (result) => {
          if (result.data != null) subscriber.next(result.data);
          else if (result.errors?.length) subscriber.error(gatewayError(result.errors));
        },
        error: (error) => {
          this.options.onConnectionState('offline');
          if (Array.isArray(error)) subscriber.error(gatewayError(error as GraphQLErrorShape[]));
          else {
            const code = (error as { code?: number } | undefined)?.code;
            subscriber.error(
              code !== undefined && REFUSED.has(code)
                ? new GatewayError('The gateway refused the token', 'UNAUTHENTICATED')
                : new GatewayError('The live connection failed', 'NETWORK_ERROR'),
            );
          }
        },
        complete: () => undefined,
      },
    );
  }

  close(): void {
    void this.ws.dispose();
  }
}
