import { UseFilters, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type {
  ClientToServerEvents,
  EventSnapshot,
  LevelCombo,
  LevelPage,
  ReservationView,
  ServerToClientEvents,
  SocketAuth,
} from '@tickets/protocol';
import type { Server, Socket } from 'socket.io';
import { TokenService, type AuthPrincipal } from '../auth/token.service';
import { toErrorBody } from '../common/error-body';
import { createValidationPipe } from '../common/validation';
import { InventoryBroadcaster } from '../inventory/inventory-broadcaster';
import { AppConfig } from '../config/app-config';
import { AckExceptionFilter, AckInterceptor } from './ack';
import { assertProtocolVersion } from './protocol-version';
import { JoinEventDto, LeaveEventDto, LevelComboDto, LevelsPageDto, SocketReserveDto } from './dto/realtime.dto';
import { eventRoom, RealtimeService } from './realtime.service';

interface SocketData {
  principal: AuthPrincipal;
}
type TicketsServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type TicketsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Socket.IO entry: handshake auth, validated payloads, one line per message, `{ok, data|error}` acks. */
@WebSocketGateway()
@UseFilters(AckExceptionFilter)
@UseInterceptors(AckInterceptor)
@UsePipes(createValidationPipe())
export class RealtimeGateway implements OnGatewayInit<TicketsServer> {
  @WebSocketServer()
  server: TicketsServer;

  constructor(
    private readonly realtime: RealtimeService,
    private readonly tokens: TokenService,
    private readonly broadcaster: InventoryBroadcaster,
    private readonly config: AppConfig,
  ) {}

  afterInit(server: TicketsServer): void {
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
    // Each replica emits only to its own sockets: every replica consumes every change itself.
    const shards = Array.from({ length: this.config.broadcastShards }, (_, shard) => shard);
    this.broadcaster.attach({
      deliver: (eventId, shard, changes) =>
        server.local.to(eventRoom(eventId, shard)).emit('inventory:changed', { eventId, changes: [...changes] }),
      hasListeners: (eventId) => shards.some((shard) => (server.of('/').adapter.rooms.get(eventRoom(eventId, shard))?.size ?? 0) > 0),
    });
  }

  @SubscribeMessage('event:join')
  join(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: JoinEventDto): Promise<EventSnapshot> {
    return this.realtime.join(socket, body);
  }

  @SubscribeMessage('event:leave')
  leave(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: LeaveEventDto): Promise<{ eventId: number }> {
    return this.realtime.leave(socket, body);
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
