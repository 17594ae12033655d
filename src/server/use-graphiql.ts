// GraphiQL on GET /graphql for browsers (content negotiation on Accept: API clients never see it) and its bundled
// assets under /ui/graphiql/. The page gets the Monaco worker URLs and, in embedded-simulator mode, the demo token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNotBuilt, sendPage } from './ui-build.js';
import type { DemoCredentials, GraphiQLPageConfig } from '../ui/shared/page-config.js';
import type { UiBuild, UiRouteHandler } from './ui-build.js';

type ApiRoute = (request: IncomingMessage, response: ServerResponse, requestId: string) => void | Promise<void>;

interface GraphiQLOptions {
  /** The built UI, or undefined when it was not built (the page then says how to build it). */
  build: UiBuild | undefined;
  demo: DemoCredentials | undefined;
}

interface GraphiQL {
  /** The /graphql route: GraphiQL for a browser asking for HTML, `api` for every other request. */
  graphqlRoute(api: ApiRoute): ApiRoute;
  readonly assetRoutes: Map<string, UiRouteHandler>;
}

const JSON_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/**
 * True when an Accept header prefers HTML to JSON: `text/html` must be listed by name with q > 0 and weigh at least
 * as much as any JSON type, wildcards counting for JSON (so a browser's catch-all at q=0.8 loses to its `text/html`);
 * on a tie the type listed first wins. No Accept header, or a catch-all alone, means an API client.
 */
export function prefersHtml(accept: string | undefined): boolean {
  let html: { q: number; index: number } | undefined;
  let json: { q: number; index: number } | undefined;
  (accept ?? '').split(',').forEach((range, index) => {
    const [type = '', ...params] = range.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) return;
    if (type === 'text/html' && (html === undefined || q > html.q)) html = { q, index };
    if ((JSON_TYPES.has(type) || type === 'application/*' || type === '*/*') && (json === undefined || q > json.q)) {
      json = { q, index };
    }
  });
  if (html === undefined) return false;
  return json === undefined || html.q > json.q || (html.q === json.q && html.index < json.index);
}

export function useGraphiQL(options: GraphiQLOptions): GraphiQL {
  const { build } = options;
  return {
    graphqlRoute(api) {
      return (request, response, requestId) => {
        if ((request.method !== 'GET' && request.method !== 'HEAD') || !prefersHtml(request.headers.accept)) {
          return api(request, response, requestId);
        }
        if (build === undefined) {
          sendNotBuilt(response, 'GraphiQL');
          return;
        }
        const config: GraphiQLPageConfig = { demo: options.demo ?? null, workers: build.manifest.graphiql.workers };
        sendPage(request, response, {
          title: options.demo === undefined ? 'GraphiQL · Kazoo GraphQL gateway' : 'GraphiQL · Kazoo GraphQL gateway (demo)',
          assets: build.manifest.graphiql,
          config,
        });
      };
    },
    assetRoutes: build?.assetRoutes('graphiql') ?? new Map(),
  };
}
