import { Injectable } from '@nestjs/common';
import { ErrorCode, Permission, type EventSnapshot, type LevelCombo, type LevelPage, type ReservationView } from '@tickets/protocol';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/token.service';
import { AppError } from '../common/app-error';
import { KeyedMutex } from '../common/keyed-mutex';
import { AppConfig } from '../config/app-config';
import { ClearanceIndexes, toEventSnapshot } from '../inventory/clearance-indexes.service';
import { InventoryBroadcaster } from '../inventory/inventory-broadcaster';
import { LevelsService } from '../levels/levels.service';
import { ReservationsService } from '../reservations/reservations.service';
import { JoinEventDto, LeaveEventDto, LevelComboDto, LevelsPageDto, SocketReserveDto } from './dto/realtime.dto';
import { ReserveRateLimiter } from './reserve-rate-limiter';

/** The room of one shard of an event's sockets (see InventoryBroadcaster). */
export const eventRoom = (eventId: number, shard: number): string => `event:${eventId}#${shard}`;

/** The shard of a socket, the same for every event: an FNV-1a hash of its id, so shards fill evenly. */
export function roomShardOf(socketId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < socketId.length; index += 1) hash = Math.imul(hash ^ socketId.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % shards;
}

/** What the service needs of a socket: who it is and its room membership. */
export interface RoomMember {
  id: string;
  data: { principal: AuthPrincipal };
  join(room: string): unknown;
  leave(room: string): unknown;
}

@Injectable()
export class RealtimeService {
  /** Per socket id: its joins and leaves, in order. */
  private readonly membership = new KeyedMutex<string>();

  constructor(
    private readonly levels: LevelsService,
    private readonly reservations: ReservationsService,
    private readonly indexes: ClearanceIndexes,
    private readonly permissions: PermissionsService,
    private readonly rateLimiter: ReserveRateLimiter,
    private readonly broadcaster: InventoryBroadcaster,
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
      this.indexes.whileCurrent(request.eventId, async (inventory) => {
        this.broadcaster.flush(request.eventId);
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

  page(request: LevelsPageDto): Promise<LevelPage> {
    return this.levels.page(request.eventId, request);
  }

  combo(request: LevelComboDto): Promise<LevelCombo> {
    return this.levels.combo(request.eventId, request.level, request);
  }

  async reserve(socket: RoomMember, request: SocketReserveDto): Promise<ReservationView> {
    const { principal } = socket.data;
    if (!(await this.permissions.permissionsOf(principal.role)).has(Permission.LEVELS_RESERVE)) {
      throw new AppError(ErrorCode.FORBIDDEN, `Missing permission ${Permission.LEVELS_RESERVE}`);
    }
    await this.rateLimiter.consume(principal.userId);
    return this.reservations.reserve(principal.userId, request.eventId, request);
  }
}
