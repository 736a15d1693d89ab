/**
 * The account page: a password change keeps this tab signed in (its socket comes back with the
 * fresh token) and ends the other sessions (told at once, sent to sign in); signing out
 * everywhere ends this one too, and only the new password signs in.
 */
import { Api } from './support/api';
import { consoleErrorsOf, expect, openSignedIn, test } from './support/fixtures';

test('change password, then sign out everywhere', async ({ browser, cluster, adminApi }) => {
  const eve = await adminApi.registerAttendee('Eve');
  const [urlA, urlB] = cluster.replicas.map((replica) => replica.url);
  const page = await openSignedIn(browser, urlA, eve.auth, '/account');
  // Another device, signed in with the same token, on the other replica.
  const other = await openSignedIn(browser, urlB, eve.auth, '/reservations');
  for (const each of [page, other])
    await expect(each.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

  await page.getByLabel('Current password').fill(eve.password);
  await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
  await page.getByLabel('Repeat the new password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('password-changed')).toBeVisible();

  // The other session is over: it lands on sign-in with the server's reason, and stays there.
  await expect(other).toHaveURL(/\/sign-in/);
  await expect(other.getByTestId('sign-in-message')).toHaveText(/session ended/i);
  // This one goes on with the fresh token: still signed in, and live again.
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole('link', { name: 'Events' }).first().click();
  await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
  await page.getByTestId('user-name').click();

  const stored = await page.evaluate(() => window.localStorage.getItem('tickets.session'));
  const freshToken = (JSON.parse(stored ?? '{}') as { accessToken?: string }).accessToken ?? '';
  expect(freshToken).not.toBe(eve.auth.accessToken);
  await expect(new Api(urlB, freshToken).me()).resolves.toMatchObject({ id: eve.auth.user.id });

  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByTestId('sign-in-message')).toHaveText(/signed out everywhere/);
  // The token this tab went on with is refused now, on every replica.
  await expect(new Api(urlB, freshToken).me()).rejects.toThrow(/answered 401/);
  expect(await page.evaluate(() => window.localStorage.getItem('tickets.session'))).toBeNull();

  await page.getByLabel('Email').fill(eve.auth.user.email);
  await page.getByLabel('Password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Eve');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
  await other.context().close();
});

test('an admin changes a user’s role on the Users page, and the audit log records it', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const fay = await adminApi.registerAttendee('Fay');
  const admin = { accessToken: adminApi.token ?? '', user: await adminApi.me() };
  const page = await openSignedIn(browser, cluster.replicas[1].url, admin, '/admin/users');
  // The newest users may be past the first page.
  const table = page.getByTestId('users-table');
  const row = table.locator(`tr[data-user-id="${fay.auth.user.id}"]`);
  await expect(table).toHaveAttribute('aria-busy', 'false');
  while ((await row.count()) === 0) {
    await page.getByRole('navigation', { name: 'User pages' }).getByRole('button', { name: 'Next' }).click();
    await expect(table).toHaveAttribute('aria-busy', 'false');
  }
  const select = row.getByLabel('Role of Fay');
  await expect(select).toHaveValue('attendee');
  await select.selectOption('admin');
  await expect(page.getByTestId('users-message')).toHaveText('Fay is now admin.');
  await expect(fay.api.me()).resolves.toMatchObject({ role: 'admin' });
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('User id').fill(String(fay.auth.user.id));
  await page.getByLabel('Action').selectOption('user.role-changed');
  await page.getByRole('button', { name: 'Filter' }).click();
  const entry = page.locator('[data-testid="audit-table"] tr[data-action="user.role-changed"]');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('Role changed');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});
