import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { In, type EntityManager } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { LiveUpdates } from '../common/live-updates';
import { Timers } from '../common/timers';
import { deleteInChunks } from '../database/chunks';
import { EventContents } from '../events/event-contents';
import { ReservationEntity } from './reservation.entity';
import { toReservationView } from './reservation-views';

/**
 * An event's tickets and reservations, deleted with the event (EventsService.remove): children
 * before parents, as the foreign keys want (reservation_tickets name tickets, tickets name their
 * reservation), a chunk at a time. Holders of active reservations are told once it committed.
 */
@Injectable()
export class EventReservations extends EventContents {
  constructor(
    private readonly timers: Timers,
    private readonly live: LiveUpdates,
    private readonly clock: Clock,
  ) {
    super();
  }

  async deleteAll(manager: EntityManager, eventId: number, force: boolean): Promise<() => void> {
    const active = await manager.find(ReservationEntity, {
      where: { eventId, status: In(['held', 'confirmed']) },
      order: { id: 'ASC' },
    });
    if (active.length > 0 && !force) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `The event has ${active.length} active reservation(s); delete it with force=true to release them`,
      );
    }
    const slices = this.timers.slices();
    const params = [eventId];
    await deleteInChunks(manager, slices, {
      table: 'reservation_tickets',
      key: 'ticket_id',
      where: 'ticket_id IN (SELECT id FROM tickets WHERE event_id = ?)',
      params,
    });
    await deleteInChunks(manager, slices, { table: 'tickets', key: 'id', where: 'event_id = ?', params });
    await deleteInChunks(manager, slices, {
      table: 'reservations',
      key: 'id',
      where: 'event_id = ?',
      params,
    });
    const settledAt = this.clock.now();
    return () => {
      for (const reservation of active) {
        // Released with its event: what its holder's list shows from now on.
        const view = toReservationView(
          Object.assign(reservation, { status: 'released' as const, expiresAt: null, settledAt }),
        );
        this.live.reservationChanged(reservation.userId, { reason: 'event-deleted', reservation: view });
      }
    };
  }
}
