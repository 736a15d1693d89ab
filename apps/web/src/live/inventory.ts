/**
 * Pure reducers for what the server pushes: `inventory:changed` for the open event's counts,
 * `events:changed` for the lobby, and the row diff that decides which visible rows to highlight.
 */
import type {
  EventSnapshot,
  EventsChangedMessage,
  EventView,
  InventoryChangedMessage,
  LevelRow,
} from '@tickets/protocol';

/** The open event's counters as of `version`. */
export interface LiveCounts extends EventSnapshot {
  /** The event was deleted (an `event-deleted` change arrived). */
  deleted: boolean;
}

export interface InventoryOutcome {
  counts: LiveCounts;
  /** Versions applied by this message (duplicates and other events' changes left out). */
  appliedVersions: number[];
  /** Some version between the previous state and this message never arrived (e.g. across a reconnect). */
  gap: boolean;
  /** Each applied change's version and commit time (epoch ms), for commit-to-paint figures. */
  commits: { version: number; committedAt: number }[];
}

export function countsFromSnapshot(snapshot: EventSnapshot): LiveCounts {
  return { ...snapshot, deleted: false };
}

/**
 * Applies one message to the counters. Changes carry absolute counters, so the newest one wins;
 * changes at or below the current version are duplicates (a snapshot taken after them) and skipped.
 */
export function applyInventoryMessage(
  counts: LiveCounts,
  message: InventoryChangedMessage,
): InventoryOutcome {
  const unchanged: InventoryOutcome = { counts, appliedVersions: [], gap: false, commits: [] };
  if (message.eventId !== counts.eventId) return unchanged;
  let next = counts;
  let gap = false;
  const commits: InventoryOutcome['commits'] = [];
  const appliedVersions: number[] = [];
  for (const change of message.changes) {
    if (change.eventId !== counts.eventId) continue;
    if (change.cause === 'event-deleted') {
      next = { ...next, deleted: true, version: Math.max(next.version, change.version) };
      appliedVersions.push(change.version);
      continue;
    }
    if (change.version <= next.version) continue;
    if (change.version > next.version + 1) gap = true;
    next = {
      ...next,
      version: change.version,
      levelCount: change.levelCount,
      totalTickets: change.totalTickets,
      availableTickets: change.availableTickets,
    };
    appliedVersions.push(change.version);
    commits.push({ version: change.version, committedAt: change.committedAt });
  }
  return appliedVersions.length === 0 ? unchanged : { counts: next, appliedVersions, gap, commits };
}

/**
 * The lobby list after an `events:changed` message: removed events dropped, upserted ones replaced
 * only by a newer version (replicas may send the same event at different versions), new ones
 * added; ordered by id like `GET /api/events`.
 */
export function applyEventsChanged(events: readonly EventView[], message: EventsChangedMessage): EventView[] {
  const removed = new Set(message.removed);
  const byId = new Map<number, EventView>();
  for (const event of events) if (!removed.has(event.id)) byId.set(event.id, event);
  for (const event of message.upserted) {
    if (removed.has(event.id)) continue;
    const known = byId.get(event.id);
    if (!known || event.version >= known.version) byId.set(event.id, event);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function sameRow(a: LevelRow, b: LevelRow): boolean {
  if (a.ticketCount !== b.ticketCount || a.ticketIds.length !== b.ticketIds.length) return false;
  return a.ticketIds.every((id, index) => id === b.ticketIds[index]);
}

/**
 * Levels of `next` that changed since `previous`: new levels and levels whose combination
 * differs, within the level range both windows cover (a window that moved elsewhere highlights nothing).
 */
export function changedLevels(previous: readonly LevelRow[], next: readonly LevelRow[]): Set<number> {
  const changed = new Set<number>();
  if (previous.length === 0 || next.length === 0) return changed;
  const low = Math.max(previous[0].level, next[0].level);
  const high = Math.min(previous[previous.length - 1].level, next[next.length - 1].level);
  const before = new Map<number, LevelRow>();
  for (const row of previous) if (row.level >= low && row.level <= high) before.set(row.level, row);
  for (const row of next) {
    if (row.level < low || row.level > high) continue;
    const old = before.get(row.level);
    if (!old || !sameRow(old, row)) changed.add(row.level);
  }
  return changed;
}
