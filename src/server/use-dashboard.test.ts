// GET /dashboard: the page with its bundled assets, the demo sign-in pre-filled in embedded-simulator mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeUiBuild } from '../../test/helpers/fake-ui-build.js';
import type { FakeUiBuild } from '../../test/helpers/fake-ui-build.js';
import { createLogger } from '../logger.js';
import { startGateway } from './gateway.js';
import type { Gateway, GatewayOptions } from './gateway.js';

const gateways: Gateway[] = [];
let ui: FakeUiBuild;

async function gateway(options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const started = await startGateway({
    kazooUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    kazooTimeoutMs: 1_000,
    maxBodyBytes: 65_536,
    introspection: true,
    logger: createLogger('silent'),
    uiDir: ui.dir,
    ...options,
  });
  gateways.push(started);
  return started;
}

beforeAll(() => {
  ui = createFakeUiBuild();
});
afterAll(async () => {
  await Promise.all(gateways.map((started) => started.close()));
  ui.remove();
});

describe('dashboard', () => {
  it('serves the page with its script and styles, whatever the filters in the query string', async () => {
    const { url } = await gateway();
    const response = await fetch(`${url}/dashboard?type=softphone&state=registered`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="ui/dashboard/dashboard-FFFF6666.js">');
    expect(html).toContain('<link rel="stylesheet" href="ui/dashboard/dashboard-GGGG7777.css">');
    expect(html).toContain('<script id="page-config" type="application/json">{"demo":null}</script>');
  });

  it('pre-fills the demo token and account in embedded-simulator mode', async () => {
    const demo = { token: 'demo-token', accountId: 'b'.repeat(32) };
    const { url } = await gateway({ demo });
    const html = await (await fetch(`${url}/dashboard`)).text();
    expect(html).toContain(`<script id="page-config" type="application/json">${JSON.stringify({ demo })}</script>`);
  });

  it('serves its assets with content types and long-lived caching', async () => {
    const { url } = await gateway();
    const script = await fetch(`${url}/ui/dashboard/dashboard-FFFF6666.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('document.title = "dashboard";\n');
    const style = await fetch(`${url}/ui/dashboard/dashboard-GGGG7777.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers HEAD, refuses POST, and says how to build the UI when it was not built', async () => {
    const { url } = await gateway();
    expect((await fetch(`${url}/dashboard`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${url}/dashboard`, { method: 'POST' })).status).toBe(405);
    const empty = mkdtempSync(join(tmpdir(), 'no-ui-'));
    try {
      const unbuilt = await gateway({ uiDir: empty });
      const response = await fetch(`${unbuilt.url}/dashboard`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
