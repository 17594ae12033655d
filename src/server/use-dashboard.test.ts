// GET /dashboard: the page with its bundled assets, the demo sign-in pre-filled in embedded-simulator mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiTestGateways } from '../../test/helpers/fake-ui-build.js';
import type { UiTestGateways } from '../../test/helpers/fake-ui-build.js';
import type { Gateway, GatewayOptions } from './gateway.js';

let gateways: UiTestGateways;
const gateway = (options: Partial<GatewayOptions> = {}): Promise<Gateway> => gateways.start(options);

beforeAll(() => {
  gateways = uiTestGateways();
});
afterAll(() => gateways.close());

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
    const unbuilt = await gateways.startUnbuilt();
    const response = await fetch(`${unbuilt.url}/dashboard`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});
