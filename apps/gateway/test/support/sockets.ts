import {
  PROTOCOL_VERSION,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@tickets/protocol';
import { io, type Socket } from 'socket.io-client';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A refused handshake, as socket.io-client reports it. */
export type HandshakeError = Error & { data?: { code: string; message: string } };

/** Sockets of one test file, all closed by closeAll(). */
export class TestSockets {
  private readonly sockets: ClientSocket[] = [];

  constructor(private readonly url: () => string) {}

  /**
   * A socket with the token (null: none) and the current protocol version unless `handshake` says
   * otherwise; `extraHeaders` (an Origin, say) go with the WebSocket handshake.
   */
  connect(
    token: string | null,
    handshake: Record<string, unknown> = { protocolVersion: PROTOCOL_VERSION },
    options: { extraHeaders?: Record<string, string>; transports?: string[] } = {},
  ): ClientSocket {
    const auth = token === null ? handshake : { ...handshake, token };
    const socket: ClientSocket = io(this.url(), {
      transports: options.transports ?? ['websocket'],
      auth,
      reconnection: false,
      extraHeaders: options.extraHeaders,
    });
    this.sockets.push(socket);
    return socket;
  }

  /** A socket once connected; rejects with the handshake error. */
  async connected(
    token: string,
    options: { extraHeaders?: Record<string, string> } = {},
  ): Promise<ClientSocket> {
    const socket = this.connect(token, undefined, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.disconnect();
    this.sockets.length = 0;
  }
}

/** The handshake's refusal. */
export function handshakeError(socket: ClientSocket): Promise<HandshakeError> {
  return new Promise((resolve) => socket.once('connect_error', resolve));
}

/** The same socket without the protocol's event types, to send names and payloads the types would refuse. */
export function untyped(socket: ClientSocket): Socket {
  return socket;
}

/** Emits with an ack, through the untyped socket: a test may send any name and payload. */
export async function call<T>(socket: ClientSocket, event: string, payload: unknown): Promise<Ack<T>> {
  const answer: Ack<T> = await untyped(socket).timeout(5000).emitWithAck(event, payload);
  return answer;
}
