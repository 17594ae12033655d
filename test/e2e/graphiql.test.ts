// GraphiQL in Debian's Chromium: it loads from the gateway alone (any request to another host fails the test), shows
// the schema's descriptions, runs the example query with the demo token, and runs the example subscription over
// graphql-ws, receiving a registration flipped in the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import type { TestBrowser } from './browser.js';
import { demoDevices, startStack } from './stack.js';
import type { Stack } from './stack.js';

let stack: Stack;
let browser: TestBrowser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('GraphiQL', () => {
  it('loads with nothing from outside, in demo mode, with the schema and its descriptions', async () => {
    const { page } = browser;
    const introspection = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('IntrospectionQuery'),
    );
    await page.goto(`${stack.gateway.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    expect((await introspection).status()).toBe(200);
    await expect(page.locator('.demo-banner').textContent()).resolves.toContain(stack.demo.accountId);
    await expect(page.locator('.graphiql-tab-button').allTextContents()).resolves.toEqual([
      'DevicesWithRegistration',
      'Viewer',
      'UpdateDevice',
      'WatchRegistrations',
    ]);

    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Subscription', { exact: true }).first().click();
    await docs.getByText('SIP registrations of the account', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Hide Documentation Explorer' }).click();
  });

  it('keeps its tabs, and the demo token, across a reload', async () => {
    const { page } = browser;
    await page.reload();
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    await expect(page.locator('.graphiql-tab-button').count()).resolves.toBe(4);
    await page.locator('.graphiql-tab-button', { hasText: 'Viewer' }).click();
    const answer = page.waitForResponse((response) => (response.request().postData() ?? '').includes('query Viewer'));
    await page.locator('.graphiql-execute-button').click();
    expect(await (await answer).json()).toMatchObject({
      data: { viewer: { accountId: stack.demo.accountId, account: { kazooId: stack.demo.accountId } } },
    });
  });

  it('runs the example query with the demo token, in the token’s account', async () => {
    const { page } = browser;
    await page.locator('.graphiql-tab-button', { hasText: 'DevicesWithRegistration' }).click();
    const answer = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('DevicesWithRegistration'),
    );
    await page.locator('.graphiql-execute-button').click();
    const body = (await (await answer).json()) as {
      data?: { viewer: { account: { registrationSummary: { total: number }; devices: { nodes: { name: string }[] } } } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const all = await demoDevices(stack);
    expect(body.data?.viewer.account.devices.nodes.map((device) => device.name)).toEqual(all.slice(0, 50).map((device) => device.name));
    expect(body.data?.viewer.account.registrationSummary.total).toBe(all.length);
    await page.locator('.graphiql-response', { hasText: all[0]?.name ?? '' }).waitFor();
  });

  it('runs the example subscription over graphql-ws and receives a registration flipped in the simulator', async () => {
    const { page } = browser;
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => frames.push(String(payload))));
    const device = (await demoDevices(stack)).find((each) => each.enabled && !each.registration.registered);
    if (device === undefined) throw new Error('the demo account has no unregistered device');

    await page.locator('.graphiql-tab-button', { hasText: 'WatchRegistrations' }).click();
    await page.locator('.graphiql-execute-button').click();
    // The initial state of every device comes first.
    await page.locator('.graphiql-response', { hasText: 'registrationChanged' }).waitFor();
    stack.simulator.control.register(stack.demo.accountId, device.kazooId, { userAgent: 'E2E GraphiQL phone' });
    await expect
      .poll(() => frames.some((frame) => frame.includes(device.kazooId) && frame.includes('E2E GraphiQL phone')), { timeout: 15_000 })
      .toBe(true);
    await page.locator('.graphiql-response', { hasText: 'E2E GraphiQL phone' }).waitFor();
    await browser.screenshot('graphiql.png');
  });

  it('opens an operation from a link (?query=, ?variables=) in a tab of its own, without running it', async () => {
    const { page } = browser;
    const query = 'query Linked($accountId: ID) { devices(accountId: $accountId, first: 1) { nodes { name } } }';
    const variables = JSON.stringify({ accountId: stack.demo.accountId });
    let ranLinked = false;
    page.on('request', (request) => {
      if ((request.postData() ?? '').includes('query Linked')) ranLinked = true;
    });
    await page.goto(`${stack.gateway.url}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    await page.locator('.graphiql-tab-button', { hasText: 'Linked' }).waitFor();
    await expect(page.locator('.graphiql-tab-button').count()).resolves.toBe(5);
    await page.locator('.graphiql-query-editor', { hasText: 'query Linked' }).waitFor();
    expect(ranLinked).toBe(false);
    await page.locator('.graphiql-tab-button', { hasText: 'Linked' }).click();
    const answer = page.waitForResponse((response) => (response.request().postData() ?? '').includes('query Linked'));
    await page.locator('.graphiql-execute-button').click();
    const expected = (await demoDevices(stack))[0]?.name;
    expect(await (await answer).json()).toMatchObject({ data: { devices: { nodes: [{ name: expected }] } } });
  });

  it('made no request to any other host and logged no error', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('would have caught one: the page refuses it (CSP), and the test browser records and refuses any other', async () => {
    await browser.page.evaluate(() => fetch('http://cdn.example.invalid/graphiql.css').catch(() => undefined));
    expect(browser.pageErrors.join('\n')).toContain('violates the following Content Security Policy directive');
    const other = await browser.context.newPage();
    await other.goto('http://cdn.example.invalid/graphiql.css').catch(() => undefined);
    expect(browser.outsideRequests).toEqual(['http://cdn.example.invalid/graphiql.css']);
    await other.close();
  });
});
