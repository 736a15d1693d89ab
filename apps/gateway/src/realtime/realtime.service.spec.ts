import { randomBytes } from 'node:crypto';
import type {
  ComboQuery,
  LevelCombo,
  LevelPage,
  LevelsQuery,
  ReservationView,
  ReserveRequest,
} from '@tickets/protocol';
import type { AuthPrincipal } from '../auth/sessions.service';
import type { EventInventory } from '../inventory/local-inventory';
import { loadConfig } from '../config/app-config';
import {
  RealtimeService,
  type FanOutPort,
  type LevelsServicePort,
  type LocalInventoryPort,
  type ReservationsServicePort,
  type RoomMember,
} from './realtime.service';
import { eventOfRoom, eventRoom, roomShardOf } from './rooms';

describe('event room shards', () => {
  it('puts a socket in a shard within range', () => {
    const id = randomBytes(15).toString('base64url');
    for (const shards of [1, 3, 8]) expect(roomShardOf(id, shards)).toBeLessThan(shards);
    expect(eventRoom(7, roomShardOf(id, 1))).toBe('event:7#0');
    expect(eventOfRoom(eventRoom(7, 3))).toBe(7);
    expect(eventOfRoom('user:7')).toBeNull();
    expect(eventOfRoom('lobby')).toBeNull();
  });

  it('spreads random socket ids evenly over the shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let index = 0; index < 8000; index += 1)
      counts[roomShardOf(randomBytes(15).toString('base64url'), 8)] += 1;
    // 1,000 expected per shard; a share off by more than 20% would make one shard's hand-over a bottleneck.
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

/** The event's ordered consumer: `hold()` keeps it busy (a build, a change being applied). */
class FakeInventory implements LocalInventoryPort {
  private held: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  constructor(private readonly inventory: EventInventory) {}

  async whileCurrent<T>(_eventId: number, fn: (inventory: EventInventory) => Promise<T>): Promise<T> {
    await this.held;
    return fn(this.inventory);
  }
  hold(): void {
    this.held = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open();
  }
}

/** Levels and reservations that answer with what they were asked, as `[userId, ...arguments]`. */
class EchoLevels implements LevelsServicePort {
  async page(userId: number, eventId: number, query: LevelsQuery): Promise<LevelPage> {
    return { eventId, version: userId, total: query.limit ?? 0, offset: query.offset ?? 0, rows: [] };
  }
  async combo(userId: number, eventId: number, level: number, query: ComboQuery = {}): Promise<LevelCombo> {
    return { eventId, version: userId, level, ticketCount: 0, offset: query.offset ?? 0, tickets: [] };
  }
}
class EchoReservations implements ReservationsServicePort {
  readonly calls: unknown[][] = [];
  async reserve(userId: number, eventId: number, request: ReserveRequest): Promise<ReservationView> {
    this.calls.push(['reserve', userId, eventId, request.level, request.requestId]);
    return view(userId, eventId);
  }
  async confirm(principal: AuthPrincipal, reservationId: number): Promise<ReservationView> {
    this.calls.push(['confirm', principal.userId, reservationId]);
    return view(principal.userId, 1);
  }
}
const view = (userId: number, eventId: number): ReservationView => ({
  id: 1,
  eventId,
  level: 1,
  ticketIds: [],
  ticketCount: 0,
  userId,
  status: 'held',
  expiresAt: null,
  createdAt: new Date(0).toISOString(),
  settledAt: null,
});

describe('RealtimeService', () => {
  /** What happened, in order: flushes, joins and leaves. */
  function setup() {
    const log: string[] = [];
    const inventory = new FakeInventory({
      eventId: 1,
      version: 7,
      totalTickets: 3,
      availableTickets: 2,
      levelCount: 4,
    });
    const fanOut: FanOutPort = { flush: (eventId: number) => void log.push(`flush ${eventId}`) };
    const reservations = new EchoReservations();
    const config = loadConfig({ BROADCAST_SHARDS: '4' }, '/r');
    const service = new RealtimeService(new EchoLevels(), reservations, inventory, fanOut, config);
    const rooms = new Set<string>();
    const socket: RoomMember = {
      id: 'socket-a',
      data: {
        principal: { userId: 5, role: 'attendee', tokenVersion: 0, tokenId: 't5', expiresAt: Infinity },
      },
      join: (room: string) => (log.push(`join ${room}`), rooms.add(room)),
      leave: (room: string) => (log.push(`leave ${room}`), rooms.delete(room)),
    };
    return {
      service,
      socket,
      rooms,
      log,
      reservations,
      hold: () => inventory.hold(),
      release: () => inventory.release(),
    };
  }

  it('flushes the event before the socket enters its shard room, and returns the snapshot', async () => {
    const { service, socket, rooms, log } = setup();
    const snapshot = await service.join(socket, { eventId: 1 });
    const room = eventRoom(1, roomShardOf('socket-a', 4));
    expect(log).toEqual(['flush 1', `join ${room}`]);
    expect([...rooms]).toEqual([room]);
    expect(snapshot).toEqual({ eventId: 1, version: 7, levelCount: 4, totalTickets: 3, availableTickets: 2 });
    await service.leave(socket, { eventId: 1 });
    expect(rooms.size).toBe(0);
  });

  it('a leave that comes while the join still waits for the event runs after it: the socket ends outside the room', async () => {
    const { service, socket, rooms, hold, release } = setup();
    hold();
    const joined = service.join(socket, { eventId: 1 });
    const left = service.leave(socket, { eventId: 1 });
    release();
    await Promise.all([joined, left]);
    expect(rooms.size).toBe(0);
  });

  it("passes page, combo, reserve and confirm on as the socket's user", async () => {
    const { service, socket, reservations } = setup();
    await expect(service.page(socket, { eventId: 2, offset: 10, limit: 20 })).resolves.toMatchObject({
      eventId: 2,
      version: 5,
      offset: 10,
      total: 20,
    });
    await expect(service.combo(socket, { eventId: 2, level: 9, offset: 3 })).resolves.toMatchObject({
      eventId: 2,
      version: 5,
      level: 9,
      offset: 3,
    });
    await service.reserve(socket, { eventId: 2, level: 4, requestId: 'q' });
    await service.confirm(socket, { reservationId: 11 });
    expect(reservations.calls).toEqual([
      ['reserve', 5, 2, 4, 'q'],
      ['confirm', 5, 11],
    ]);
  });
});
