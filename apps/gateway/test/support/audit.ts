import { ClearanceIndex } from '@tickets/clearance';
import { DataSource } from 'typeorm';

interface Row {
  [column: string]: string | number | null;
}

/** Everything the database says about one event, for invariant checks. */
export async function auditEvent(dataSource: DataSource, eventId: number) {
  const q = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await dataSource.query(sql, params)) as Row[];
  const [event] = await q('SELECT version, total_tickets, available_tickets FROM events WHERE id = ?', [
    eventId,
  ]);
  const tickets = await q(
    'SELECT id, value, status, reservation_id FROM tickets WHERE event_id = ? ORDER BY id',
    [eventId],
  );
  const reservations = await q(
    'SELECT id, level, status, ticket_ids, user_id, request_id FROM reservations WHERE event_id = ?',
    [eventId],
  );
  const held = await q(
    'SELECT rt.ticket_id, rt.reservation_id FROM reservation_tickets rt JOIN reservations r ON r.id = rt.reservation_id WHERE r.event_id = ?',
    [eventId],
  );
  const [{ n: outboxRows }] = await q('SELECT COUNT(*) AS n FROM inventory_changes WHERE event_id = ?', [
    eventId,
  ]);
  const available = tickets
    .filter((t) => t.status === 'available')
    .map((t) => ({ id: Number(t.id), value: Number(t.value) }));
  return {
    version: Number(event.version),
    totalTickets: Number(event.total_tickets),
    availableTickets: Number(event.available_tickets),
    tickets: tickets.map((t) => ({
      id: Number(t.id),
      value: Number(t.value),
      status: String(t.status),
      reservationId: t.reservation_id === null ? null : Number(t.reservation_id),
    })),
    reservations: reservations.map((r) => ({
      id: Number(r.id),
      level: Number(r.level),
      status: String(r.status),
      userId: Number(r.user_id),
      requestId: String(r.request_id),
      ticketIds: JSON.parse(String(r.ticket_ids)) as number[],
    })),
    held: held.map((h) => ({ ticketId: Number(h.ticket_id), reservationId: Number(h.reservation_id) })),
    outboxRows: Number(outboxRows),
    /** A fresh index over the available tickets: what every replica's index must equal. */
    freshIndex: () => ClearanceIndex.build(available),
  };
}

/** The event's rows as data (auditEvent without its index), to compare before and after a call that must change nothing. */
export async function eventState(dataSource: DataSource, eventId: number) {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- left out: a function does not compare
  const { freshIndex, ...rows } = await auditEvent(dataSource, eventId);
  return rows;
}
