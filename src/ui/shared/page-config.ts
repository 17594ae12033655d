// Reads the configuration the gateway writes into each page (src/server/ui-build.ts `sendPage`) as JSON in
// <script id="page-config">, so the bundles stay static files and nothing is fetched to learn it.
export function readPageConfig<T>(): T {
  const element = document.getElementById('page-config');
  if (element?.textContent == null) throw new Error('The page has no #page-config element');
  return JSON.parse(element.textContent) as T;
}
