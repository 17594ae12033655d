// GraphiQL's fetcher: queries and mutations over HTTP (GraphQL over HTTP, the headers editor's headers sent as they
// are), subscriptions over graphql-ws on the same URL with the token from the headers editor moved into the
// connection_init payload as `authToken`, since browsers cannot set headers on a WebSocket.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit';
import { Kind, parse } from 'graphql';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';

/** The Kazoo token among GraphiQL's request headers: `X-Auth-Token`, else `Authorization: Bearer`. */
export function tokenFromHeaders(headers: Readonly<Record<string, unknown>>): string | undefined {
  const byName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value).trim()]));
  const direct = byName.get('x-auth-token');
  if (direct) return direct;
  return /^Bearer\s+(.+)$/i.exec(byName.get('authorization') ?? '')?.[1]?.trim() || undefined;
}

/**
 * GraphiQL learns the operation name and document from the editor 100 ms after a change (a debounce), so right after
 * switching tabs it can pass the previous tab's. The operation is taken from the query actually sent instead: the
 * one named, else the only one; that also decides between HTTP and WebSocket.
 */
export function operationOf(params: FetcherParams): { operationName?: string; documentAST?: DocumentNode } {
  let document: DocumentNode;
  try {
    document = parse(params.query);
  } catch {
    // The gateway will say what is wrong with it.
    return params.operationName == null ? {} : { operationName: params.operationName };
  }
  const operations = document.definitions.filter((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION);
  const named = operations.find((operation) => operation.name?.value === params.operationName);
  const operation = named ?? (operations.length === 1 ? operations[0] : undefined);
  const operationName = operation?.name?.value ?? params.operationName ?? undefined;
  return { documentAST: document, ...(operationName === undefined ? {} : { operationName }) };
}

export function createGatewayFetcher(httpUrl: string, wsUrl: string): Fetcher {
  // One fetcher per token, each with its own lazy graphql-ws client: the WebSocket opens with the first subscription
  // and closes after the last one ends.
  const fetchers = new Map<string, Fetcher>();
  const fetcherFor = (token: string | undefined): Fetcher => {
    let fetcher = fetchers.get(token ?? '');
    if (fetcher === undefined) {
      const wsClient = createClient({ url: wsUrl, connectionParams: token === undefined ? {} : { authToken: token } });
      fetcher = createGraphiQLFetcher({ url: httpUrl, wsClient, enableIncrementalDelivery: false });
      fetchers.set(token ?? '', fetcher);
    }
    return fetcher;
  };
  return (params, options) => {
    const { operationName, documentAST } = operationOf(params);
    const fetcherOptions: FetcherOpts = { ...options, ...(documentAST === undefined ? {} : { documentAST }) };
    return fetcherFor(tokenFromHeaders(options?.headers ?? {}))({ ...params, operationName: operationName ?? null }, fetcherOptions);
  };
}
