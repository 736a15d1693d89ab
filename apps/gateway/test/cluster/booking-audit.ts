/**
 * Reads the database the replicas share and checks the invariants that must survive any race or
 * crash: no ticket in two active reservations, ticket rows agree with the reservations that hold
 * them, event counters agree with the ticket rows, and every reservation a client saw acknowledged
 * is still there, active, with the same tickets.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { ReservationView } from '@tickets/protocol';
import type { ScratchDatabase } from '../support/scratch-database';

export interface BookingAudit {
  activeReservations: number;
  reservedTickets: number;
  /** Tickets listed by more than one active reservation. */
  doubleBookedTickets: number[];
  /** Tickets whose row does not point back to the active reservation listing them, or vice versa. */
  inconsistentTickets: number[];
  /** Acknowledged reservations missing from the database, not active, or with other tickets. */
  lostReservations: number[];
  counters: {
    version: number;
    totalTickets: number;
    availableTickets: number;
    countedTotal: number;
    countedAvailable: number;
  };
}

function parseIds(stored: unknown): number[] {
  return (String(stored).match(/\d+/g) ?? []).map(Number);
}

export async function auditBookings(
  database: ScratchDatabase,
  eventId: number,
  acknowledged: Pick<ReservationView, 'id' | 'ticketIds'>[] = [],
): Promise<BookingAudit> {
  const reservations = await database.query<RowDataPacket>(
    'SELECT id, status, ticket_ids FROM reservations WHERE event_id = ?',
    [eventId],
  );
  const tickets = await database.query<RowDataPacket>(
    'SELECT id, status, reservation_id FROM tickets WHERE event_id = ?',
    [eventId],
  );
  const [event] = await database.query<RowDataPacket>(
    'SELECT version, total_tickets, available_tickets FROM events WHERE id = ?',
    [eventId],
  );

  const holderByTicket = new Map<number, number>();
  const doubleBooked = new Set<number>();
  const reservationById = new Map<number, { status: string; ticketIds: number[] }>();
  for (const row of reservations) {
    const ticketIds = parseIds(row.ticket_ids);
    reservationById.set(Number(row.id), { status: String(row.status), ticketIds });
    if (row.status !== 'held' && row.status !== 'confirmed') continue;
    for (const ticketId of ticketIds) {
      if (holderByTicket.has(ticketId)) doubleBooked.add(ticketId);
      holderByTicket.set(ticketId, Number(row.id));
    }
  }

  const inconsistent = new Set<number>();
  let reservedTickets = 0;
  let available = 0;
  for (const ticket of tickets) {
    const id = Number(ticket.id);
    const holder = holderByTicket.get(id);
    if (ticket.status === 'reserved') {
      reservedTickets += 1;
      if (holder === undefined || Number(ticket.reservation_id) !== holder) inconsistent.add(id);
    } else {
      available += 1;
      if (holder !== undefined) inconsistent.add(id);
    }
  }

  const lost = acknowledged
    .filter((ack) => {
      const stored = reservationById.get(ack.id);
      if (!stored || (stored.status !== 'held' && stored.status !== 'confirmed')) return true;
      const expected = [...ack.ticketIds].sort((a, b) => a - b).join(',');
      return [...stored.ticketIds].sort((a, b) => a - b).join(',') !== expected;
    })
    .map((ack) => ack.id);

  return {
    activeReservations: [...reservationById.values()].filter(
      (r) => r.status === 'held' || r.status === 'confirmed',
    ).length,
    reservedTickets,
    doubleBookedTickets: [...doubleBooked],
    inconsistentTickets: [...inconsistent],
    lostReservations: lost,
    counters: {
      version: Number(event?.version),
      totalTickets: Number(event?.total_tickets),
      availableTickets: Number(event?.available_tickets),
      countedTotal: tickets.length,
      countedAvailable: available,
    },
  };
}
