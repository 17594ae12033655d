// GraphiQL on GET /graphql: served to browsers only, with its assets (content types, caching, compression, nothing
// outside the build folder), switched off by GRAPHIQL=false and by default in production, demo token pre-filled.
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiTestGateways } from '../../test/helpers/fake-ui-build.js';
import type { UiTestGateways } from '../../test/helpers/fake-ui-build.js';
import { loadConfig } from '../config.js';
import type { Gateway, GatewayOptions } from './gateway.js';
import { prefersHtml } from './use-graphiql.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let gateways: UiTestGateways;
const gateway = (options: Partial<GatewayOptions> = {}): Promise<Gateway> => gateways.start(options);

/** The config JSON the page hands its script. */
function pageConfig(html: string): unknown {
  const json = /<script id="page-config" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no page config in the page');
  return JSON.parse(json);
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away before sending). */
function rawGet(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(() => {
  gateways = uiTestGateways();
});
afterAll(() => gateways.close());

describe('prefersHtml', () => {
  it.each([
    [BROWSER_ACCEPT, true],
    ['text/html, application/json', true],
    ['application/json, text/html;q=0.9', false],
    ['application/json, text/html', false],
    ['application/graphql-response+json, application/json;q=0.9', false],
    ['*/*', false],
    ['text/html;q=0', false],
    ['', false],
    [undefined, false],
  ])('Accept %j → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});

describe('GraphiQL page', () => {
  it('is served to a browser on GET /graphql, locked to the gateway by its content security policy', async () => {
    const { url } = await gateway();
    const response = await fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="ui/graphiql/graphiql-AAAA1111.js">');
    expect(html).toContain('<link rel="stylesheet" href="ui/graphiql/graphiql-BBBB2222.css">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(pageConfig(html)).toEqual({ demo: null, workers: gateways.ui.manifest.graphiql.workers });
  });

  it('leaves API clients alone: GET and POST with JSON Accept headers get GraphQL answers', async () => {
    const { url } = await gateway();
    const get = await fetch(`${url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      // Apollo's CSRF prevention wants a preflight-forcing header on GET.
      headers: { accept: 'application/graphql-response+json, application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('content-type')).toContain('json');
    expect(await get.json()).toMatchObject({ data: { __typename: 'Query' } });
    const post = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await post.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('pre-fills the demo credentials in embedded-simulator mode, escaped so they cannot break out of the page', async () => {
    const demo = { token: 'demo</script><script>alert(1)</script>', accountId: 'a'.repeat(32) };
    const { url } = await gateway({ demo });
    const html = await (await fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } })).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('(demo)</title>');
    expect(pageConfig(html)).toEqual({ demo, workers: gateways.ui.manifest.graphiql.workers });
  });

  it('is off with graphiql: false: browsers get the API answer and no GraphiQL asset is served', async () => {
    const { url } = await gateway({ graphiql: false });
    const page = await fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.headers.get('content-type')).not.toContain('text/html');
    expect((await fetch(`${url}/${gateways.ui.manifest.graphiql.scripts[0]}`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard`)).status).toBe(200);
  });

  it('says how to build it when the UI was not built', async () => {
    const { url } = await gateways.startUnbuilt();
    const response = await fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});

describe('GraphiQL assets', () => {
  it('are served with their content type and cached for good (their names carry a content hash)', async () => {
    const { url } = await gateway();
    const response = await fetch(`${url}/ui/graphiql/graphiql-BBBB2222.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const worker = await fetch(`${url}/${gateways.ui.manifest.graphiql.workers.graphql}`);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('are sent gzipped to clients that accept it, and as they are to others', async () => {
    const { url } = await gateway();
    const path = `${url}/ui/graphiql/graphiql-AAAA1111.js`;
    const gzipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      httpRequest(path, { headers: { 'accept-encoding': 'gzip, deflate' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gzipped.encoding).toBe('gzip');
    expect(gunzipSync(gzipped.body).toString()).toBe(gateways.ui.graphiqlScript);
    const plain = await rawGet(url, '/ui/graphiql/graphiql-AAAA1111.js');
    expect(plain).toBe(200);
  });

  it('answer HEAD without a body and refuse other methods', async () => {
    const { url } = await gateway();
    const head = await fetch(`${url}/ui/graphiql/graphiql-BBBB2222.css`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${url}/ui/graphiql/graphiql-BBBB2222.css`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('never lead outside the built files', async () => {
    const { url } = await gateway();
    for (const path of [
      '/ui/graphiql/../manifest.json',
      '/ui/graphiql/../../secret.txt',
      '/ui/graphiql/%2e%2e/%2e%2e/secret.txt',
      '/ui/graphiql/..%2f..%2fsecret.txt',
      '/ui/../secret.txt',
      '/ui/manifest.json',
      '/ui/graphiql/graphiql-AAAA1111.js.gz',
      '/ui/graphiql/',
      '/ui/graphiql/workers',
    ]) {
      expect([path, await rawGet(url, path)]).toEqual([path, 404]);
    }
  });
});

describe('GRAPHIQL setting', () => {
  it('is on by default, off by default in production, and GRAPHIQL decides when set', () => {
    expect(loadConfig({}).graphiql).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).graphiql).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false' }).graphiql).toBe(false);
    expect(() => loadConfig({ GRAPHIQL: 'maybe' })).toThrow(/GRAPHIQL/);
  });
});
