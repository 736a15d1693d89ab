import { Injectable } from '@nestjs/common';
import type { EventView, ReservationNotice } from '@tickets/protocol';

/** Where the features' live messages go: the socket server (attached by the realtime gateway). */
export interface LiveUpdatesSink {
  /** To every socket of the user, on whichever replica. */
  reservationChanged(userId: number, notice: ReservationNotice): void;
  /** An event created or whose terms changed: to every socket in the lobby, on whichever replica. */
  eventChanged(event: EventView): void;
}

/**
 * The port through which features that change things (reservations, events) tell connected
 * users, without depending on the socket server. Until a sink is attached (REST-only tests)
 * messages go nowhere.
 */
@Injectable()
export class LiveUpdates {
  private sink: LiveUpdatesSink | null = null;

  attach(sink: LiveUpdatesSink): void {
    this.sink = sink;
  }

  reservationChanged(userId: number, notice: ReservationNotice): void {
    this.sink?.reservationChanged(userId, notice);
  }

  eventChanged(event: EventView): void {
    this.sink?.eventChanged(event);
  }
}
