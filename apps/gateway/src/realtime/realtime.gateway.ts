import { UseFilters, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { EventSnapshot, EventView, LevelCombo, LevelPage, ReservationView, SocketAuth } from '@tickets/protocol';
import { TokenService } from '../auth/token.service';
import { toErrorBody } from '../common/error-body';
import { LiveUpdates } from '../common/live-updates';
import { createValidationPipe } from '../common/validation';
import { AppConfig } from '../config/app-config';
import { InventoryBroadcaster } from '../inventory/inventory-broadcaster';
import { AckExceptionFilter, AckInterceptor } from './ack';
import { Audience } from './audience';
import { JoinEventDto, LeaveEventDto, LevelComboDto, LevelsPageDto, LobbyDto, SocketReserveDto } from './dto/realtime.dto';
import { Lobby } from './lobby';
import { assertProtocolVersion } from './protocol-version';
import { RealtimeService } from './realtime.service';
import { eventRoom, LOBBY_ROOM, userRoom } from './rooms';
import { SocketServer, type TicketsServer, type TicketsSocket } from './socket-server';

/** Socket.IO entry: handshake auth, validated payloads, one line per message, `{ok, data|error}` acks. */
@WebSocketGateway()
@UseFilters(AckExceptionFilter)
@UseInterceptors(AckInterceptor)
@UsePipes(createValidationPipe())
export class RealtimeGateway implements OnGatewayInit<TicketsServer>, OnGatewayConnection<TicketsSocket> {
  @WebSocketServer()
  server: TicketsServer;

  constructor(
    private readonly realtime: RealtimeService,
    private readonly lobby: Lobby,
    private readonly audience: Audience,
    private readonly tokens: TokenService,
    private readonly broadcaster: InventoryBroadcaster,
    private readonly live: LiveUpdates,
    private readonly sockets: SocketServer,
    private readonly config: AppConfig,
  ) {}

  afterInit(server: TicketsServer): void {
    this.sockets.attach(server);
    server.use((socket, next) => {
      try {
        const auth = (socket.handshake.auth ?? {}) as Partial<Record<keyof SocketAuth, unknown>>;
        assertProtocolVersion(auth.protocolVersion);
        socket.data.principal = this.tokens.verify(typeof auth.token === 'string' ? auth.token : null);
        next();
      } catch (error) {
        const body = toErrorBody(error);
        next(Object.assign(new Error(body.code), { data: { code: body.code, message: body.message } }));
      }
    });
    // Each replica emits inventory changes only to its own sockets: every replica consumes every change itself.
    const shards = Array.from({ length: this.config.broadcastShards }, (_, shard) => shard);
    this.broadcaster.attach({
      deliver: (eventId, shard, changes) =>
        server.local.to(eventRoom(eventId, shard)).emit('inventory:changed', { eventId, changes: [...changes] }),
      hasListeners: (eventId) => shards.some((shard) => (server.of('/').adapter.rooms.get(eventRoom(eventId, shard))?.size ?? 0) > 0),
    });
    // What only one replica knows goes to every replica's sockets through the adapter.
    this.live.attach({
      reservationChanged: (userId, notice) => server.to(userRoom(userId)).emit('reservation:changed', notice),
      eventCreated: (event) => server.to(LOBBY_ROOM).emit('events:changed', { upserted: [event], removed: [] }),
    });
    server.on('audience', (answer) => answer(this.audience.local()));
  }

  /** Every socket is in its user's room, so the user is told things on every tab and replica. */
  async handleConnection(socket: TicketsSocket): Promise<void> {
    await socket.join(userRoom(socket.data.principal.userId));
  }

  @SubscribeMessage('event:join')
  join(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: JoinEventDto): Promise<EventSnapshot> {
    return this.realtime.join(socket, body);
  }

  @SubscribeMessage('event:leave')
  leave(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: LeaveEventDto): Promise<{ eventId: number }> {
    return this.realtime.leave(socket, body);
  }

  @SubscribeMessage('lobby:join')
  joinLobby(@ConnectedSocket() socket: TicketsSocket, @MessageBody() _body: LobbyDto): Promise<EventView[]> {
    return this.lobby.join(socket);
  }

  @SubscribeMessage('lobby:leave')
  leaveLobby(@ConnectedSocket() socket: TicketsSocket, @MessageBody() _body: LobbyDto): Promise<Record<string, never>> {
    return this.lobby.leave(socket);
  }

  @SubscribeMessage('levels:page')
  page(@MessageBody() body: LevelsPageDto): Promise<LevelPage> {
    return this.realtime.page(body);
  }

  @SubscribeMessage('levels:combo')
  combo(@MessageBody() body: LevelComboDto): Promise<LevelCombo> {
    return this.realtime.combo(body);
  }

  @SubscribeMessage('reserve')
  reserve(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: SocketReserveDto): Promise<ReservationView> {
    return this.realtime.reserve(socket, body);
  }
}
