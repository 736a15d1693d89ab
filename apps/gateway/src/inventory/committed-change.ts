import { parseJsonObject } from '../common/json-object';
import { CHANGE_MAX_TICKET_IDS, type InventoryCause, type InventoryChanged } from '@tickets/protocol';

/**
 * One committed inventory change as replicas pass it around internally. Unlike the client payload
 * it carries the values of tickets that return to the pool, so a replica can update its index
 * without reading the database. `values` is null when the message was too big to carry them; the
 * consumer then reads the outbox row.
 */
export interface CommittedChange {
  eventId: number;
  version: number;
  cause: InventoryCause;
  ticketIds: number[];
  /** Values of ticketIds, for causes that add tickets (released, ticket-created). */
  values: number[] | null;
  totalTickets: number;
  availableTickets: number;
  committedAt: number;
}

export const ADDING_CAUSES: ReadonlySet<InventoryCause> = new Set<InventoryCause>([
  'released',
  'expired',
  'ticket-created',
]);

/** The client payload for a change, once a replica knows its level count. */
export function toInventoryChanged(change: CommittedChange, levelCount: number): InventoryChanged {
  return {
    eventId: change.eventId,
    version: change.version,
    cause: change.cause,
    ticketIds:
      change.ticketIds.length > CHANGE_MAX_TICKET_IDS
        ? change.ticketIds.slice(0, CHANGE_MAX_TICKET_IDS)
        : change.ticketIds,
    ticketCount: change.ticketIds.length,
    levelCount,
    totalTickets: change.totalTickets,
    availableTickets: change.availableTickets,
    committedAt: change.committedAt,
  };
}

const CAUSES: ReadonlySet<string> = new Set<InventoryCause>([
  'reserved',
  'released',
  'expired',
  'ticket-created',
  'ticket-deleted',
  'event-deleted',
]);

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;

/**
 * A change from the Redis feed, or null when the message is not one. Redis is shared
 * infrastructure: a malformed or hostile message must not reach an index (a wrong ticket id or
 * value there would show levels that do not exist). Checks every field: O(ticket ids).
 */
export function parseCommittedChange(raw: string): CommittedChange | null {
  const change = parseJsonObject(raw) as Partial<Record<keyof CommittedChange, unknown>> | null;
  if (!change) return null;
  if (
    !isId(change.eventId) ||
    !isCount(change.version) ||
    typeof change.cause !== 'string' ||
    !CAUSES.has(change.cause)
  )
    return null;
  if (
    !isCount(change.totalTickets) ||
    !isCount(change.availableTickets) ||
    !Number.isFinite(change.committedAt)
  )
    return null;
  if (!Array.isArray(change.ticketIds) || !change.ticketIds.every(isId)) return null;
  const values = change.values;
  if (
    values !== null &&
    (!Array.isArray(values) || values.length !== change.ticketIds.length || !values.every(isId))
  )
    return null;
  return {
    eventId: change.eventId,
    version: change.version,
    cause: change.cause as InventoryCause,
    ticketIds: change.ticketIds as number[],
    values: values as number[] | null,
    totalTickets: change.totalTickets,
    availableTickets: change.availableTickets,
    committedAt: change.committedAt as number,
  };
}
