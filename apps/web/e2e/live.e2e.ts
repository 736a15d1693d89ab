/**
 * Live updates across replicas: what one user does shows in another's table without a reload,
 * whichever replica each is connected to.
 */
import { Api } from './support/api';
import { consoleErrorsOf, expect, openSignedIn, rowFor, test } from './support/fixtures';

/** Tickets of values 1, 2, 4, 8: every level 1..15 exists, each with one combination. */
const POWERS = [1, 2, 4, 8].map((value) => ({ label: `T${value}`, value }));

test('two attendees on different replicas: one reserves, the other sees it at once', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Live ${Date.now()}`);
  await adminApi.bulkTickets(event.id, { tickets: POWERS });
  const [urlA, urlB] = cluster.replicas.map((replica) => replica.url);
  const ann = await adminApi.registerAttendee('Ann');
  const bob = await adminApi.registerAttendee('Bob');
  const pageA = await openSignedIn(browser, urlA, ann.auth, `/events/${event.id}`);
  const pageB = await openSignedIn(browser, urlB, bob.auth, `/events/${event.id}`);
  for (const page of [pageA, pageB]) {
    await expect(page.getByTestId('event-level-count')).toHaveText('15');
    await expect(rowFor(page, 1)).toBeVisible();
  }
  // A row names its tickets by label.
  await expect(rowFor(pageB, 11).getByRole('gridcell').nth(2)).toHaveText('T1, T2, T8');

  // Ann reserves level 1 (ticket T1) with the keyboard: focus the grid, Enter on the first row.
  await pageA.getByTestId('levels-grid').focus();
  await pageA.keyboard.press('Enter');
  await expect(pageA.getByTestId('reserve-result')).toHaveAttribute('data-state', 'done');
  await expect(pageA.getByTestId('reserve-result')).toContainText('Reserved level 1');
  await expect(pageA.getByTestId('reserve-result')).toContainText('T1 (1)');

  // Bob's table loses every odd level, without a reload.
  await expect(pageB.getByTestId('event-level-count')).toHaveText('7');
  await expect(pageB.getByTestId('event-available')).toHaveText('3 / 4');
  await expect(rowFor(pageB, 1)).toHaveCount(0);
  await expect(rowFor(pageB, 2)).toBeVisible();
  await expect(pageB.locator('[role="grid"]')).toHaveAttribute('aria-rowcount', '8');

  expect(consoleErrorsOf(pageA)).toEqual([]);
  expect(consoleErrorsOf(pageB)).toEqual([]);
  await pageA.context().close();
  await pageB.context().close();
});

test('an admin adds tickets and deletes one: both attendees’ tables and counts follow', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Admin edits ${Date.now()}`);
  await adminApi.bulkTickets(event.id, { tickets: POWERS.slice(0, 2) }); // levels 1, 2, 3
  const [urlA, urlB] = cluster.replicas.map((replica) => replica.url);
  const ann = await adminApi.registerAttendee('Ann');
  const bob = await adminApi.registerAttendee('Bob');
  const pageA = await openSignedIn(browser, urlA, ann.auth, `/events/${event.id}`);
  const pageB = await openSignedIn(browser, urlB, bob.auth, `/events/${event.id}`);
  for (const page of [pageA, pageB]) await expect(page.getByTestId('event-level-count')).toHaveText('3');

  const adminAuth = await adminApi.request<import('@tickets/protocol').UserView>('GET', '/auth/me');
  const adminPage = await openSignedIn(
    browser,
    urlA,
    { accessToken: adminApi.token ?? '', user: adminAuth },
    `/admin/events/${event.id}`,
  );
  // Add one ticket of value 4: levels 1..7.
  await adminPage.getByLabel('Value', { exact: true }).fill('4');
  await adminPage.getByRole('button', { name: 'Add ticket', exact: true }).click();
  for (const page of [pageA, pageB]) {
    await expect(page.getByTestId('event-level-count')).toHaveText('7');
    await expect(page.getByTestId('event-available')).toHaveText('3 / 3');
    await expect(rowFor(page, 7)).toBeVisible();
  }

  // Bulk add a list of two more tickets, with progress.
  await adminPage.getByLabel('A list').check();
  await adminPage.getByLabel(/One ticket a line/).fill('Eight, 8\n16');
  await adminPage.getByRole('button', { name: 'Add tickets' }).click();
  await expect(adminPage.getByTestId('bulk-message')).toHaveText('Added 2 tickets.');
  for (const page of [pageA, pageB]) await expect(page.getByTestId('event-level-count')).toHaveText('31');

  // Delete the ticket of value 1: odd levels vanish.
  const ticketRow = adminPage.locator('[data-testid="tickets-table"] tbody tr', { hasText: 'T1' });
  await ticketRow.getByRole('button', { name: 'Delete' }).click();
  await adminPage.getByRole('dialog').getByRole('button', { name: 'Delete ticket' }).click();
  await expect(ticketRow).toHaveCount(0);
  for (const page of [pageA, pageB]) {
    await expect(page.getByTestId('event-level-count')).toHaveText('15');
    await expect(page.getByTestId('event-available')).toHaveText('4 / 4');
    await expect(rowFor(page, 1)).toHaveCount(0);
  }
  for (const page of [pageA, pageB, adminPage]) {
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.context().close();
  }
});

test('an admin releases a reservation: its holder is told live on the other replica', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Release ${Date.now()}`);
  await adminApi.bulkTickets(event.id, { tickets: POWERS });
  const [urlA, urlB] = cluster.replicas.map((replica) => replica.url);
  const ann = await adminApi.registerAttendee('Ann');
  const reservation = await ann.api.reserve(event.id, 3);
  const annPage = await openSignedIn(browser, urlB, ann.auth, '/reservations');
  await expect(annPage.locator(`[data-reservation-id="${reservation.id}"]`)).toContainText('level 3');

  const me = await adminApi.request<import('@tickets/protocol').UserView>('GET', '/auth/me');
  const adminPage = await openSignedIn(
    browser,
    urlA,
    { accessToken: adminApi.token ?? '', user: me },
    `/admin/events/${event.id}`,
  );
  await adminPage.getByRole('tab', { name: 'Reservations' }).click();
  const row = adminPage.locator(
    `[data-testid="reservations-table"] tr[data-reservation-id="${reservation.id}"]`,
  );
  await expect(row).toContainText('Ann');
  await row.getByRole('button', { name: 'Release' }).click();
  await adminPage.getByRole('dialog').getByRole('button', { name: 'Release' }).click();

  await expect(annPage.getByTestId('notice')).toContainText(
    `An admin released your reservation ${reservation.id}`,
  );
  await expect(annPage.getByTestId('past-reservations')).toContainText('level 3');
  for (const page of [annPage, adminPage]) {
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.context().close();
  }
});

test('rows above the viewed one vanish and come back: the viewed row and the focus stay on their level', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Anchor ${Date.now()}`);
  // Values 1, 2, 4, …, 128: every level 1..255 exists.
  const values = [1, 2, 4, 8, 16, 32, 64, 128];
  await adminApi.bulkTickets(event.id, { tickets: values.map((value) => ({ label: `T${value}`, value })) });
  const ann = await adminApi.registerAttendee('Ann');
  const page = await openSignedIn(browser, cluster.replicas[0].url, ann.auth, `/events/${event.id}`);
  await expect(page.getByTestId('event-level-count')).toHaveText('255');
  await page.getByTestId('search-input').fill('200');
  await page.getByRole('button', { name: 'Go' }).click();
  const grid = page.getByTestId('levels-grid');
  const viewed = rowFor(page, 200);
  await expect(grid).toHaveAttribute('aria-activedescendant', 'level-row-199');
  await expect(viewed).toHaveAttribute('id', 'level-row-199');
  const top = async (): Promise<number | undefined> => (await viewed.boundingBox())?.y;
  const topBefore = await top();
  expect(topBefore).toBeDefined();

  // Through the other replica, Bob reserves level 1 (ticket T1): the 100 odd levels above 200 vanish.
  const bob = await adminApi.registerAttendee('Bob');
  const bobApi = new Api(cluster.replicas[1].url, bob.auth.accessToken);
  const reservation = await bobApi.reserve(event.id, 1);
  await expect(page.getByTestId('event-level-count')).toHaveText('127');
  await expect(viewed).toHaveAttribute('id', 'level-row-99');
  await expect(grid).toHaveAttribute('aria-activedescendant', 'level-row-99');
  await expect.poll(top).toBe(topBefore);

  // He cancels: they come back above it, and it stays where it was.
  await bobApi.cancel(reservation.id);
  await expect(page.getByTestId('event-level-count')).toHaveText('255');
  await expect(viewed).toHaveAttribute('id', 'level-row-199');
  await expect(grid).toHaveAttribute('aria-activedescendant', 'level-row-199');
  await expect.poll(top).toBe(topBefore);

  // Enter reserves the level the focus stayed on.
  await grid.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('reserve-result')).toContainText('Reserved level 200');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});
