/**
 * A reservation's life in the browser: a hold counts down and is confirmed; another runs out and
 * its tickets come back in a second user's table (on the other replica); an admin edits an
 * event's limits, the attendee's table marks what they can no longer take, and the audit log
 * shows the change. Hold times are per event (short ones here), so the shared cluster serves.
 */
import type { Locator } from '@playwright/test';
import { consoleErrorsOf, expect, openSignedIn, rowFor, test } from './support/fixtures';

/** Tickets of values 1, 2, 4, 8: every level 1..15 exists, each with one combination. */
const POWERS = [1, 2, 4, 8].map((value) => ({ label: `T${value}`, value }));

const secondsShown = async (countdown: Locator): Promise<number> =>
  Number(await countdown.locator('strong').getAttribute('data-seconds'));

test('a hold counts down on the event page and is confirmed', async ({ browser, cluster, adminApi }) => {
  const event = await adminApi.createEvent(`Confirm ${Date.now()}`, { holdTtlSeconds: 120 });
  await adminApi.bulkTickets(event.id, { tickets: POWERS });
  const ann = await adminApi.registerAttendee('Ann');
  const page = await openSignedIn(browser, cluster.replicas[0].url, ann.auth, `/events/${event.id}`);
  await expect(rowFor(page, 5)).toBeVisible();
  await rowFor(page, 5).getByRole('button', { name: 'Reserve' }).click();
  await expect(page.getByTestId('reserve-result')).toContainText('Reserved level 5');
  await expect(page.getByTestId('reserve-result')).toContainText('on hold');

  const hold = page.getByTestId('event-hold');
  await expect(hold).toContainText('You hold level 5');
  const countdown = hold.getByTestId('hold-countdown');
  await expect(countdown).toContainText(/Confirm within [12]:\d\d/);
  const first = await secondsShown(countdown);
  expect(first).toBeGreaterThan(100);
  // The countdown moves on its own (Playwright polls; nothing here waits a fixed time).
  await expect.poll(() => secondsShown(countdown), { timeout: 10_000 }).toBeLessThan(first);

  await hold.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('event-hold')).toHaveCount(0);
  await expect(page.getByTestId('reserve-result')).toContainText('confirmed');

  await page.getByRole('link', { name: 'My reservations' }).click();
  const card = page.getByTestId('confirmed-reservations').locator('[data-status="confirmed"]');
  await expect(card).toContainText('level 5');
  await expect(card).toContainText('Confirmed');
  await expect(page.getByTestId('held-reservations').locator('li')).toHaveCount(0);
  // Its holder reads the reservation's history: made, then confirmed, both by them.
  await card.getByText('History').click();
  const history = card.getByTestId('reservation-history').locator('li');
  await expect(history).toHaveCount(2);
  await expect(history.nth(0)).toContainText('Hold made');
  await expect(history.nth(1)).toContainText('Reservation confirmed');
  await expect(history.nth(1)).toContainText('by you');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});

test('a hold that is not confirmed expires: its holder is told and another user sees its tickets again', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Expire ${Date.now()}`, { holdTtlSeconds: 4 });
  await adminApi.bulkTickets(event.id, { tickets: POWERS });
  const [urlA, urlB] = cluster.replicas.map((replica) => replica.url);
  const ann = await adminApi.registerAttendee('Ann');
  const bob = await adminApi.registerAttendee('Bob');
  const annPage = await openSignedIn(browser, urlA, ann.auth, `/events/${event.id}`);
  const bobPage = await openSignedIn(browser, urlB, bob.auth, `/events/${event.id}`);
  for (const page of [annPage, bobPage]) await expect(page.getByTestId('event-level-count')).toHaveText('15');

  await rowFor(annPage, 1).getByRole('button', { name: 'Reserve' }).click();
  await expect(annPage.getByTestId('event-hold')).toContainText('You hold level 1');
  // Bob's table loses every level with T1 while Ann holds it.
  await expect(bobPage.getByTestId('event-level-count')).toHaveText('7');
  await expect(rowFor(bobPage, 1)).toHaveCount(0);

  // Four seconds later the hold runs out: Ann is told, Bob's table has level 1 again.
  await expect(
    annPage.getByTestId('notice').filter({ hasText: 'ran out before it was confirmed' }),
  ).toBeVisible();
  await expect(annPage.getByTestId('event-hold')).toHaveCount(0);
  await expect(annPage.getByTestId('reserve-result')).toContainText('expired');
  await expect(bobPage.getByTestId('event-level-count')).toHaveText('15');
  await expect(bobPage.getByTestId('event-available')).toHaveText('4 / 4');
  await expect(rowFor(bobPage, 1)).toBeVisible();

  await annPage.getByRole('link', { name: 'My reservations' }).click();
  const past = annPage.getByTestId('past-reservations').locator('[data-status="expired"]');
  await expect(past).toContainText('level 1');
  await expect(past).toContainText('Expired');
  for (const page of [annPage, bobPage]) {
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.context().close();
  }
});

test('an admin edits an event’s limits: the attendee’s table marks what they cannot take, and the audit log shows it', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Limits ${Date.now()}`);
  await adminApi.bulkTickets(event.id, { tickets: POWERS });
  const admin = { accessToken: adminApi.token ?? '', user: await adminApi.me() };
  const adminPage = await openSignedIn(browser, cluster.replicas[0].url, admin, `/admin/events/${event.id}`);
  const settings = adminPage.getByTestId('event-settings');
  await expect(settings.getByTestId('limit-tickets-reservation')).toHaveText('No limit');
  await settings.getByRole('button', { name: 'Edit holds and limits' }).click();
  await settings.getByLabel('Hold time (seconds)').fill('300');
  await settings.getByLabel(/Tickets per reservation/).fill('2');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings.getByTestId('limit-tickets-reservation')).toHaveText('2');
  await expect(settings.getByTestId('hold-ttl')).toHaveText('5 min');

  const ann = await adminApi.registerAttendee('Ann');
  const annPage = await openSignedIn(browser, cluster.replicas[1].url, ann.auth, `/events/${event.id}`);
  await expect(rowFor(annPage, 7)).toBeVisible();
  // Level 7 takes three tickets (T1, T2, T4): more than one reservation may take now.
  await expect(rowFor(annPage, 7)).toContainText('Over your limit');
  await expect(rowFor(annPage, 7).getByRole('button', { name: 'Reserve' })).toHaveCount(0);
  await expect(rowFor(annPage, 3).getByRole('button', { name: 'Reserve' })).toBeVisible();
  await expect(annPage.getByTestId('limit-note')).toContainText('at most 2 more tickets');
  // The server says the same when asked anyway (Enter on the marked row).
  await annPage.getByTestId('levels-grid').focus();
  await annPage.keyboard.press('End');
  await expect(rowFor(annPage, 15)).toHaveClass(/focused/);
  await annPage.keyboard.press('Enter');
  await expect(annPage.getByTestId('reserve-result')).toContainText(
    'more tickets than one reservation may take',
  );

  // A level within the limit is held: the admin's open reservations table shows it without a
  // reload; the admin reads its history and releases it.
  await adminPage.getByRole('tab', { name: 'Reservations' }).click();
  const row = adminPage.locator('[data-testid="reservations-table"] tr[data-reservation-id]', {
    hasText: 'Ann',
  });
  await expect(adminPage.getByText('No reservations here.')).toBeVisible();
  await rowFor(annPage, 3).getByRole('button', { name: 'Reserve' }).click();
  await expect(annPage.getByTestId('event-hold')).toContainText('You hold level 3');
  await expect(row).toContainText('On hold');
  await row.getByRole('button', { name: 'History' }).click();
  await expect(adminPage.getByTestId('reservation-history')).toContainText('Hold made');
  await row.getByRole('button', { name: 'Release' }).click();
  await adminPage.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
  await expect(row).toContainText('Released by an admin');
  await expect(
    annPage.getByTestId('notice').filter({ hasText: 'An admin released your reservation' }),
  ).toBeVisible();
  await expect(annPage.getByTestId('event-hold')).toHaveCount(0);

  await adminPage.getByRole('link', { name: 'Audit log' }).click();
  await adminPage.getByLabel('Event id').fill(String(event.id));
  await adminPage.getByRole('button', { name: 'Filter' }).click();
  const table = adminPage.getByTestId('audit-table');
  const updated = table.locator('tr[data-action="event.updated"]');
  await expect(updated).toHaveCount(1);
  await expect(updated).toContainText('Event changed');
  await expect(updated).toContainText('ticketsPerReservation');
  await expect(table.locator('tr[data-action="event.created"]')).toHaveCount(1);
  await expect(table.locator('tr[data-action="tickets.created"]')).toHaveCount(1);
  await expect(table.locator('tr[data-action="reservation.held"]')).toHaveCount(1);
  await expect(table.locator('tr[data-action="reservation.released"]')).toHaveCount(1);
  await adminPage.getByLabel('Action').selectOption('event.updated');
  await adminPage.getByRole('button', { name: 'Filter' }).click();
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(adminPage.getByTestId('audit-pages')).toContainText('(1 entries)');

  expect(consoleErrorsOf(adminPage)).toEqual([]);
  await adminPage.context().close();
  await annPage.context().close();
});
