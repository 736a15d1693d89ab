import { LEVELS_PAGE_MAX_LIMIT, TICKET_LIMITS, type LevelPage, type LevelRow } from '@tickets/protocol';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { errorMessage } from '../api/http';
import { covers, windowAround } from '../grid/rowSpace';
import { markCommitsPainted } from '../lib/afterPaint';
import { applyInventoryMessage, changedLevels, countsFromSnapshot, type LiveCounts } from '../live/inventory';
import {
  fetchLevelsPage,
  isSocketConnected,
  joinEvent,
  leaveEvent,
  onConnected,
  onServer,
  SocketRequestError,
} from '../realtime/socket';

/** Rows fetched beyond each edge of the visible range. */
export const WINDOW_MARGIN = 100;
/**
 * Live changes are gathered until the next animation frame (or this long in a hidden tab, where
 * frames stop), then the visible window is re-fetched once. Changes that arrive while a fetch is
 * in flight ride together in the one fetch after it.
 */
export const COALESCE_MS = 100;
/** How long a changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;

export interface LevelFilter {
  min?: number;
  max?: number;
}

/** A levels page request beyond offset and limit: the filter, and where to start by level. */
interface PageQuery extends LevelFilter {
  fromLevel?: number;
}

/**
 * No level exceeds the sum of an event's ticket values, so any larger bound asks the same as this
 * one (and the gateway refuses levels past 2³¹ − 1, which a user can type).
 */
const LEVEL_CEILING = TICKET_LIMITS.maxEventValueTotal + 1;
const boundLevel = (level: number): number => Math.min(level, LEVEL_CEILING);

/** A move the grid must make: show row `index` (after a search, or to keep the viewed row in place). */
export interface ViewportJump {
  seq: number;
  index: number;
  /** 'keep': the same sub-row offset as before (rows above appeared or vanished); 'center': a search result. */
  align: 'keep' | 'center';
}

export interface LevelSearchResult {
  index: number;
  level: number;
  exact: boolean;
}

/**
 * The open event's levels table: its live counters, the window of rows around what the grid
 * shows (a `shallowRef` replaced on every fetch, never mutated), the filter, the focused row.
 */
export const useLevelWindowStore = defineStore('levelWindow', () => {
  const eventId = ref<number | null>(null);
  const counts = ref<LiveCounts | null>(null);
  const status = ref<'idle' | 'joining' | 'ready' | 'error' | 'deleted'>('idle');
  const error = ref<string | null>(null);
  const filter = ref<LevelFilter>({});
  /** Rows within the filter, as of `windowVersion`. */
  const total = ref(0);
  const rows = shallowRef<readonly LevelRow[]>([]);
  const windowOffset = ref(0);
  const windowVersion = ref(0);
  /** A window fetch is under way. */
  const fetching = ref(false);
  /** The window has been fetched at least once since the event (or filter) was opened. */
  const loaded = ref(false);
  /** Live updates paused by the user: counts still move, rows wait. */
  const paused = ref(false);
  const highlighted = shallowRef<ReadonlySet<number>>(new Set());
  const focusIndex = ref(0);
  const jump = ref<ViewportJump | null>(null);

  /** Changes are known that the shown rows do not reflect yet. */
  const behind = computed(() => counts.value !== null && windowVersion.value < counts.value.version);

  const viewport = { first: 0, end: 0 };
  let jumpSeq = 0;
  let fetchChain: Promise<void> = Promise.resolve();
  let fetchQueued = false;
  /** The counters' version when the current one-at-a-time fetch started. */
  let sequentialStartVersion = 0;
  /** A live refresh started while a fetch for an older version was still in flight (at most one). */
  let extraFetch: Promise<void> | null = null;
  let extraStartVersion = 0;
  let versionRetries = 0;
  let anchorWanted = false;
  let refreshScheduled = false;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshFrame: number | undefined;
  let highlightTimer: ReturnType<typeof setTimeout> | undefined;
  /** Changes whose rows are not on screen yet (for the commit-to-paint marks). */
  let unpaintedCommits: { version: number; committedAt: number; receivedAt: number }[] = [];
  let subscriptions: (() => void)[] = [];
  /** Bumped by open/close/filter: replies of an older generation are dropped. */
  let generation = 0;

  function rowAt(index: number): LevelRow | undefined {
    return rows.value[index - windowOffset.value];
  }

  function filterQuery(): LevelFilter {
    const query: LevelFilter = {};
    if (filter.value.min !== undefined) query.min = boundLevel(filter.value.min);
    if (filter.value.max !== undefined) query.max = boundLevel(filter.value.max);
    return query;
  }

  /** Rows `offset…` of the filtered table, or, with `fromLevel`, from the first level ≥ it (the reply's `offset` says where). */
  async function page(offset: number, limit: number, extra: PageQuery = {}): Promise<LevelPage> {
    if (eventId.value === null) throw new Error('No event open');
    const query: PageQuery = { ...filterQuery(), ...extra };
    if (query.fromLevel !== undefined) query.fromLevel = boundLevel(query.fromLevel);
    return fetchLevelsPage({ eventId: eventId.value, offset, limit, ...query });
  }

  /** Where `level` (or the first level above it) is in the filtered table, and that level (null: none is). */
  async function locate(level: number): Promise<{ index: number; total: number; levelAt: number | null }> {
    const reply = await page(0, 1, { fromLevel: level });
    return { index: reply.offset, total: reply.total, levelAt: reply.rows[0]?.level ?? null };
  }

  /**
   * The window around the viewport (rows `first`..`end`) when rows above it may have appeared or
   * vanished, and how far the viewed row (row `anchorIndex`, level `level`) moved: one request
   * that starts WINDOW_MARGIN rows above the viewport, at the level shown there (`fromLevel`), and
   * finds `level` (or the next level, if it vanished) among the rows. Only when more levels
   * appeared in between than the page holds does it take a second request to locate the row and a
   * third for the window.
   */
  async function fetchAnchored(
    first: number,
    end: number,
    anchorIndex: number,
    level: number,
  ): Promise<{ shift: number; reply: LevelPage }> {
    const leadIndex = Math.max(windowOffset.value, first - WINDOW_MARGIN);
    const leadLevel = rowAt(leadIndex)?.level ?? level;
    const limit = Math.min(LEVELS_PAGE_MAX_LIMIT, end - leadIndex + WINDOW_MARGIN);
    const reply = await page(0, limit, { fromLevel: leadLevel });
    const at = reply.rows.findIndex((row) => row.level >= level);
    if (at >= 0) return { shift: reply.offset + at - anchorIndex, reply };
    // Every level from the lead one up is in the reply and none reaches `level`: all of them vanished.
    if (reply.offset + reply.rows.length >= reply.total) return { shift: reply.total - anchorIndex, reply };
    const located = await locate(level);
    const shift = located.index - anchorIndex;
    const window = windowAround(
      first + shift,
      end + shift,
      located.total,
      WINDOW_MARGIN,
      LEVELS_PAGE_MAX_LIMIT,
    );
    return { shift, reply: await page(window.offset, window.limit) };
  }

  function requestJump(index: number, align: ViewportJump['align']): void {
    jumpSeq += 1;
    jump.value = { seq: jumpSeq, index, align };
  }

  /** Fetches the window around the viewport; with `anchor`, also finds where the viewed row went. */
  async function fetchWindow(anchor: boolean, concurrent = false): Promise<void> {
    const startedIn = generation;
    const startedAtVersion = counts.value?.version ?? 0;
    if (!concurrent) sequentialStartVersion = startedAtVersion;
    const viewedFirst = viewport.first;
    let first = viewport.first;
    const end = Math.max(viewport.end, first + 1);
    // The row the user is looking at: the focused one when it is on screen, else the top one.
    const anchorIndex = focusIndex.value >= first && focusIndex.value < end ? focusIndex.value : first;
    const anchorRow = anchor && first > 0 ? rowAt(anchorIndex) : undefined;
    let reply: LevelPage;
    if (anchorRow) {
      const anchored = await fetchAnchored(first, end, anchorIndex, anchorRow.level);
      // The viewed row's level (or the next one, if it vanished) moved by `shift` rows: so does the viewport.
      first = Math.max(0, first + anchored.shift);
      reply = anchored.reply;
    } else {
      const window = windowAround(
        first,
        end,
        total.value || end + WINDOW_MARGIN,
        WINDOW_MARGIN,
        LEVELS_PAGE_MAX_LIMIT,
      );
      reply = await page(window.offset, window.limit);
    }
    if (startedIn !== generation) return;
    // A reply older than the newest change already applied would show rows from before it.
    if (counts.value && reply.version < counts.value.version) {
      // A fetch started after the newer change is already on its way: it brings the rows.
      if (extraFetch && extraStartVersion > startedAtVersion) return;
      if (versionRetries < 5) {
        versionRetries += 1;
        fetchQueued = true;
        anchorWanted ||= anchor;
      }
      return;
    }
    versionRetries = 0;
    if (reply.version < windowVersion.value) return;
    const live = loaded.value && reply.version > windowVersion.value;
    const changed = live ? changedLevels(rows.value, reply.rows) : new Set<number>();
    const focusedLevel = live ? rowAt(focusIndex.value)?.level : undefined;
    rows.value = reply.rows;
    windowOffset.value = reply.offset;
    total.value = reply.total;
    windowVersion.value = reply.version;
    loaded.value = true;
    error.value = null;
    // Rows above the viewed one appeared or vanished: move with it (unless the user scrolled meanwhile).
    if (first !== viewedFirst && viewport.first === viewedFirst) {
      viewport.end += first - viewport.first;
      viewport.first = first;
      requestJump(first, 'keep');
    }
    if (changed.size > 0) highlight(changed);
    // The focused row keeps its level (or the next one, if it vanished), so Enter reserves what it showed.
    if (focusedLevel !== undefined) {
      const at = reply.rows.findIndex((row) => row.level >= focusedLevel);
      if (at >= 0 && reply.rows[0].level <= focusedLevel) focusIndex.value = reply.offset + at;
    }
    if (focusIndex.value >= reply.total) focusIndex.value = Math.max(0, reply.total - 1);
    const painted = unpaintedCommits.filter((commit) => commit.version <= reply.version);
    if (painted.length > 0) {
      markCommitsPainted(painted);
      unpaintedCommits = unpaintedCommits.filter((commit) => commit.version > reply.version);
    }
    // The viewport moved while this was in flight and the reply does not cover it: go again.
    if (!covers(reply.offset, reply.rows.length, viewport.first, viewport.end, reply.total))
      fetchQueued = true;
  }

  /** Runs fetches one at a time; requests made meanwhile collapse into one more fetch. */
  function queueFetch(anchor: boolean): Promise<void> {
    anchorWanted ||= anchor;
    fetchQueued = true;
    if (fetching.value) return fetchChain;
    fetching.value = true;
    fetchChain = (async () => {
      try {
        while (fetchQueued) {
          fetchQueued = false;
          const withAnchor = anchorWanted;
          anchorWanted = false;
          await fetchWindow(withAnchor);
        }
      } catch (caught) {
        error.value = errorMessage(caught);
      } finally {
        fetching.value = false;
        fetchQueued = false;
      }
    })();
    return fetchChain;
  }

  function highlight(levels: Set<number>): void {
    highlighted.value = levels;
    clearTimeout(highlightTimer);
    highlightTimer = setTimeout(() => (highlighted.value = new Set()), HIGHLIGHT_MS);
  }

  /** Gathers live changes until the next frame, then re-fetches the window once, keeping the viewed row. */
  function scheduleRefresh(): void {
    if (refreshScheduled || paused.value) return;
    refreshScheduled = true;
    const run = (): void => {
      if (!refreshScheduled) return;
      refreshScheduled = false;
      clearTimeout(refreshTimer);
      if (refreshFrame !== undefined) cancelAnimationFrame(refreshFrame);
      refreshTimer = refreshFrame = undefined;
      refreshNow();
    };
    // Whichever comes first: a frame (visible tab) or the fallback delay (hidden tab, no frames).
    if (typeof requestAnimationFrame === 'function') refreshFrame = requestAnimationFrame(run);
    refreshTimer = setTimeout(run, COALESCE_MS);
  }

  /**
   * Re-fetches for the changes known now. If a fetch is in flight for an older version, its reply
   * will be dropped anyway, so rather than wait for it a second fetch starts at once (at most one
   * such): a change then waits one round trip, not two.
   */
  function refreshNow(): void {
    const version = counts.value?.version ?? 0;
    if (!fetching.value || extraFetch || version <= sequentialStartVersion) {
      void queueFetch(true);
      return;
    }
    extraStartVersion = version;
    extraFetch = fetchWindow(true, true)
      .catch((caught: unknown) => {
        error.value = errorMessage(caught);
      })
      .finally(() => {
        extraFetch = null;
      });
  }

  function cancelRefresh(): void {
    refreshScheduled = false;
    clearTimeout(refreshTimer);
    if (refreshFrame !== undefined) cancelAnimationFrame(refreshFrame);
    refreshTimer = refreshFrame = undefined;
  }

  /** The grid reports the rows it shows; rows outside the window are fetched. */
  function setViewport(first: number, end: number): void {
    viewport.first = first;
    viewport.end = end;
    if (status.value !== 'ready') return;
    if (!loaded.value || !covers(windowOffset.value, rows.value.length, first, end, total.value))
      void queueFetch(false);
  }

  async function join(): Promise<void> {
    if (eventId.value === null) return;
    const startedIn = generation;
    status.value = status.value === 'ready' ? 'ready' : 'joining';
    try {
      const joining = joinEvent({ eventId: eventId.value, version: counts.value?.version });
      // On first open the first window rides along with the join instead of waiting for it.
      const firstWindow = loaded.value || !isSocketConnected() ? null : queueFetch(false);
      const snapshot = await joining;
      if (startedIn !== generation) return;
      counts.value = countsFromSnapshot(snapshot);
      status.value = 'ready';
      error.value = null;
      if (firstWindow) await firstWindow;
      if (startedIn !== generation) return;
      if (!loaded.value || windowVersion.value < snapshot.version) await queueFetch(true);
    } catch (caught) {
      if (startedIn !== generation) return;
      if (caught instanceof SocketRequestError && !isSocketConnected()) return; // joined again on connect
      const message = errorMessage(caught);
      status.value = status.value === 'ready' ? 'ready' : 'error';
      error.value = message;
    }
  }

  function open(id: number): void {
    close();
    generation += 1;
    eventId.value = id;
    subscriptions = [
      onServer('inventory:changed', (message) => {
        if (!counts.value || message.eventId !== eventId.value) return;
        const outcome = applyInventoryMessage(counts.value, message);
        if (outcome.appliedVersions.length === 0) return;
        counts.value = outcome.counts;
        if (outcome.counts.deleted) {
          status.value = 'deleted';
          return;
        }
        const receivedAt = Date.now();
        unpaintedCommits.push(...outcome.commits.map((commit) => ({ ...commit, receivedAt })));
        scheduleRefresh();
      }),
      onConnected(() => void join()),
    ];
    void join();
  }

  function close(): void {
    for (const stop of subscriptions) stop();
    subscriptions = [];
    if (eventId.value !== null && status.value === 'ready')
      void leaveEvent(eventId.value).catch(() => undefined);
    generation += 1;
    cancelRefresh();
    clearTimeout(highlightTimer);
    eventId.value = null;
    counts.value = null;
    status.value = 'idle';
    error.value = null;
    filter.value = {};
    resetWindow();
    paused.value = false;
    unpaintedCommits = [];
  }

  function resetWindow(): void {
    rows.value = [];
    windowOffset.value = 0;
    windowVersion.value = 0;
    total.value = 0;
    loaded.value = false;
    focusIndex.value = 0;
    highlighted.value = new Set();
  }

  /** Narrows the table to levels in [min, max] and goes back to its top. */
  function setFilter(next: LevelFilter): void {
    filter.value = { ...next };
    generation += 1;
    resetWindow();
    viewport.end = viewport.end - viewport.first;
    viewport.first = 0;
    requestJump(0, 'keep');
    if (status.value === 'ready') void queueFetch(false);
  }

  /** Jumps to `level`, or to the nearest level the table has (the lower one on a tie). */
  async function search(level: number): Promise<LevelSearchResult | null> {
    const located = await locate(level);
    if (located.total === 0) return null;
    let index = Math.min(located.index, located.total - 1);
    let found = located.index < located.total ? (located.levelAt ?? level) : null;
    if (found !== level && located.index > 0) {
      const around = await page(located.index - 1, 2);
      const below = around.rows[0];
      const above = around.rows[1];
      if (below && (!above || level - below.level <= above.level - level)) {
        index = located.index - 1;
        found = below.level;
      } else if (above) {
        index = located.index;
        found = above.level;
      }
    }
    focusIndex.value = index;
    requestJump(index, 'center');
    return { index, level: found ?? level, exact: found === level };
  }

  function setPaused(value: boolean): void {
    paused.value = value;
    if (!value && behind.value) scheduleRefresh();
  }

  /** Re-fetches the window now (after a failed reservation, or from the Retry button). */
  function refresh(): Promise<void> {
    if (status.value !== 'ready') return join();
    return queueFetch(true);
  }

  return {
    eventId,
    counts,
    status,
    error,
    filter,
    total,
    rows,
    windowOffset,
    windowVersion,
    fetching,
    loaded,
    paused,
    highlighted,
    focusIndex,
    jump,
    behind,
    rowAt,
    open,
    close,
    setViewport,
    setFilter,
    search,
    setPaused,
    refresh,
  };
});
