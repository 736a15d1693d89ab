import { Inject, Injectable } from '@nestjs/common';
import type { EventSnapshot, LevelCombo, LevelPage, ReservationView } from '@tickets/protocol';
import type { AuthPrincipal } from '../auth/sessions.service';
import { KeyedMutex } from '../common/keyed-mutex';
import { AppConfig } from '../config/app-config';
import { LocalInventory, toEventSnapshot } from '../inventory/local-inventory';
import { FanOut } from './fan-out';
import { LevelsService } from '../levels/levels.service';
import { ReservationsService } from '../reservations/reservations.service';
import {
  ConfirmReservationDto,
  JoinEventDto,
  LeaveEventDto,
  LevelComboDto,
  LevelsPageDto,
  SocketReserveDto,
} from './dto/realtime.dto';
import { eventRoom, roomShardOf } from './rooms';

/** What the service needs of a socket: who it is and its room membership. */
export interface RoomMember {
  id: string;
  data: { principal: AuthPrincipal };
  join(room: string): unknown;
  leave(room: string): unknown;
}

/**
 * What RealtimeService uses of its injected collaborators, by name: the unit test's fakes
 * implement exactly these (Nest still injects the classes, named by @Inject).
 */
export type LevelsServicePort = Pick<LevelsService, 'page' | 'combo'>;
export type ReservationsServicePort = Pick<ReservationsService, 'reserve' | 'confirm'>;
export type LocalInventoryPort = Pick<LocalInventory, 'whileCurrent'>;
export type FanOutPort = Pick<FanOut, 'flush'>;

@Injectable()
export class RealtimeService {
  /** Per socket id: its joins and leaves, in order. */
  private readonly membership = new KeyedMutex<string>();

  constructor(
    @Inject(LevelsService) private readonly levels: LevelsServicePort,
    @Inject(ReservationsService) private readonly reservations: ReservationsServicePort,
    @Inject(LocalInventory) private readonly inventory: LocalInventoryPort,
    @Inject(FanOut) private readonly fanOut: FanOutPort,
    private readonly config: AppConfig,
  ) {}

  /**
   * Joins the room and takes the snapshot inside the event's ordered consumer, so the socket gets
   * every change after the snapshot's version and none before it (changes on their way or still
   * waiting to be sent to the room reach it first, before the socket is in it). A socket's joins
   * and leaves run one after another, in the order they came.
   */
  join(socket: RoomMember, request: JoinEventDto): Promise<EventSnapshot> {
    return this.membership.run(socket.id, () =>
      this.inventory.whileCurrent(request.eventId, async (inventory) => {
        this.fanOut.flush(request.eventId);
        await socket.join(this.roomOf(socket, request.eventId));
        return toEventSnapshot(inventory);
      }),
    );
  }

  /** After any join of the same socket still under way, so a leave right after a join wins. */
  leave(socket: RoomMember, request: LeaveEventDto): Promise<{ eventId: number }> {
    return this.membership.run(socket.id, async () => {
      await socket.leave(this.roomOf(socket, request.eventId));
      return { eventId: request.eventId };
    });
  }

  private roomOf(socket: RoomMember, eventId: number): string {
    return eventRoom(eventId, roomShardOf(socket.id, this.config.broadcastShards));
  }

  page(socket: RoomMember, request: LevelsPageDto): Promise<LevelPage> {
    return this.levels.page(socket.data.principal.userId, request.eventId, request);
  }

  combo(socket: RoomMember, request: LevelComboDto): Promise<LevelCombo> {
    return this.levels.combo(socket.data.principal.userId, request.eventId, request.level, request);
  }

  confirm(socket: RoomMember, request: ConfirmReservationDto): Promise<ReservationView> {
    return this.reservations.confirm(socket.data.principal, request.reservationId);
  }

  /** The permission is checked by PermissionsGuard (@RequirePermissions on the gateway's handler). */
  reserve(socket: RoomMember, request: SocketReserveDto): Promise<ReservationView> {
    return this.reservations.reserve(socket.data.principal.userId, request.eventId, request);
  }
}
