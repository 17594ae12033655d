// CORS for browser frontends on other origins: listed origins get their preflight answered and their responses
// readable; other origins get a CORS refusal, never Apollo's CSRF error; `*` never comes with credentials; demo mode
// lets dev servers on this machine (any port) in without configuration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';

const ALLOWED = 'https://admin.example.com';

async function preflight(harness: Harness, origin: string, requestHeaders = 'content-type, x-auth-token'): Promise<Response> {
  return fetch(`${harness.gateway.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
}

/** A refused preflight: no allow headers, and a body saying CORS refused the origin and how to allow it. */
async function expectCorsRefusal(response: Response, origin: string): Promise<void> {
  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(response.headers.get('access-control-allow-headers')).toBeNull();
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0]?.extensions.code).toBe('FORBIDDEN');
  expect(body.errors[0]?.message).toContain(`CORS preflight refused: the origin "${origin}"`);
  expect(body.errors[0]?.message).toContain(`CORS_ORIGINS=${origin}`);
  expect(body.errors[0]?.message).not.toMatch(/CSRF/);
}

/** The headers Apollo Client (clientAwareness), OpenTelemetry web and Sentry add to requests. */
const CLIENT_HEADERS = [
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
];

describe('a list of origins, with credentials', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ gateway: { cors: { origins: [ALLOWED], allowCredentials: true } } });
  });
  afterAll(() => harness.close());

  it('answers the preflight of a listed origin', async () => {
    const response = await preflight(harness, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-auth-token');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('lets the listed origin read responses, request id included', async () => {
    const result = await harness.graphql('{ viewer { accountId } }', {}, { headers: { origin: ALLOWED } });
    expect(result.errors).toBeUndefined();
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json', 'x-auth-token': harness.token },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('gives another origin no CORS headers, and refuses its preflight as CORS', async () => {
    await expectCorsRefusal(await preflight(harness, 'https://evil.example.net'), 'https://evil.example.net');
    const post = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.net', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("keeps Apollo's CSRF prevention: a simple cross-site form post is refused", async () => {
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { loginWithApiKey(apiKey: "x") { accessToken { token } } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
  });
});

describe('any origin', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ gateway: { cors: { origins: ['*'] } } });
  });
  afterAll(() => harness.close());

  it('answers with * and never with credentials', async () => {
    const response = await preflight(harness, 'https://anywhere.example.org');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('demo mode (no KAZOO_URL): dev servers on this machine, on any port', () => {
  let harness: Harness;
  beforeAll(async () => {
    // What main.ts passes the gateway when started without KAZOO_URL or CORS_ORIGINS.
    harness = await startHarness({ gateway: { cors: { origins: loadConfig({}).corsOrigins } } });
  });
  afterAll(() => harness.close());

  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000']) {
    it(`answers the preflight of ${origin} and lets it read the answer`, async () => {
      const answer = await preflight(harness, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-headers')).toContain('x-auth-token');

      const response = await fetch(`${harness.gateway.url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', 'x-auth-token': harness.token },
        body: JSON.stringify({ query: '{ viewer { accountId } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(await response.json()).toMatchObject({ data: { viewer: { accountId: harness.accountId } } });
    });
  }

  it('allows the headers common clients add (Apollo client awareness, trace propagation)', async () => {
    const answer = await preflight(harness, 'http://localhost:5173', ['content-type', 'x-auth-token', ...CLIENT_HEADERS].join(', '));
    expect(answer.status).toBe(204);
    const allowed = (answer.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(CLIENT_HEADERS));
  });

  // Only http, only those two hosts, and the host never as a prefix.
  for (const origin of [
    'https://localhost.evil.example',
    'http://localhost.evil.example:5173',
    'http://127.0.0.1.evil.example:3000',
    'https://localhost:5173',
    'http://192.168.1.20:5173',
  ]) {
    it(`refuses ${origin} as CORS`, async () => {
      await expectCorsRefusal(await preflight(harness, origin), origin);
    });
  }
});

describe('with a KAZOO_URL and no CORS_ORIGINS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ gateway: { cors: { origins: loadConfig({ KAZOO_URL: 'http://kazoo:8000' }).corsOrigins } } });
  });
  afterAll(() => harness.close());

  it("refuses a dev server's preflight as CORS, not with Apollo's CSRF error", async () => {
    await expectCorsRefusal(await preflight(harness, 'http://localhost:5173'), 'http://localhost:5173');
  });

  it('sends no CORS headers on other requests', async () => {
    const response = await fetch(`${harness.gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json', 'x-auth-token': harness.token },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
  });
});

describe('configuration', () => {
  it('refuses * together with credentials, and things that are not origins', () => {
    expect(() => loadConfig({ CORS_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' })).toThrow(/CORS_ORIGINS.*credentials/);
    expect(() => loadConfig({ CORS_ORIGINS: '*, https://a.example.com' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'admin.example.com' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example.com/' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });

  it('allows local dev servers by default in demo mode only; CORS_ORIGINS replaces the default', () => {
    expect(loadConfig({}).corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    expect(loadConfig({ KAZOO_URL: 'http://kazoo:8000' }).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://admin.example.com' }).corsOrigins).toEqual(['https://admin.example.com']);
  });

  it('takes a port wildcard in CORS_ORIGINS, and no other wildcard', () => {
    expect(loadConfig({ KAZOO_URL: 'http://kazoo:8000', CORS_ORIGINS: 'http://localhost:*' }).corsOrigins).toEqual([
      'http://localhost:*',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://*.example.com' })).toThrow(/CORS_ORIGINS.*only the port/);
    expect(() => loadConfig({ CORS_ORIGINS: 'http://localhost*' })).toThrow(/CORS_ORIGINS.*only the port/);
  });
});

describe('a port wildcard in CORS_ORIGINS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ gateway: { cors: { origins: ['https://staging.example.com:*'] } } });
  });
  afterAll(() => harness.close());

  it('allows that scheme and host on any port, the default port included, and nothing else', async () => {
    for (const origin of ['https://staging.example.com:8443', 'https://staging.example.com']) {
      expect((await preflight(harness, origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    for (const origin of ['http://staging.example.com:8443', 'https://staging.example.com.evil.example:8443']) {
      await expectCorsRefusal(await preflight(harness, origin), origin);
    }
  });
});
