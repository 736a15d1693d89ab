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

export const ADDING_CAUSES: ReadonlySet<InventoryCause> = new Set<InventoryCause>(['released', 'ticket-created']);

/** The client payload for a change, once a replica knows its level count. */
export function toInventoryChanged(change: CommittedChange, levelCount: number): InventoryChanged {
  return {
    eventId: change.eventId,
    version: change.version,
    cause: change.cause,
    ticketIds: change.ticketIds.length > CHANGE_MAX_TICKET_IDS ? change.ticketIds.slice(0, CHANGE_MAX_TICKET_IDS) : change.ticketIds,
    ticketCount: change.ticketIds.length,
    levelCount,
    totalTickets: change.totalTickets,
    availableTickets: change.availableTickets,
    committedAt: change.committedAt,
  };
}
