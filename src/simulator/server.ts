// The HTTP/1.1 front end (node:http, no framework): Crossbar's request flow for /v2, faults, logging,
// and the optional /__simulator control routes.
import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpVerb, RequestContext, SimulatorState } from './context.js';
import {
  BareHttpError,
  CrossbarError,
  errorEnvelope,
  humanError,
  successEnvelope,
  systemError,
  type EnvelopeMeta,
} from './envelope.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { resolveRoute } from './router.js';
import type { TokenClaims } from './tokens.js';
import type { Fault, RequestLogEntry } from './types.js';

/** crossbar.max_upload_size default (api_util.erl). */
const MAX_BODY_BYTES = 8_000_000;
const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const VERBS: readonly string[] = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];

// api_util.erl add_cors_headers/2
const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS, HEAD, PATCH',
  'access-control-allow-headers':
    'content-type, depth, user-agent, x-http-method-override, x-file-size, x-requested-with, if-modified-since, x-file-name, cache-control, x-auth-token, x-auth-account-id, if-match, if-none-match, x-request-id',
  'access-control-expose-headers': 'content-type, x-auth-token, x-request-id, x-kazoo-cluster-id, location, etag',
  'access-control-max-age': '86400',
};

export interface ControlRouter {
  handle(method: string, path: string, body: unknown): { status: number; body: unknown };
}

interface ParsedBody {
  tooLarge: boolean;
  text: string;
}

function readBody(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // keep draining an oversized body so the 413 reaches a client that is still sending
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ tooLarge: size > MAX_BODY_BYTES, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true; // api_util ensure_content_type: missing = JSON
  const type = header.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/x-json';
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** api_util:get_auth_token/2: X-Auth-Token, then auth_token in data, query string or envelope, then Bearer. */
function findAuthToken(req: IncomingMessage, data: JsonValue, envelope: JsonObject, query: Record<string, string>): string | undefined {
  const header = headerValue(req, 'x-auth-token');
  if (header) return header;
  const candidates = [isJsonObject(data) ? data.auth_token : undefined, query.auth_token, envelope.auth_token];
  for (const candidate of candidates) if (typeof candidate === 'string' && candidate !== '') return candidate;
  const authorization = headerValue(req, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  return bearer?.trim() || undefined;
}

/** Crossbar URL-decodes path tokens (api_util:path_tokens/1). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function faultBody(fault: Extract<Fault, { kind: 'status' }>, meta: EnvelopeMeta): string {
  if (fault.body !== undefined) return fault.body;
  const key = fault.status === 503 ? systemError('datastore_fault') : fault.status === 500 ? systemError('unspecified_fault') : undefined;
  const text = (STATUS_CODES[fault.status] ?? 'error').toLowerCase();
  return JSON.stringify(errorEnvelope(meta, key ?? new CrossbarError(fault.status, text.replace(/\s+/g, '_'), { message: text })));
}

interface ServerOptions {
  control: ControlRouter | undefined;
}

export class CrossbarServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly sim: SimulatorState,
    private readonly options: ServerOptions,
  ) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { status: 'error', error: '500', message: String(error) });
        else res.destroy();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const requestId = headerValue(req, 'x-request-id') || randomBytes(16).toString('hex');
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    res.setHeader('x-request-id', requestId);

    if (path === '/__simulator' || path.startsWith('/__simulator/')) {
      const body = await readBody(req);
      if (this.options.control) {
        let parsed: unknown;
        try {
          parsed = body.text === '' ? {} : JSON.parse(body.text);
        } catch {
          sendJson(res, 400, { error: 'invalid JSON' });
          return;
        }
        try {
          const answer = this.options.control.handle(req.method ?? 'GET', path.slice('/__simulator'.length), parsed);
          sendJson(res, answer.status, answer.body);
        } catch (error) {
          sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
        }
        return;
      }
      sendJson(res, 404, errorEnvelope({ requestId, authToken: undefined }, systemError('not_found')));
      return;
    }
    if (path !== '/v2' && !path.startsWith('/v2/')) {
      await readBody(req);
      sendJson(res, 404, errorEnvelope({ requestId, authToken: undefined }, systemError('not_found')));
      return;
    }

    const traceparent = headerValue(req, 'traceparent');
    const logEntry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path,
      query,
      status: 0,
      authenticated: false,
      requestId,
      ...(traceparent ? { traceparent } : {}),
      at: Date.now(),
    };
    this.sim.requests.push(logEntry);
    const fault = this.sim.faults.take(logEntry.method, path);
    if (fault?.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (fault?.kind === 'hang') {
      const released = await new Promise<boolean>((resolve) => {
        const forget = this.sim.faults.hold(() => resolve(true));
        req.socket.once('close', () => {
          forget();
          resolve(false);
        });
      });
      if (!released || req.socket.destroyed) return;
    }
    if (fault?.kind === 'delay') await this.sleep(fault.ms);
    if (res.destroyed) return;
    if (fault?.kind === 'status') {
      logEntry.status = fault.status;
      const text = faultBody(fault, { requestId, authToken: headerValue(req, 'x-auth-token') });
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (fault?.kind === 'malformed') {
      logEntry.status = 200;
      const text = `{"auth_token":"${headerValue(req, 'x-auth-token') ?? ''}","data":[{"id":"`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const outcome = this.serveCrossbar(req, path, query, requestId, body);
    logEntry.status = outcome.status;
    logEntry.authenticated = outcome.authenticated;
    if (outcome.body === undefined) {
      res.writeHead(outcome.status, { 'content-length': 0 });
      res.end();
    } else {
      sendJson(res, outcome.status, outcome.body, outcome.headers);
    }
  }

  /** Crossbar's REST flow, in api_resource.erl's order. */
  private serveCrossbar(
    req: IncomingMessage,
    path: string,
    query: Record<string, string>,
    requestId: string,
    body: ParsedBody,
  ): { status: number; body: JsonObject | undefined; headers?: Record<string, string>; authenticated: boolean } {
    const method = (req.method ?? 'GET').toUpperCase();
    let authToken: string | undefined = headerValue(req, 'x-auth-token');
    let claims: TokenClaims | undefined;
    const fail = (error: unknown): { status: number; body: JsonObject | undefined; authenticated: boolean } => {
      if (error instanceof BareHttpError) return { status: error.status, body: undefined, authenticated: claims !== undefined };
      if (!(error instanceof CrossbarError)) throw error;
      return { status: error.status, body: errorEnvelope({ requestId, authToken }, error), authenticated: claims !== undefined };
    };
    if (method === 'OPTIONS') return { status: 200, body: undefined, authenticated: false };
    try {
      // init: body size and JSON envelope
      if (body.tooLarge) throw new CrossbarError(413, 'too_large', { message: `request body exceeds the ${MAX_BODY_BYTES} bytes upload limit` });
      const contentType = headerValue(req, 'content-type');
      const hasJsonBody = isJsonContentType(contentType);
      let envelope: JsonObject = {};
      if (hasJsonBody && body.text.trim() !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.text);
        } catch (error) {
          throw new CrossbarError(400, 'validation error', {
            json: { invalid: { message: error instanceof Error ? error.message : 'All JSON must be valid', target: 'body' } },
          });
        }
        if (!isJsonObject(parsed)) {
          throw new CrossbarError(400, 'validation error', { json: { invalid: { message: 'All JSON must be valid', target: 'body' } } });
        }
        envelope = parsed;
      }
      const data: JsonValue = envelope.data ?? {};
      if (!isJsonObject(data) && !Array.isArray(data)) {
        throw new CrossbarError(400, 'validation error', {
          data: { type: { message: 'Data must be an object or an array', target: 'object' } },
        });
      }
      // verb tunnelling: POST with ?verb= or "verb" in the envelope
      const tunnelled = method === 'POST' ? (query.verb ?? (typeof envelope.verb === 'string' ? envelope.verb : undefined)) : undefined;
      const verbName = (tunnelled ?? (method === 'HEAD' ? 'GET' : method)).toUpperCase();

      // early authentication: an expired JWT or an unknown legacy token stops here (cb_token_auth)
      authToken = findAuthToken(req, data, envelope, query);
      if (authToken !== undefined) {
        const check = this.sim.tokens.check(authToken);
        if (check.kind === 'expired' || check.kind === 'not_jwt') throw humanError(401, 'invalid credentials');
        if (check.kind === 'valid') claims = check.claims;
      }

      // allowed_methods: unknown path 404, wrong verb 405
      const segments = path.split('/').filter((segment) => segment !== '').map(decodeSegment);
      const route = resolveRoute(segments.slice(1));
      const allowed = route?.resource.allowedMethods(route.tokens) ?? [];
      if (!route || allowed.length === 0) throw systemError('not_found');
      if (!VERBS.includes(verbName) || !allowed.includes(verbName as HttpVerb)) throw systemError('invalid_method');
      const verb = verbName as HttpVerb;

      // malformed_request: the account in the path must exist
      let account;
      if (route.accountId !== undefined) {
        if (!ACCOUNT_ID.test(route.accountId)) {
          throw humanError(404, 'bad identifier', { message: `invalid account_id '${route.accountId}'` });
        }
        account = this.sim.store.account(route.accountId);
        if (!account) throw systemError('bad_identifier', { cause: route.accountId });
      }

      // is_authorized: a token is required unless the module authenticates the request itself
      const anonymous = route.resource.allowsAnonymous?.(verb, route.tokens) ?? false;
      if (!claims && !anonymous) throw systemError('invalid_credentials');
      const clientAddress = req.socket.remoteAddress ?? 'unknown';
      if (claims && !this.sim.rateLimiter.consume(clientAddress, route.accountId ?? claims.account_id, 1)) {
        throw systemError('too_many_requests');
      }
      // forbidden: a token only reaches its own account
      if (claims && account && claims.account_id !== account.id && !anonymous) throw systemError('forbidden');
      // known_content_type: cowboy answers 415 itself
      if ((verb === 'PUT' || verb === 'POST' || verb === 'PATCH') && !hasJsonBody) throw new BareHttpError(415);

      const ctx: RequestContext = {
        sim: this.sim,
        verb,
        requestId,
        query,
        headers: req.headers,
        reqData: data,
        reqJson: envelope,
        account,
        auth: claims,
        authToken,
        clientAddress,
      };
      const result = route.resource.execute(ctx, route.tokens);
      const status = result.status ?? (verb === 'PUT' ? 201 : 200);
      const headers: Record<string, string> = {};
      if (verb === 'GET' && result.etag !== undefined) headers.etag = `"${result.etag}"`;
      return {
        status,
        body: successEnvelope({ requestId, authToken: result.authToken ?? authToken }, result.data, result.revision, result.pagination),
        headers,
        authenticated: claims !== undefined,
      };
    } catch (error) {
      return fail(error);
    }
  }
}
