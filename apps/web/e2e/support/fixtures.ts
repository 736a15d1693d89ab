/**
 * Playwright fixtures: one two-replica cluster per worker (started once, stopped at the end),
 * and helpers to open the app signed in as someone.
 */
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import type { AuthResponse } from '@tickets/protocol';
import { Api } from './api';
import { startCluster, type Cluster } from './cluster';

export interface Signed {
  page: Page;
  auth: AuthResponse;
}

/** Opens `path` on `appUrl` in a new browser context already signed in (the session the app stores). */
export async function openSignedIn(
  browser: Browser,
  appUrl: string,
  auth: AuthResponse,
  path: string,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  // A phone-sized page is a phone: touch, mobile viewport, overlay scrollbars.
  const phone = viewport.width < 500;
  const context = await browser.newContext({ baseURL: appUrl, viewport, isMobile: phone, hasTouch: phone });
  await context.addInitScript(
    (session) => {
      if (!window.localStorage.getItem('tickets.session'))
        window.localStorage.setItem('tickets.session', session);
    },
    JSON.stringify({ accessToken: auth.accessToken, user: auth.user }),
  );
  const page = await context.newPage();
  trackConsoleErrors(page);
  await page.goto(path);
  return page;
}

/** Console errors and uncaught exceptions fail the test at its end (the app must log none). */
const consoleErrors = new WeakMap<Page, string[]>();
export function trackConsoleErrors(page: Page): void {
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
}
export function consoleErrorsOf(page: Page): string[] {
  return consoleErrors.get(page) ?? [];
}

export const test = base.extend<object, { cluster: Cluster; adminApi: Api }>({
  cluster: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const cluster = await startCluster({ replicas: 2 });
      try {
        await use(cluster);
      } finally {
        await cluster.stop();
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  adminApi: [
    async ({ cluster }, use) => {
      await use(await new Api(cluster.replicas[0].url).signIn(cluster.admin.email, cluster.admin.password));
    },
    { scope: 'worker' },
  ],
});

export { expect };

/** The text of the levels grid's rendered row for `level`, or null when it is not rendered. */
export function rowFor(page: Page, level: number) {
  return page.locator(`[role="row"][data-level="${level}"]`);
}
