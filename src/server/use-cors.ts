// CORS for browser frontends served from other origins (`CORS_ORIGINS`). Allowed origins are listed exactly
// (`https://admin.example.com`), with any port (`http://localhost:*`, for dev servers whose port moves), or `*` for
// any; with a list the request's own origin is echoed with `Vary: Origin`. Credentials (cookies) are never allowed
// together with `*`. The gateway authenticates with headers (X-Auth-Token, Authorization), which browsers only send
// cross-origin after a preflight this module answers: allowed, or refused as CORS (403, a body saying how to allow
// the origin), never left to Apollo, whose CSRF check would answer a preflight with a misleading 400.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonError } from './graphql-over-http.js';

export interface CorsOptions {
  /** Origins (scheme://host[:port] or scheme://host:*), or ['*'] for any origin. Empty: no CORS headers at all. */
  origins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` (only with a list of origins). */
  allowCredentials?: boolean;
  /** How long browsers may cache a preflight answer. */
  maxAgeSeconds?: number;
}

/** What demo mode allows without configuration: dev servers (Vite, webpack, ...) on this machine, on any port. */
export const LOCAL_DEV_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  'x-auth-token',
  'x-request-id',
  // Apollo's CSRF prevention accepts requests carrying either of these.
  'apollo-require-preflight',
  'x-apollo-operation-name',
  // Apollo Client's clientAwareness.
  'apollographql-client-name',
  'apollographql-client-version',
  // Trace propagation: W3C Trace Context and Baggage (OpenTelemetry web), and Sentry's browser SDK.
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
];
const EXPOSED_HEADERS = 'x-request-id, retry-after';
/** An origin as browsers send it (lower case, punycode host), or one whose port is `*`. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?$/i;
const ANY_PORT = ':*';

/** Checks a CORS origin list; the message names what is wrong (config.ts reports it against CORS_ORIGINS). */
export function corsOriginsProblem(origins: readonly string[], allowCredentials: boolean): string | undefined {
  if (origins.includes('*')) {
    if (origins.length > 1) return '"*" cannot be combined with other origins';
    if (allowCredentials) return '"*" cannot be combined with credentials (CORS_ALLOW_CREDENTIALS)';
    return undefined;
  }
  const bad = origins.find((origin) => !ORIGIN.test(origin));
  if (bad === undefined) return undefined;
  return bad.includes('*')
    ? `"${bad}": only the port may be a wildcard, as in http://localhost:*`
    : `"${bad}" is not an origin such as https://admin.example.com or http://localhost:5173`;
}

interface Cors {
  /** Adds the CORS headers a request's origin is entitled to; answers preflights itself (returns true then). */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

export function useCors(options: CorsOptions): Cors {
  const allowCredentials = options.allowCredentials === true;
  const problem = corsOriginsProblem(options.origins, allowCredentials);
  if (problem !== undefined) throw new Error(`Invalid CORS origins: ${problem}`);
  const anyOrigin = options.origins.includes('*');
  const allows = originMatcher(options.origins);
  // Only a list makes the answer depend on the Origin header (none: never CORS headers; `*`: always the same).
  const variesByOrigin = !anyOrigin && options.origins.length > 0;
  const maxAge = String(options.maxAgeSeconds ?? 600);

  return {
    handle(request, response) {
      const origin = request.headers.origin;
      const isPreflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
      if (variesByOrigin) response.setHeader('vary', 'Origin');
      const allowed = origin !== undefined && (anyOrigin || allows(origin));
      if (allowed) {
        response.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
        if (allowCredentials) response.setHeader('access-control-allow-credentials', 'true');
        response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      }
      if (!isPreflight) return false;
      if (!allowed) {
        sendJsonError(response, 403, 'FORBIDDEN', refusal(origin));
        return true;
      }
      response.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      response.setHeader('access-control-allow-headers', ALLOWED_HEADERS.join(', '));
      response.setHeader('access-control-max-age', maxAge);
      response.statusCode = 204;
      response.end();
      return true;
    },
  };
}

/**
 * Exact origins by equality; `scheme://host:*` by its `scheme://host:` prefix followed by a port, or by
 * `scheme://host` alone (the scheme's default port, which browsers leave out). The host is never a prefix match:
 * `http://localhost:*` does not allow `http://localhost.evil.example:5173`.
 */
function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPortOf = new Set<string>();
  for (const origin of origins.map((listed) => listed.toLowerCase())) {
    if (origin.endsWith(ANY_PORT)) anyPortOf.add(origin.slice(0, -ANY_PORT.length));
    else exact.add(origin);
  }
  return (requestOrigin) => {
    const origin = requestOrigin.toLowerCase();
    if (exact.has(origin) || anyPortOf.has(origin)) return true;
    const port = /:(\d{1,5})$/.exec(origin);
    return port !== null && anyPortOf.has(origin.slice(0, port.index));
  };
}

/** What a refused preflight says: a browser shows it in its network panel, where "CORS error" alone is a dead end. */
function refusal(origin: string | undefined): string {
  if (origin === undefined) return 'CORS preflight refused: the request has no Origin header';
  const refused = `CORS preflight refused: the origin ${JSON.stringify(origin)} may not call this gateway from a browser.`;
  // `null` (a file:// page, a sandboxed frame) and other non-origins cannot be listed.
  if (!ORIGIN.test(origin)) return `${refused} Serve the page from an http(s) origin.`;
  return (
    `${refused} Allow it with CORS_ORIGINS=${origin} (comma-separated; http://localhost:* allows every port),` +
    " or call the gateway through your dev server's proxy."
  );
}
