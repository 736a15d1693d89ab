/**
 * A socket.io-client attendee as the product's clients behave: websocket transport, JWT in the
 * handshake, joined to one event, recording every `inventory:changed` it receives. When its
 * replica goes away it fails over to the next URL (what a load balancer does for it in
 * production) and joins again with the last version it saw, the contract's resynchronisation.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AckCallback,
  ClientToServerEvents,
  EventSnapshot,
  InventoryChanged,
  LevelPage,
  LevelsPageRequest,
  ReservationNotice,
  ReservationView,
  ServerToClientEvents,
} from '@tickets/protocol';
import { PROTOCOL_VERSION } from '@tickets/protocol';

export type EventSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 20_000;

export interface Resync {
  fromUrl: string;
  toUrl: string;
  lastVersionBefore: number | null;
  /** Index in `changes` of the first change received on the new connection. */
  firstChangeIndex: number;
  snapshot: EventSnapshot;
}

export function connectSocket(url: string, token: string): Promise<EventSocket> {
  const socket: EventSocket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    forceNew: true,
    reconnection: false,
    timeout: 10_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export class EventClient {
  readonly changes: InventoryChanged[] = [];
  readonly resyncs: Resync[] = [];
  /** Notices about this user's own reservations (`reservation:changed`), in arrival order. */
  readonly notices: ReservationNotice[] = [];
  /** The newest version this client knows: its last join snapshot or change, whichever is newer. */
  version: number | null = null;
  private socket: EventSocket | null = null;
  private urlIndex: number;
  private eventId: number | null = null;
  private closed = false;
  private failingOver: Promise<void> | null = null;

  private constructor(
    private readonly urls: string[],
    private readonly token: string,
    urlIndex: number,
  ) {
    this.urlIndex = urlIndex;
  }

  /** Connects to `urls[urlIndex]`; later failovers walk the rest of `urls` round-robin. */
  static async connect(urls: string[], token: string, urlIndex = 0): Promise<EventClient> {
    const client = new EventClient(urls, token, urlIndex);
    client.attach(await connectSocket(urls[urlIndex], token));
    return client;
  }

  get url(): string {
    return this.urls[this.urlIndex];
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  async join(eventId: number): Promise<EventSnapshot> {
    this.eventId = eventId;
    const request = { eventId, version: this.version ?? undefined };
    const snapshot = unwrap(
      await this.withAck<EventSnapshot>((socket, ack) => socket.emit('event:join', request, ack)),
    );
    this.version = Math.max(this.version ?? snapshot.version, snapshot.version);
    return snapshot;
  }

  reserve(eventId: number, level: number, requestId: string): Promise<Ack<ReservationView>> {
    return this.withAck<ReservationView>((socket, ack) =>
      socket.emit('reserve', { eventId, level, requestId }, ack),
    );
  }

  confirm(reservationId: number): Promise<Ack<ReservationView>> {
    return this.withAck<ReservationView>((socket, ack) =>
      socket.emit('reservation:confirm', { reservationId }, ack),
    );
  }

  levelsPage(request: LevelsPageRequest): Promise<Ack<LevelPage>> {
    return this.withAck<LevelPage>((socket, ack) => socket.emit('levels:page', request, ack));
  }

  /**
   * Sends one message and resolves with its acknowledgement; rejects if the connection drops
   * first (the outcome is then unknown to the caller, as for a real client).
   */
  private withAck<T>(send: (socket: EventSocket, ack: AckCallback<T>) => void): Promise<Ack<T>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new Error(`not connected to ${this.url}`));
    return new Promise((resolve, reject) => {
      const fail = (reason: string): void => {
        clearTimeout(timer);
        socket.off('disconnect', fail);
        reject(new Error(`no acknowledgement from ${this.url}: ${reason}`));
      };
      const timer = setTimeout(() => fail('timed out'), ACK_TIMEOUT_MS);
      socket.on('disconnect', fail);
      send(socket, (ack) => {
        clearTimeout(timer);
        socket.off('disconnect', fail);
        resolve(ack);
      });
    });
  }

  /** Waits for an ongoing failover (if any) to finish. */
  async settled(): Promise<void> {
    while (this.failingOver) await this.failingOver;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private attach(socket: EventSocket): void {
    this.socket = socket;
    socket.on('inventory:changed', ({ changes }) => {
      for (const change of changes) {
        this.changes.push(change);
        if (this.version === null || change.version > this.version) this.version = change.version;
      }
    });
    socket.on('reservation:changed', (notice) => this.notices.push(notice));
    socket.on('disconnect', (reason) => {
      if (this.closed || reason === 'io client disconnect') return;
      this.failingOver = this.failOver().finally(() => {
        this.failingOver = null;
      });
    });
  }

  private async failOver(): Promise<void> {
    const fromUrl = this.url;
    const lastVersionBefore = this.version;
    this.socket?.removeAllListeners();
    const deadline = Date.now() + 60_000;
    while (!this.closed && Date.now() < deadline) {
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      try {
        const firstChangeIndex = this.changes.length;
        this.attach(await connectSocket(this.url, this.token));
        if (this.eventId !== null) {
          const snapshot = await this.join(this.eventId);
          this.resyncs.push({ fromUrl, toUrl: this.url, lastVersionBefore, firstChangeIndex, snapshot });
        }
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

export function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}
