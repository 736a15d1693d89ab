import { randomBytes } from 'node:crypto';
import type { EventInventory } from '../inventory/local-inventory';
import type { LocalInventory } from '../inventory/local-inventory';
import type { FanOut } from './fan-out';
import { loadConfig } from '../config/app-config';
import { RealtimeService, type RoomMember } from './realtime.service';
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
    for (let index = 0; index < 8000; index += 1) counts[roomShardOf(randomBytes(15).toString('base64url'), 8)] += 1;
    // 1,000 expected per shard; a share off by more than 20% would make one shard's hand-over a bottleneck.
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

describe('RealtimeService join and leave', () => {
  /** What happened, in order: flushes, joins and leaves. */
  function setup() {
    const log: string[] = [];
    let release: () => void = () => undefined;
    let held: Promise<void> = Promise.resolve();
    const inventory: EventInventory = { eventId: 1, version: 7, totalTickets: 3, availableTickets: 2, levelCount: 4 };
    const indexes = {
      // The event's ordered consumer: `hold()` keeps it busy (a build, a change being applied).
      whileCurrent: async <T>(_eventId: number, fn: (inventory: EventInventory) => Promise<T>): Promise<T> => {
        await held;
        return fn(inventory);
      },
    } as unknown as LocalInventory;
    const broadcaster = { flush: (eventId: number) => log.push(`flush ${eventId}`) } as unknown as FanOut;
    const config = loadConfig({ BROADCAST_SHARDS: '4' }, '/r');
    const service = new RealtimeService(null as never, null as never, indexes, broadcaster, config);
    const rooms = new Set<string>();
    const socket: RoomMember = {
      id: 'socket-a',
      data: { principal: { userId: 1, role: 'attendee' } as never },
      join: (room: string) => (log.push(`join ${room}`), rooms.add(room)),
      leave: (room: string) => (log.push(`leave ${room}`), rooms.delete(room)),
    };
    const hold = (): void => {
      held = new Promise((resolve) => (release = resolve));
    };
    return { service, socket, rooms, log, hold, release: () => release() };
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
});
