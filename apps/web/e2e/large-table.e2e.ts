/**
 * An event with more than a million levels: far past the rows a plain spacer can hold under
 * Chromium's element-height cap. The keyboard, the scrollbar and the search must all reach the
 * right row, the last one included.
 */
import type { Page } from '@playwright/test';
import type { EventView } from '@tickets/protocol';
import type { Api } from './support/api';
import { consoleErrorsOf, expect, openSignedIn, rowFor, test } from './support/fixtures';

/** The same event for every test of this file (building it once keeps the suite short). */
let shared: Promise<{ event: EventView; total: number; firstLevel: number; lastLevel: number }> | null = null;

function largeEvent(adminApi: Api) {
  shared ??= (async () => {
    const event = await adminApi.createEvent(`Large ${Date.now()}`);
    await adminApi.bulkTickets(event.id, { count: 2500, minValue: 1, maxValue: 1000 });
    const first = await adminApi.levels(event.id, { limit: 1 });
    const last = await adminApi.levels(event.id, { offset: first.total - 1, limit: 1 });
    // Random values: the smallest level is the smallest value drawn, not necessarily 1.
    return { event, total: first.total, firstLevel: first.rows[0].level, lastLevel: last.rows[0].level };
  })();
  return shared;
}

async function expectFocusedRow(page: Page, index: number, level: number): Promise<void> {
  const row = page.locator(`#level-row-${index}`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('aria-rowindex', String(index + 2));
  await expect(row).toHaveAttribute('data-level', String(level));
  await expect(page.getByTestId('levels-grid')).toHaveAttribute(
    'aria-activedescendant',
    `level-row-${index}`,
  );
}

test('reaches the last of 1,000,000+ rows by keyboard', async ({ browser, cluster, adminApi }) => {
  const { event, total, lastLevel } = await largeEvent(adminApi);
  expect(total).toBeGreaterThan(1_000_000);
  const attendee = await adminApi.registerAttendee('Kim');
  const page = await openSignedIn(browser, cluster.replicas[0].url, attendee.auth, `/events/${event.id}`);
  const grid = page.getByTestId('levels-grid');
  await expect(grid).toHaveAttribute('aria-rowcount', String(total + 1));
  await grid.focus();
  await page.keyboard.press('Control+End');
  await expectFocusedRow(page, total - 1, lastLevel);
  await page.keyboard.press('ArrowUp');
  const above = await adminApi.levels(event.id, { offset: total - 2, limit: 1 });
  await expectFocusedRow(page, total - 2, above.rows[0].level);
  await page.keyboard.press('Control+Home');
  const first = await adminApi.levels(event.id, { limit: 1 });
  await expectFocusedRow(page, 0, first.rows[0].level);
  await page.keyboard.press('PageDown');
  await expect(grid).not.toHaveAttribute('aria-activedescendant', 'level-row-0');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});

test('reaches the last of 1,000,000+ rows by dragging the scrollbar', async ({
  browser,
  cluster,
  adminApi,
}) => {
  const { event, total, firstLevel, lastLevel } = await largeEvent(adminApi);
  const attendee = await adminApi.registerAttendee('Lou');
  const page = await openSignedIn(browser, cluster.replicas[1].url, attendee.auth, `/events/${event.id}`);
  const scroller = page.getByTestId('levels-grid');
  await expect(rowFor(page, firstLevel)).toBeVisible();
  const box = await scroller.boundingBox();
  if (!box) throw new Error('no scroller box');
  // The scrollbar is the grid's right edge; its thumb starts at the top, below the arrow button.
  const scrollbarWidth = await scroller.evaluate((element) =>
    element instanceof HTMLElement ? element.offsetWidth - element.clientWidth - 2 : 0,
  );
  expect(scrollbarWidth).toBeGreaterThan(0);
  const scrollbarX = box.x + box.width - 1 - scrollbarWidth / 2;
  await page.mouse.move(scrollbarX, box.y + 1 + scrollbarWidth + 5);
  await page.mouse.down();
  await page.mouse.move(scrollbarX, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(scrollbarX, box.y + box.height + 200, { steps: 5 });
  await page.mouse.up();
  const lastRow = page.locator(`[role="row"][aria-rowindex="${total + 1}"]`);
  await expect(lastRow).toBeVisible();
  await expect(lastRow).toHaveAttribute('data-level', String(lastLevel));
  // The last row is fully inside the scroller, not cut off below it.
  const rowBox = await lastRow.boundingBox();
  expect(rowBox && rowBox.y + rowBox.height).toBeLessThanOrEqual(box.y + box.height + 1);
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});

test('search lands on the level, or on the nearest one', async ({ browser, cluster, adminApi }) => {
  const { event, total, lastLevel } = await largeEvent(adminApi);
  const attendee = await adminApi.registerAttendee('Max');
  const page = await openSignedIn(browser, cluster.replicas[0].url, attendee.auth, `/events/${event.id}`);
  const middleIndex = Math.floor(total * 0.61);
  const middle = (await adminApi.levels(event.id, { offset: middleIndex, limit: 1 })).rows[0].level;
  await page.getByTestId('search-input').fill(String(middle));
  await page.getByRole('button', { name: 'Go' }).click();
  await expectFocusedRow(page, middleIndex, middle);
  await expect(page.getByTestId('search-note')).toContainText(
    `is row ${(middleIndex + 1).toLocaleString('en-US')}`,
  );

  await page.getByTestId('search-input').fill(String(lastLevel + 5000));
  await page.getByRole('button', { name: 'Go' }).click();
  await expectFocusedRow(page, total - 1, lastLevel);
  await expect(page.getByTestId('search-note')).toContainText('the nearest is');

  // Enter reserves the row search landed on.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('reserve-result')).toHaveAttribute('data-state', 'done');
  expect(consoleErrorsOf(page)).toEqual([]);
  await page.context().close();
});
