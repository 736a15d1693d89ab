/** A replica restarted under an open page: the page says it is not live, reconnects and catches up. */
import { consoleErrorsOf, expect, openSignedIn, rowFor, test } from './support/fixtures';

test('a replica restarted under an open page: it reconnects and resynchronises', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const event = await adminApi.createEvent(`Restart ${Date.now()}`);
  await adminApi.bulkTickets(event.id, { tickets: [1, 2, 4, 8].map((value) => ({ value })) });
  const attendee = await adminApi.registerAttendee('Nia');
  const replicaB = cluster.replicas[1];
  const page = await openSignedIn(browser, cluster.replicas[1].url, attendee.auth, `/events/${event.id}`);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('event-level-count')).toHaveText('15');

  await replicaB.stop();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', /reconnecting|offline/);
  await expect(page.getByTestId('stale-note')).toBeVisible();

  // Meanwhile, through the other replica: level 1 is reserved (odd levels vanish).
  const other = await adminApi.registerAttendee('Oli');
  await other.api.reserve(event.id, 1);

  await replicaB.start();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('event-level-count')).toHaveText('7');
  await expect(rowFor(page, 1)).toHaveCount(0);
  await expect(page.getByTestId('stale-note')).toHaveCount(0);
  // Only the refused connection attempts while the replica was down may have been logged.
  expect(consoleErrorsOf(page).filter((text) => !/WebSocket|socket\.io|ERR_CONNECTION/.test(text))).toEqual(
    [],
  );
  await page.context().close();
});
