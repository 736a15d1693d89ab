import { describe, expect, it } from 'vitest';
import {
  clampPosition,
  covers,
  geometry,
  isStretched,
  nextFocusIndex,
  positionFromScrollTop,
  positionToReveal,
  rowsPerPage,
  scrollTopFromPosition,
  visibleRange,
  wheelDelta,
  windowAround,
} from './rowSpace';

const ROW = 30;
const VIEW = 600;
/** Chromium's measured element-height cap: a plain spacer stops at about 1.1M rows of 30 px. */
const CHROMIUM_CAP = 33_554_428;

describe('geometry', () => {
  it('uses the natural height when it fits under the cap', () => {
    const geo = geometry(1000, ROW, VIEW, 8_000_000);
    expect(geo.scrollHeight).toBe(30_000);
    expect(geo.maxPosition).toBe(30_000 - VIEW);
    expect(isStretched(geo)).toBe(false);
  });

  it('caps the spacer for ten million rows, far below what Chromium can draw', () => {
    const geo = geometry(10_000_000, ROW, VIEW, 8_000_000);
    expect(geo.contentHeight).toBe(300_000_000);
    expect(geo.scrollHeight).toBe(8_000_000);
    expect(geo.scrollHeight).toBeLessThan(CHROMIUM_CAP);
    expect(isStretched(geo)).toBe(true);
  });

  it('handles an empty table and a viewport taller than the table', () => {
    expect(geometry(0, ROW, VIEW).maxPosition).toBe(0);
    const short = geometry(5, ROW, VIEW);
    expect(short.maxPosition).toBe(0);
    expect(visibleRange(0, short)).toEqual({ first: 0, end: 5, offset: 0 });
  });
});

describe('scrollbar mapping', () => {
  const stretched = geometry(5_000_000, ROW, VIEW, 8_000_000);

  it('is the identity when not stretched', () => {
    const geo = geometry(1000, ROW, VIEW);
    expect(positionFromScrollTop(1234, geo)).toBe(1234);
    expect(scrollTopFromPosition(1234, geo)).toBe(1234);
  });

  it('maps the ends of the scrollbar onto the first and the last row', () => {
    expect(visibleRange(positionFromScrollTop(0, stretched), stretched).first).toBe(0);
    const bottom = positionFromScrollTop(stretched.maxScrollTop, stretched);
    expect(bottom).toBe(stretched.maxPosition);
    expect(visibleRange(bottom, stretched).end).toBe(5_000_000);
  });

  it('maps the middle of the scrollbar onto the middle of the table', () => {
    const middle = positionFromScrollTop(stretched.maxScrollTop / 2, stretched);
    expect(Math.abs(middle / ROW - (5_000_000 - VIEW / ROW) / 2)).toBeLessThan(1);
  });

  it('round-trips a position through scrollTop', () => {
    for (const position of [0, 1, 12_345_678, stretched.maxPosition]) {
      const back = positionFromScrollTop(scrollTopFromPosition(position, stretched), stretched);
      expect(Math.abs(back - position)).toBeLessThan(1e-3);
    }
  });

  it('clamps positions outside the table', () => {
    expect(clampPosition(-5, stretched)).toBe(0);
    expect(clampPosition(Number.POSITIVE_INFINITY, stretched)).toBe(0);
    expect(clampPosition(stretched.maxPosition + 100, stretched)).toBe(stretched.maxPosition);
    expect(positionFromScrollTop(stretched.maxScrollTop * 2, stretched)).toBe(stretched.maxPosition);
  });
});

describe('visibleRange', () => {
  const geo = geometry(100, ROW, 95);

  it('gives the partly visible rows and the first row offset', () => {
    expect(visibleRange(45, geo)).toEqual({ first: 1, end: 5, offset: 15 });
  });

  it('ends at the last row at the bottom', () => {
    const range = visibleRange(geo.maxPosition, geo);
    expect(range.end).toBe(100);
    expect(range.first).toBe(96);
  });
});

describe('positionToReveal', () => {
  const geo = geometry(1000, ROW, 300);

  it('does not move when the row is already fully shown', () => {
    expect(positionToReveal(5, 100, geo)).toBe(100);
  });

  it('moves the least to show a row above or below', () => {
    expect(positionToReveal(2, 100, geo)).toBe(60);
    expect(positionToReveal(20, 100, geo)).toBe(21 * ROW - 300);
  });

  it('centres a search result, within the table', () => {
    expect(positionToReveal(500, 0, geo, 'center')).toBe(500 * ROW - (300 - ROW) / 2);
    expect(positionToReveal(0, 4000, geo, 'center')).toBe(0);
    expect(positionToReveal(999, 0, geo, 'center')).toBe(geo.maxPosition);
  });
});

describe('keyboard', () => {
  it('moves by one, by a page, and to the ends', () => {
    expect(nextFocusIndex('ArrowDown', 3, 10, 4)).toBe(4);
    expect(nextFocusIndex('ArrowUp', 0, 10, 4)).toBe(0);
    expect(nextFocusIndex('PageDown', 8, 10, 4)).toBe(9);
    expect(nextFocusIndex('PageUp', 5, 10, 4)).toBe(1);
    expect(nextFocusIndex('Home', 5, 10, 4)).toBe(0);
    expect(nextFocusIndex('End', 5, 10_000_000, 4)).toBe(9_999_999);
  });

  it('keeps a focus beyond a shrunk table inside it', () => {
    expect(nextFocusIndex('ArrowDown', 50, 10, 4)).toBe(9);
  });

  it('pages by the rows that fit entirely', () => {
    expect(rowsPerPage(geometry(100, ROW, 95))).toBe(3);
    expect(rowsPerPage(geometry(100, ROW, 10))).toBe(1);
  });
});

describe('wheelDelta', () => {
  const geo = geometry(100, ROW, 300);
  it('converts lines and pages to pixels', () => {
    expect(wheelDelta(120, 0, geo)).toBe(120);
    expect(wheelDelta(3, 1, geo)).toBe(90);
    expect(wheelDelta(-1, 2, geo)).toBe(-270);
  });
});

describe('windowAround and covers', () => {
  it('centres the window on the visible rows within the table', () => {
    expect(windowAround(1000, 1020, 1_000_000, 100, 500)).toEqual({ offset: 900, limit: 220 });
    expect(windowAround(0, 20, 1_000_000, 100, 500)).toEqual({ offset: 0, limit: 220 });
    expect(windowAround(999_990, 1_000_000, 1_000_000, 100, 500)).toEqual({ offset: 999_790, limit: 210 });
  });

  it('never asks for more than one page', () => {
    expect(windowAround(0, 2000, 1_000_000, 100, 500).limit).toBe(500);
  });

  it('asks for the whole table when it is small', () => {
    expect(windowAround(0, 10, 12, 100, 500)).toEqual({ offset: 0, limit: 12 });
  });

  it('tells whether a window holds the visible rows', () => {
    expect(covers(900, 220, 1000, 1020, 1_000_000)).toBe(true);
    expect(covers(900, 220, 1100, 1130, 1_000_000)).toBe(false);
    expect(covers(0, 12, 0, 20, 12)).toBe(true);
    expect(covers(0, 0, 0, 0, 0)).toBe(true);
  });
});
