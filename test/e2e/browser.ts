// The browser of the end-to-end tests: Debian's Chromium (never a downloaded one), headless, on a fresh profile,
// with every request watched so a test can fail on any that leaves this machine. Screenshots go to test-results/e2e.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Test artifacts (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

/** Flags for a closed network: no Google services, updates, sync or QUIC probes at start-up. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** Every request (HTTP or WebSocket) the pages made to a host other than this machine; it was refused. */
  outsideRequests: string[];
  /** Errors the pages threw or logged, for assertions and for failure messages. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

function isLocal(url: string): boolean {
  const { protocol, host, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return LOCAL_HOSTS.has(hostname) || LOCAL_HOSTS.has(host);
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const outsideRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    outsideRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page): void => {
    page.on('websocket', (socket) => {
      if (!isLocal(socket.url())) outsideRequests.push(socket.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  };
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  context.on('page', watch);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    page,
    context,
    outsideRequests,
    pageErrors,
    async screenshot(name) {
      const path = join(ARTIFACTS_DIR, name);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
