/**
 * Index math of the levels grid's virtualizer, as pure functions.
 *
 * Rows have one fixed height. "Row space" is the table as if it were laid out in full: row `i`
 * starts at `i * rowHeight`, and `position` is the row-space offset of the viewport's top edge.
 * Browsers cap an element's height (Chromium: 33,554,428 px), so past `maxScrollHeight` the
 * scrollable spacer stops growing and its scroll range is mapped linearly onto the row-space range
 * ("stretching"): one scrollbar pixel then covers several rows, while wheel, touch and keys move
 * `position` itself, in rows, and the scrollbar only follows.
 */

/** Well under Chromium's 33,554,428 px and Firefox's ~17.9M px, so every engine keeps the spacer whole. */
export const DEFAULT_MAX_SCROLL_HEIGHT = 8_000_000;

export interface Geometry {
  rowCount: number;
  rowHeight: number;
  viewportHeight: number;
  /** Height of the full table in row space. */
  contentHeight: number;
  /** Height given to the scrollable spacer: the content height, capped. */
  scrollHeight: number;
  /** Largest `position`: the last row's bottom at the viewport's bottom. */
  maxPosition: number;
  /** Largest `scrollTop` the spacer allows. */
  maxScrollTop: number;
}

export function geometry(
  rowCount: number,
  rowHeight: number,
  viewportHeight: number,
  maxScrollHeight = DEFAULT_MAX_SCROLL_HEIGHT,
): Geometry {
  const contentHeight = Math.max(0, rowCount) * rowHeight;
  const viewport = Math.max(0, viewportHeight);
  // The spacer is never shorter than the viewport can scroll, so a capped spacer still scrolls.
  const scrollHeight = Math.min(contentHeight, Math.max(maxScrollHeight, viewport + 1));
  return {
    rowCount: Math.max(0, rowCount),
    rowHeight,
    viewportHeight: viewport,
    contentHeight,
    scrollHeight,
    maxPosition: Math.max(0, contentHeight - viewport),
    maxScrollTop: Math.max(0, scrollHeight - viewport),
  };
}

/** Whether the scrollbar is stretched (one scrollbar pixel covers more than one row-space pixel). */
export function isStretched(geo: Geometry): boolean {
  return geo.contentHeight > geo.scrollHeight;
}

export function clampPosition(position: number, geo: Geometry): number {
  if (!Number.isFinite(position)) return 0;
  return Math.min(Math.max(0, position), geo.maxPosition);
}

/** Where the row-space viewport is when the scroller shows `scrollTop` (the scrollbar was dragged). */
export function positionFromScrollTop(scrollTop: number, geo: Geometry): number {
  if (geo.maxScrollTop <= 0) return 0;
  if (!isStretched(geo)) return clampPosition(scrollTop, geo);
  const fraction = Math.min(1, Math.max(0, scrollTop / geo.maxScrollTop));
  return clampPosition(fraction * geo.maxPosition, geo);
}

/** The scroller's `scrollTop` for a row-space position (so the scrollbar thumb follows). */
export function scrollTopFromPosition(position: number, geo: Geometry): number {
  if (geo.maxPosition <= 0) return 0;
  const clamped = clampPosition(position, geo);
  if (!isStretched(geo)) return clamped;
  return (clamped / geo.maxPosition) * geo.maxScrollTop;
}

export interface VisibleRange {
  /** First row at least partly visible. */
  first: number;
  /** One past the last row at least partly visible. */
  end: number;
  /** How far the first row starts above the viewport's top edge (0 ≤ offset < rowHeight). */
  offset: number;
}

export function visibleRange(position: number, geo: Geometry): VisibleRange {
  if (geo.rowCount === 0 || geo.rowHeight <= 0) return { first: 0, end: 0, offset: 0 };
  const top = clampPosition(position, geo);
  const first = Math.min(geo.rowCount - 1, Math.floor(top / geo.rowHeight));
  const end = Math.min(geo.rowCount, Math.ceil((top + geo.viewportHeight) / geo.rowHeight));
  return { first, end: Math.max(end, first + 1), offset: top - first * geo.rowHeight };
}

/** Rows that fit entirely in the viewport (at least 1): the PageUp/PageDown step. */
export function rowsPerPage(geo: Geometry): number {
  return Math.max(1, Math.floor(geo.viewportHeight / geo.rowHeight));
}

/**
 * The smallest move of `position` that shows row `index` entirely (nothing moves when it already
 * is). `align: 'center'` puts it in the middle instead (search results).
 */
export function positionToReveal(
  index: number,
  position: number,
  geo: Geometry,
  align: 'nearest' | 'center' = 'nearest',
): number {
  const top = index * geo.rowHeight;
  const bottom = top + geo.rowHeight;
  if (align === 'center') return clampPosition(top - (geo.viewportHeight - geo.rowHeight) / 2, geo);
  if (top < position) return clampPosition(top, geo);
  if (bottom > position + geo.viewportHeight) return clampPosition(bottom - geo.viewportHeight, geo);
  return clampPosition(position, geo);
}

/** Pixels of row space a wheel event asks for, whatever unit the device reports in. */
export function wheelDelta(deltaY: number, deltaMode: number, geo: Geometry): number {
  if (deltaMode === 1) return deltaY * geo.rowHeight; // lines
  if (deltaMode === 2) return deltaY * Math.max(geo.rowHeight, geo.viewportHeight - geo.rowHeight); // pages
  return deltaY;
}

export type GridKey = 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

export function isGridKey(key: string): key is GridKey {
  return (
    key === 'ArrowUp' ||
    key === 'ArrowDown' ||
    key === 'PageUp' ||
    key === 'PageDown' ||
    key === 'Home' ||
    key === 'End'
  );
}

/**
 * The row focus moves to for a key. Rows are the grid's only focus targets, so Home/End and
 * Ctrl+Home/Ctrl+End all go to the first/last row.
 */
export function nextFocusIndex(key: GridKey, current: number, rowCount: number, pageRows: number): number {
  if (rowCount <= 0) return 0;
  const last = rowCount - 1;
  const from = Math.min(Math.max(0, current), last);
  switch (key) {
    case 'ArrowUp':
      return Math.max(0, from - 1);
    case 'ArrowDown':
      return Math.min(last, from + 1);
    case 'PageUp':
      return Math.max(0, from - pageRows);
    case 'PageDown':
      return Math.min(last, from + pageRows);
    case 'Home':
      return 0;
    case 'End':
      return last;
  }
}

export interface RowWindow {
  offset: number;
  limit: number;
}

/**
 * The rows to fetch around the visible range: the range plus `margin` rows on each side, at most
 * `maxLimit` rows (one `levels:page` call), clipped to the table.
 */
export function windowAround(
  first: number,
  end: number,
  rowCount: number,
  margin: number,
  maxLimit: number,
): RowWindow {
  if (rowCount <= 0) return { offset: 0, limit: Math.min(maxLimit, Math.max(1, end - first + 2 * margin)) };
  const visible = Math.max(1, end - first);
  const limit = Math.min(maxLimit, visible + 2 * margin, rowCount);
  const centre = first + visible / 2;
  const offset = Math.max(0, Math.min(rowCount - limit, Math.round(centre - limit / 2)));
  return { offset, limit };
}

/** Whether the window `[offset, offset + length)` holds every row of `[first, end)` (clipped to the table). */
export function covers(
  windowOffset: number,
  windowLength: number,
  first: number,
  end: number,
  rowCount: number,
): boolean {
  const wantedEnd = Math.min(end, rowCount);
  if (wantedEnd <= first) return true;
  return first >= windowOffset && wantedEnd <= windowOffset + windowLength;
}
