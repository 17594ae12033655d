// The browser UI that scripts/build-ui.mjs bundles into dist/ui: its manifest (with the documents its pages send by
// id), its files served as exact routes (only files found in the build folder at start-up can be named, so no path
// leads outside it) with content types, cache headers and precompressed bodies, and the HTML shell every page uses.
import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { MonacoWorkerUrls } from '../ui/shared/page-config.js';
import { parseTrustedDocuments } from './trusted-documents.js';
import type { TrustedDocuments } from './trusted-documents.js';

/** A route handler, as gateway.ts's `routes` map takes them. */
export type UiRouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** What one page loads, as paths relative to the page (pages live at /graphql and /dashboard). */
interface UiPageAssets {
  scripts: string[];
  styles: string[];
}

export interface UiManifest {
  graphiql: UiPageAssets & { workers: MonacoWorkerUrls };
  dashboard: UiPageAssets;
  /**
   * The documents the pages send by id (the dashboard's operations, GraphiQL's examples): codegen's
   * persisted-documents.json (src/ui/generated), copied in by the build. Absent from builds made before it existed.
   */
  trustedDocuments?: Record<string, string>;
}

type UiPart = keyof UiManifest;

export interface UiBuild {
  readonly manifest: UiManifest;
  /** The pages' own documents: the gateway trusts them as it trusts the pages it serves. */
  readonly trustedDocuments: TrustedDocuments;
  /** One route per built file of that part, keyed by URL path (`/ui/graphiql/...`). */
  assetRoutes(part: UiPart): Map<string, UiRouteHandler>;
}

/** dist/ui of this project, from src/server (tsx, tests) as from dist/server (the build). */
const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** Precompressed siblings written by the build, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** Every built file name carries its content hash, so a name never changes meaning: cache it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The built UI in `dir`, or undefined when it has not been built (or is being rebuilt right now). */
export function loadUiBuild(dir: string = DEFAULT_UI_DIR): UiBuild | undefined {
  let manifest: UiManifest;
  let files: string[];
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as UiManifest;
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const present = new Set(files.map((file) => file.split(sep).join('/')));
  return {
    manifest,
    trustedDocuments: parseTrustedDocuments(manifest.trustedDocuments ?? {}, `${join(dir, 'manifest.json')} trustedDocuments`),
    assetRoutes(part) {
      const routes = new Map<string, UiRouteHandler>();
      for (const file of present) {
        const type = CONTENT_TYPES[extname(file)];
        if (!file.startsWith(`${part}/`) || type === undefined) continue;
        const encodings = ENCODINGS.filter((encoding) => present.has(`${file}${encoding.suffix}`));
        routes.set(`/ui/${file}`, serveFile(join(dir, ...file.split('/')), type, encodings));
      }
      return routes;
    },
  };
}

/** The encodings a client accepts (q > 0), lower-cased. */
function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  return accepted;
}

function serveFile(path: string, contentType: string, encodings: readonly (typeof ENCODINGS)[number][]): UiRouteHandler {
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    const accepted = acceptedEncodings(request.headers['accept-encoding']);
    const encoding = encodings.find((candidate) => accepted.has(candidate.name));
    const body = encoding === undefined ? path : `${path}${encoding.suffix}`;
    let size: number;
    try {
      size = statSync(body).size;
    } catch {
      // Deleted since start-up (a rebuild): the page that asked for it is stale too.
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Not found\n');
      return;
    }
    response.writeHead(200, {
      'content-type': contentType,
      'content-length': size,
      'cache-control': IMMUTABLE,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      ...(encoding === undefined ? {} : { 'content-encoding': encoding.name }),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeline(createReadStream(body), response);
  };
}

/**
 * The pages only load what the gateway serves itself; the policy makes the browser refuse anything else (Monaco
 * adds <style> elements at run time, hence inline styles; its fonts are data: URIs).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** JSON that can sit inside a <script> element: no `</script>` or `<!--` can be formed. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

interface PageOptions {
  title: string;
  assets: UiPageAssets;
  /** Handed to the page's script as JSON (read by src/ui/shared/page-config.ts). */
  config: unknown;
}

export function sendPage(request: IncomingMessage, response: ServerResponse, page: PageOptions): void {
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    '<link rel="icon" href="data:,">',
    ...page.assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    `<script id="page-config" type="application/json">${scriptJson(page.config)}</script>`,
    ...page.assets.scripts.map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`),
    '</head>',
    '<body><div id="root"></div></body>',
    '</html>',
    '',
  ].join('\n');
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    // The page may carry the demo token: never keep it in a shared cache.
    'cache-control': 'no-store',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : html);
}

/** Answer for a page whose UI was not built (e.g. the gateway runs from sources without `npm run build`). */
export function sendNotBuilt(response: ServerResponse, what: string): void {
  response
    .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(`${what} is not built: run \`npm run build\` (it writes dist/ui), then restart the gateway.\n`);
}

