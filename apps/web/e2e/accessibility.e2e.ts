/**
 * An axe scan of the main pages (no serious or critical violation) at desktop and phone width.
 * With UPDATE_SCREENSHOTS=1 the pages are also saved into docs/screenshots/ (shown in the README).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { UserView } from '@tickets/protocol';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths';
import { consoleErrorsOf, expect, openSignedIn, test } from './support/fixtures';

const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

async function scan(
  page: Page,
  name: string,
  viewport: keyof typeof VIEWPORTS,
  outputPath: (name: string) => string,
): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  expect(
    serious.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    ),
    name,
  ).toEqual([]);
  const file = `${name}-${viewport}.png`;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({
    path: UPDATE_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots', file) : outputPath(file),
    fullPage: true,
  });
}

for (const viewport of Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]) {
  test(`main pages have no serious accessibility violations (${viewport})`, async ({
    browser,
    cluster,
    adminApi,
  }, testInfo) => {
    const size = VIEWPORTS[viewport];
    const outputPath = (file: string): string => testInfo.outputPath(file);
    const event = await adminApi.createEvent('Spring concert');
    // Sixty seats A1…F10 of values 1…40: the table shows their labels.
    const seats = Array.from({ length: 60 }, (_, index) => ({
      label: `${'ABCDEF'[Math.floor(index / 10)]}${(index % 10) + 1}`,
      value: ((index * 17) % 40) + 1,
    }));
    await adminApi.bulkTickets(event.id, { tickets: seats });
    const attendee = await adminApi.registerAttendee('Rita');
    await attendee.api.reserve(event.id, 25);

    const phone = size.width < 500;
    const signInContext = await browser.newContext({
      baseURL: cluster.replicas[0].url,
      viewport: size,
      isMobile: phone,
      hasTouch: phone,
    });
    const signIn = await signInContext.newPage();
    await signIn.goto('/sign-in');
    await expect(signIn.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await scan(signIn, 'sign-in', viewport, outputPath);
    await signInContext.close();

    const page = await openSignedIn(browser, cluster.replicas[0].url, attendee.auth, '/events', size);
    await expect(page.getByTestId('events-list')).toBeVisible();
    await scan(page, 'events', viewport, outputPath);
    await page.goto(`/events/${event.id}`);
    await expect(page.locator('[role="row"][aria-rowindex="2"]')).toBeVisible();
    await page.getByTestId('levels-grid').focus();
    await page.keyboard.press('ArrowDown');
    await scan(page, 'event', viewport, outputPath);
    await page.goto('/reservations');
    await expect(page.getByTestId('active-reservations')).toBeVisible();
    await scan(page, 'my-reservations', viewport, outputPath);
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
    await scan(page, 'account', viewport, outputPath);
    const attendeeErrors = consoleErrorsOf(page);
    await page.context().close();

    const me = await adminApi.request<UserView>('GET', '/auth/me');
    const admin = await openSignedIn(
      browser,
      cluster.replicas[0].url,
      { accessToken: adminApi.token ?? '', user: me },
      '/admin',
      size,
    );
    await expect(admin.getByTestId('admin-events')).toBeVisible();
    await scan(admin, 'admin-events', viewport, outputPath);
    await admin.goto(`/admin/events/${event.id}`);
    await expect(admin.getByTestId('tickets-table')).toBeVisible();
    await scan(admin, 'admin-event', viewport, outputPath);
    await admin.goto('/admin/audit');
    await expect(admin.getByTestId('audit-table')).toBeVisible();
    await scan(admin, 'admin-audit', viewport, outputPath);
    await admin.goto('/admin/users');
    await expect(admin.getByTestId('users-table')).toBeVisible();
    await scan(admin, 'admin-users', viewport, outputPath);
    const adminErrors = consoleErrorsOf(admin);
    await admin.context().close();
    // Last, so every page is scanned and saved even when one logged an error.
    expect(attendeeErrors).toEqual([]);
    expect(adminErrors).toEqual([]);
  });
}
