// The live registration dashboard: GET /dashboard serves the page and /ui/dashboard/ its bundled assets. The page
// itself only talks to the gateway's own GraphQL API (queries over HTTP, registrationChanged over graphql-ws).
import { sendNotBuilt, sendPage } from './ui-build.js';
import type { DashboardPageConfig, DemoCredentials } from '../ui/shared/page-config.js';
import type { UiBuild, UiRouteHandler } from './ui-build.js';

interface DashboardOptions {
  build: UiBuild | undefined;
  demo: DemoCredentials | undefined;
}

/** The dashboard's routes, keyed by exact URL path: the page and every built asset. */
export function useDashboard(options: DashboardOptions): Map<string, UiRouteHandler> {
  const { build } = options;
  const page: UiRouteHandler = (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    if (build === undefined) {
      sendNotBuilt(response, 'The dashboard');
      return;
    }
    const config: DashboardPageConfig = { demo: options.demo ?? null };
    sendPage(request, response, {
      title: options.demo === undefined ? 'Registrations · Kazoo' : 'Registrations · Kazoo (demo)',
      assets: build.manifest.dashboard,
      config,
    });
  };
  return new Map([['/dashboard', page], ...(build?.assetRoutes('dashboard') ?? [])]);
}
