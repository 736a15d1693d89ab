/** Signing up, in and out, an expired session, and an attendee kept out of the admin area. */
import { Api } from './support/api';
import { consoleErrorsOf, expect, openSignedIn, test, trackConsoleErrors } from './support/fixtures';

test('sign up, reload, sign out, sign in again', async ({ browser, cluster }) => {
  const context = await browser.newContext({ baseURL: cluster.replicas[0].url });
  const page = await context.newPage();
  trackConsoleErrors(page);
  await page.goto('/events');
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole('link', { name: 'Sign up' }).click();
  const email = `carol-${Date.now()}@e2e.test`;
  await page.getByLabel('Name').fill('Carol');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('carol-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
  await expect(page.getByTestId('user-name')).toHaveText('Carol');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

  await page.reload();
  await expect(page.getByTestId('user-name')).toHaveText('Carol');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password').fill('carol-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Carol');
  // The failed sign-in answered 401, which the browser logs as a failed resource; nothing else.
  expect(consoleErrorsOf(page).filter((text) => !text.includes('401'))).toEqual([]);
  await context.close();
});

test('an expired session sends the user to sign in with a message', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const dave = await adminApi.registerAttendee('Dave');
  const [header, , signature] = dave.auth.accessToken.split('.');
  const expiredClaims = Buffer.from(
    JSON.stringify({ sub: dave.auth.user.id, exp: Math.floor(Date.now() / 1000) - 60 }),
  ).toString('base64url');
  const page = await openSignedIn(
    browser,
    cluster.replicas[0].url,
    { ...dave.auth, accessToken: `${header}.${expiredClaims}.${signature}` },
    '/reservations',
  );
  await expect(page).toHaveURL(/\/sign-in\?redirect=(%2F|\/)reservations/);
  await expect(page.getByTestId('sign-in-message')).toHaveText(/session has expired/);
  await page.context().close();
});

test('an attendee is kept out of the admin area, and the API refuses them too', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const erin = await adminApi.registerAttendee('Erin');
  const page = await openSignedIn(browser, cluster.replicas[1].url, erin.auth, '/admin');
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByTestId('notice')).toHaveText(/admins only/);
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await page.goto('/admin/events/1');
  await expect(page).toHaveURL(/\/events$/);

  const refused = await fetch(`${cluster.replicas[1].url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${erin.auth.accessToken}` },
    body: JSON.stringify({ name: 'Not allowed' }),
  });
  expect(refused.status).toBe(403);
  expect(
    await new Api(cluster.replicas[1].url, erin.auth.accessToken).request('GET', '/events'),
  ).toBeInstanceOf(Array);
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});
