import { UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  ErrorCode,
  Permission,
  type ClientEventName,
  type EventSnapshot,
  type EventView,
  type LevelCombo,
  type LevelPage,
  type ReservationView,
  type SocketAuth,
} from '@tickets/protocol';
import { RequirePermissions } from '../auth/auth.decorators';
import { AuthGuard, PermissionsGuard } from '../auth/auth.guards';
import { SocketSessions } from '../auth/socket-sessions';
import { toErrorBody } from '../common/error-body';
import { RequestDeadline } from '../common/request-deadline';
import { createValidationPipe } from '../common/validation';
import { ReservationMetrics } from '../observability/reservation-metrics';
import { SocketMessageLog } from '../observability/socket-message-log';
import { AckExceptionFilter, AckInterceptor } from './ack';
import { Audience } from './audience';
import {
  ConfirmReservationDto,
  JoinEventDto,
  LeaveEventDto,
  LevelComboDto,
  LevelsPageDto,
  LobbyDto,
  SocketReserveDto,
} from './dto/realtime.dto';
import { Lobby } from './lobby';
import { assertProtocolVersion } from './protocol-version';
import { RealtimeService } from './realtime.service';
import { userRoom } from './rooms';
import { SocketServer, type TicketsServer, type TicketsSocket } from './socket-server';

/** Every message a client may send (the protocol's map, checked at compile time); anything else is answered ok:false. */
const CLIENT_MESSAGES: ReadonlySet<string> = new Set(
  Object.keys({
    'event:join': true,
    'event:leave': true,
    'levels:page': true,
    'levels:combo': true,
    reserve: true,
    'reservation:confirm': true,
    'lobby:join': true,
    'lobby:leave': true,
  } satisfies Record<ClientEventName, true>),
);

/**
 * Socket.IO entry: handshake auth (SocketSessions), validated payloads, one line per message,
 * `{ok, data|error}` acks. AuthGuard re-checks the session before every message and
 * PermissionsGuard applies @RequirePermissions, as for REST routes.
 */
@WebSocketGateway()
// Global guards (APP_GUARD) reach HTTP routes only; a gateway names its own.
@UseGuards(AuthGuard, PermissionsGuard)
@UseFilters(AckExceptionFilter)
@UseInterceptors(SocketMessageLog, RequestDeadline, AckInterceptor)
@UsePipes(createValidationPipe())
export class RealtimeGateway
  implements
    OnGatewayInit<TicketsServer>,
    OnGatewayConnection<TicketsSocket>,
    OnGatewayDisconnect<TicketsSocket>
{
  @WebSocketServer()
  server: TicketsServer;

  constructor(
    private readonly realtime: RealtimeService,
    private readonly lobby: Lobby,
    private readonly audience: Audience,
    private readonly sessions: SocketSessions,
    private readonly sockets: SocketServer,
  ) {}

  afterInit(server: TicketsServer): void {
    this.sockets.attach(server);
    server.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as Partial<Record<keyof SocketAuth, unknown>>;
      Promise.resolve()
        .then(() => assertProtocolVersion(auth.protocolVersion))
        .then(() => this.sessions.open(auth.token))
        .then((principal) => {
          socket.data.principal = principal;
          next();
        })
        .catch((error: unknown) => {
          const body = toErrorBody(error);
          next(Object.assign(new Error(body.code), { data: { code: body.code, message: body.message } }));
        });
    });
    server.on('audience', (answer) => answer(this.audience.local()));
  }

  /**
   * Every socket is in its user's room, so the user is told things on every tab and replica; its
   * session is watched (expiry, log out); a message the protocol does not have gets ok:false.
   */
  async handleConnection(socket: TicketsSocket): Promise<void> {
    this.sessions.watch(socket);
    socket.onAny((name: string, ...args: unknown[]) => {
      if (CLIENT_MESSAGES.has(name)) return;
      const ack = args.at(-1);
      if (typeof ack === 'function')
        ack({ ok: false, error: { code: ErrorCode.VALIDATION_FAILED, message: 'Unknown message' } });
    });
    await socket.join(userRoom(socket.data.principal.userId));
  }

  handleDisconnect(socket: TicketsSocket): void {
    this.sessions.forget(socket);
  }

  @SubscribeMessage('event:join')
  join(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: JoinEventDto): Promise<EventSnapshot> {
    return this.realtime.join(socket, body);
  }

  @SubscribeMessage('event:leave')
  leave(
    @ConnectedSocket() socket: TicketsSocket,
    @MessageBody() body: LeaveEventDto,
  ): Promise<{ eventId: number }> {
    return this.realtime.leave(socket, body);
  }

  @SubscribeMessage('lobby:join')
  joinLobby(@ConnectedSocket() socket: TicketsSocket, @MessageBody() _body: LobbyDto): Promise<EventView[]> {
    return this.lobby.join(socket);
  }

  @SubscribeMessage('lobby:leave')
  leaveLobby(
    @ConnectedSocket() socket: TicketsSocket,
    @MessageBody() _body: LobbyDto,
  ): Promise<Record<string, never>> {
    return this.lobby.leave(socket);
  }

  @SubscribeMessage('levels:page')
  page(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: LevelsPageDto): Promise<LevelPage> {
    return this.realtime.page(socket, body);
  }

  @SubscribeMessage('levels:combo')
  combo(@ConnectedSocket() socket: TicketsSocket, @MessageBody() body: LevelComboDto): Promise<LevelCombo> {
    return this.realtime.combo(socket, body);
  }

  @SubscribeMessage('reservation:confirm')
  confirm(
    @ConnectedSocket() socket: TicketsSocket,
    @MessageBody() body: ConfirmReservationDto,
  ): Promise<ReservationView> {
    return this.realtime.confirm(socket, body);
  }

  @SubscribeMessage('reserve')
  @RequirePermissions(Permission.LEVELS_RESERVE)
  @UseInterceptors(ReservationMetrics)
  reserve(
    @ConnectedSocket() socket: TicketsSocket,
    @MessageBody() body: SocketReserveDto,
  ): Promise<ReservationView> {
    return this.realtime.reserve(socket, body);
  }
}
