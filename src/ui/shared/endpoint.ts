// Where the gateway's GraphQL endpoint is, seen from a page it served: relative to the page, so the UI keeps working
// behind a proxy that mounts the gateway under a path prefix.
export function graphqlHttpUrl(base: string = document.baseURI): string {
  return new URL('graphql', base).href;
}

/** The same endpoint for graphql-ws: ws:// or wss:// as the page itself is http:// or https://. */
export function graphqlWsUrl(base: string = document.baseURI): string {
  const url = new URL('graphql', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
