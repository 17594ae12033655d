// The configuration the gateway writes into each page (src/server/ui-build.ts `sendPage`) as JSON in
// <script id="page-config">, so the bundles stay static files and nothing is fetched to learn it. Its types live
// here, on the browser's side: the server imports them, the UI never imports from src/server.

/** Embedded-simulator mode: the throwaway demo credentials the pages pre-fill. */
export interface DemoCredentials {
  token: string;
  accountId: string;
}

/** The built Monaco web workers GraphiQL starts, as paths relative to the page. */
export interface MonacoWorkerUrls {
  editor: string;
  json: string;
  graphql: string;
}

/** What the GraphiQL page's script reads (src/ui/graphiql/main.ts). */
export interface GraphiQLPageConfig {
  demo: DemoCredentials | null;
  workers: MonacoWorkerUrls;
}

/** What the dashboard's script reads (src/ui/dashboard/main.ts). */
export interface DashboardPageConfig {
  demo: DemoCredentials | null;
}

export function readPageConfig<T extends GraphiQLPageConfig | DashboardPageConfig>(): T {
  const element = document.getElementById('page-config');
  if (element?.textContent == null) throw new Error('The page has no #page-config element');
  return JSON.parse(element.textContent) as T;
}
