// The registration dashboard in Debian's Chromium: demo sign-in, the simulator's devices and counts, filters, a
// registration flipped in the simulator shown on the page within two poll intervals, highlighted, and a page loaded
// while Kazoo's registrations fail. Saves screenshots (test-results/e2e/dashboard.png; docs/dashboard.png when
// missing or when UPDATE_DOCS_SCREENSHOT=1).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentIdOf } from '../../src/ui/dashboard/gateway-client.js';
import { DashboardAccountDocument } from '../../src/ui/generated/graphql.js';
import { launchBrowser } from './browser.js';
import type { TestBrowser } from './browser.js';
import { POLL_MS, demoDevices, startStack } from './stack.js';
import type { DeviceSummary, Stack } from './stack.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));

let stack: Stack;
let browser: TestBrowser;
let devices: DeviceSummary[];

/** What a row shows. */
const stateOf = (device: DeviceSummary): string =>
  !device.enabled ? 'disabled' : device.registration.registered ? 'registered' : 'unregistered';

/** What the header counts, as the API's registrationSummary does: each device in the one state its row shows. */
const COUNTED: Record<string, (device: DeviceSummary) => boolean> = {
  registered: (device) => stateOf(device) === 'registered',
  unregistered: (device) => stateOf(device) === 'unregistered',
  disabled: (device) => stateOf(device) === 'disabled',
};

beforeAll(async () => {
  stack = await startStack();
  devices = await demoDevices(stack);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('dashboard', () => {
  it('refuses a wrong token, signs in with the demo token and shows every device of the account, with the counts', async () => {
    const { page } = browser;
    await page.goto(`${stack.gateway.url}/dashboard`);
    await expect(page.locator('.demo-note').textContent()).resolves.toContain(stack.demo.accountId);
    await expect(page.locator('input[name=token]').inputValue()).resolves.toBe(stack.demo.token);

    await page.locator('input[name=token]').fill('not-a-kazoo-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.sign-in .error', { hasText: 'Kazoo did not accept the token' }).waitFor();
    await page.locator('input[name=token]').fill(stack.demo.token);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.locator('.connection[data-state=live]').waitFor();
    const rows = page.locator('tbody tr[data-device-id]');
    await expect(rows.count()).resolves.toBe(devices.length);
    const shownStates = await rows.evaluateAll((elements) =>
      Object.fromEntries(elements.map((row) => [row.getAttribute('data-device-id'), row.getAttribute('data-state')])),
    );
    expect(shownStates).toEqual(Object.fromEntries(devices.map((device) => [device.id, stateOf(device)])));
    for (const [state, counted] of Object.entries(COUNTED)) {
      const expected = devices.filter(counted).length;
      await expect(page.locator(`[data-count=${state}] strong`).textContent()).resolves.toBe(String(expected));
    }
    const named = devices.find((device) => device.name === 'MyPolycom');
    await expect(page.locator(`tr[data-device-id="${named?.id}"] td`).first().textContent()).resolves.toBe('MyPolycom');
  });

  it('filters by device type and by state', async () => {
    const { page } = browser;
    await page.locator('select[name=type]').selectOption('softphone');
    await expect(page.locator('select[name=type] option[value=softphone]').textContent()).resolves.toBe('Softphone');
    const softphones = devices.filter((device) => device.kazooDeviceType === 'softphone');
    await expect(page.locator('tbody tr:not([hidden])').count()).resolves.toBe(softphones.length);
    await page.locator('select[name=state]').selectOption('registered');
    const registeredSoftphones = softphones.filter((device) => device.registration.registered);
    await expect(page.locator('tbody tr:not([hidden])').count()).resolves.toBe(registeredSoftphones.length);
    expect(new URL(page.url()).search).toBe('?type=softphone&state=registered');
    await page.locator('select[name=type]').selectOption('');
    await page.locator('select[name=state]').selectOption('');
    await expect(page.locator('tbody tr:not([hidden])').count()).resolves.toBe(devices.length);
  });

  it('shows a registration flipped in the simulator within two poll intervals, highlighted', async () => {
    const { page } = browser;
    // Devices near the top of the page, so the screenshot shows them beside the counts.
    const shownOrder = await page.locator('tbody tr[data-device-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-device-id')));
    const onPage = shownOrder.map((id) => devices.find((device) => device.id === id)).filter((device) => device !== undefined);
    const online = onPage.find((device) => stateOf(device) === 'registered');
    const offline = onPage.find((device) => stateOf(device) === 'unregistered');
    if (online === undefined || offline === undefined) throw new Error('the demo account needs both kinds of device');
    const registeredBefore = Number(await page.locator('[data-count=registered] strong').textContent());

    stack.simulator.control.unregister(stack.demo.accountId, online.kazooId);
    stack.simulator.control.register(stack.demo.accountId, offline.kazooId, { userAgent: 'E2E Dashboard Phone 1.0' });

    const withinTwoPolls = { timeout: 2 * POLL_MS };
    await page.locator(`tr[data-device-id="${online.id}"][data-state=unregistered].changed`).waitFor(withinTwoPolls);
    const flippedOn = page.locator(`tr[data-device-id="${offline.id}"][data-state=registered].changed`);
    await flippedOn.waitFor(withinTwoPolls);
    await expect(flippedOn.locator('td.user-agent').textContent()).resolves.toBe('E2E Dashboard Phone 1.0');
    await expect(page.locator('[data-count=registered] strong').textContent()).resolves.toBe(String(registeredBefore));

    const screenshot = await browser.screenshot('dashboard.png');
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1' || !existsSync(DOCS_SCREENSHOT)) {
      mkdirSync(dirname(DOCS_SCREENSHOT), { recursive: true });
      copyFileSync(screenshot, DOCS_SCREENSHOT);
    }
  });

  it('shows that it is reconnecting while the gateway is away, then goes live again by itself', async () => {
    const { page } = browser;
    const connection = page.locator('.connection');
    const errorsBefore = browser.pageErrors.length;
    await stack.restartGateway(async () => {
      await page.locator('.connection[data-state=reconnecting]').waitFor();
      await expect(connection.textContent()).resolves.toBe('Reconnecting…');
    });
    await page.locator('.connection[data-state=live]').waitFor({ timeout: 30_000 });

    const device = (await demoDevices(stack)).find((each) => stateOf(each) === 'unregistered');
    if (device === undefined) throw new Error('the demo account has no unregistered device left');
    stack.simulator.control.register(stack.demo.accountId, device.kazooId, { userAgent: 'E2E After Reconnect' });
    await page.locator(`tr[data-device-id="${device.id}"][data-state=registered]`).waitFor({ timeout: 2 * POLL_MS });
    // While the gateway was away the browser logged its failed attempts to reach it; those, and only those, are expected.
    const whileAway = browser.pageErrors.splice(errorsBefore);
    expect(whileAway.filter((error) => !/WebSocket connection to '.*' failed/.test(error))).toEqual([]);
  });

  it('shows every device when Kazoo’s registrations fail, their state Unknown, with a notice saying so', async () => {
    const page = await browser.context.newPage();
    // Kazoo fails for the dashboard's query only; live updates are held back, so nothing fills the states in.
    await page.route('**/graphql', async (route) => {
      if (!(route.request().postData() ?? '').includes(documentIdOf(DashboardAccountDocument))) return route.continue();
      stack.simulator.control.setFault({ kind: 'status', status: 503 }, { match: { pathIncludes: '/registrations' } });
      try {
        await route.fulfill({ response: await route.fetch() });
      } finally {
        stack.simulator.control.setFault(null);
      }
    });
    await page.routeWebSocket(/\/graphql$/, () => undefined);
    await page.goto(`${stack.gateway.url}/dashboard`);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const rows = page.locator('tbody tr[data-device-id]');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(devices.length);
    const enabled = devices.filter((device) => device.enabled).length;
    await expect(page.locator('tbody tr[data-state=unknown]').count()).resolves.toBe(enabled);
    await expect(page.locator('tbody tr[data-state=unknown] .state').first().textContent()).resolves.toBe('Unknown');
    await expect(page.locator('.notice').textContent()).resolves.toContain('registration states (Kazoo failed with HTTP 503)');
    // Counted from the list: neither registered nor unregistered is known.
    await expect(page.locator('[data-count=registered] strong').textContent()).resolves.toBe('0');
    await expect(page.locator('[data-count=disabled] strong').textContent()).resolves.toBe(String(devices.length - enabled));
    await page.close();
  });

  it('made no request to any other host and logged no error', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
