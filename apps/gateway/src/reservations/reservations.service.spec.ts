import { ClearanceIndex } from '@tickets/clearance';
import { AbuseLimits } from '../abuse/abuse-limits';
import type { AuthPrincipal } from '../auth/sessions.service';
import { Clock } from '../common/clock';
import { RedisClients } from '../common/redis-clients';
import { loadConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { LiveUpdates } from '../common/live-updates';
import { RandomSource } from '../common/random-source';
import type { ComboAt, EventInventory } from '../inventory/local-inventory';
import type { AuditEntry, LimitName, ReservationNotice, ReservationStatus } from '@tickets/protocol';
import type { CommittedChange } from '../inventory/committed-change';
import { InventoryChanges } from '../inventory/inventory-changes';
import { LocalInventoryFeed } from '../inventory/local-inventory-feed';
import { ReservationEntity } from './reservation.entity';
import type {
  Committed,
  ConfirmOutcome,
  EventTerms,
  HeldReservation,
  ReserveDraft,
  ReserveOutcome,
} from './reservation.store';
import type { Usage } from './reservation-rules';
import { RealtimeService, type RoomMember } from '../realtime/realtime.service';
import { ReservationsController } from './reservations.controller';
import {
  ReservationsService,
  type AuditLogPort,
  type LocalInventoryPort,
  type PermissionsServicePort,
  type ReservationStorePort,
} from './reservations.service';

/** A store whose tickets can be taken "by another replica" behind the index's back. */
class FakeStore implements ReservationStorePort {
  taken = new Set<number>();
  rows: ReservationEntity[] = [];
  reserveCalls: number[][] = [];
  version = 0;

  async findByRequest(userId: number, requestId: string) {
    return this.rows.find((r) => r.userId === userId && r.requestId === requestId) ?? null;
  }
  /** When set, reads answer a copy as it was (another request's commit is not in it). */
  staleReads = false;
  async findById(id: number) {
    const row = this.rows.find((r) => r.id === id) ?? null;
    return row && this.staleReads ? Object.assign(new ReservationEntity(), row) : row;
  }

  open = 0;
  mostOpenAtOnce = 0;
  async reserve(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    this.reserveCalls.push(witness);
    if (this.limit) return { kind: 'limit', limit: this.limit };
    this.mostOpenAtOnce = Math.max(this.mostOpenAtOnce, ++this.open);
    // The database round trip: other callers run meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    this.open--;
    // The unique (user_id, request_id) key, as in the database.
    const same = await this.findByRequest(draft.userId, draft.requestId);
    if (same) return { kind: 'duplicate', reservation: same };
    if (witness.some((id) => this.taken.has(id))) return { kind: 'stale' };
    witness.forEach((id) => this.taken.add(id));
    const reservation = Object.assign(new ReservationEntity(), {
      ...draft,
      id: this.rows.length + 1,
      status: 'held' as const,
      ticketIds: witness,
      ticketCount: witness.length,
      expiresAt: new Date(600_000),
      settledAt: null,
      expiryWarned: 0,
      createdAt: new Date(0),
    });
    this.rows.push(reservation);
    return { kind: 'reserved', reservation, change: this.change('reserved', witness) };
  }
  /** The one conditional update: only a hold before its deadline (600 s here) becomes confirmed. */
  async confirm(reservation: ReservationEntity): Promise<ConfirmOutcome> {
    const row = this.rows.find((r) => r.id === reservation.id)!;
    if (row.status !== 'held' || (row.expiresAt?.getTime() ?? 0) <= this.clockMs())
      return { kind: 'unchanged', reservation: row };
    row.status = 'confirmed';
    row.expiresAt = null;
    return { kind: 'confirmed', reservation: row };
  }
  clockMs: () => number = () => 0;
  /** The limit the next reserve passes, when a test sets one. */
  limit: LimitName | null = null;
  async cancel(reservation: ReservationEntity, status: 'cancelled' | 'released'): Promise<Committed> {
    reservation.ticketIds.forEach((id) => this.taken.delete(id));
    reservation.status = status;
    return { reservation, change: this.change('released', reservation.ticketIds) };
  }
  async listByUser(userId: number): Promise<ReservationEntity[]> {
    return this.rows.filter((r) => r.userId === userId).reverse();
  }
  async pageByEvent(
    eventId: number,
    query: { offset: number; limit: number; status?: ReservationStatus },
  ): Promise<{ total: number; rows: HeldReservation[] }> {
    const matching = this.rows
      .filter((r) => r.eventId === eventId && (!query.status || r.status === query.status))
      .reverse();
    const rows = matching.slice(query.offset, query.offset + query.limit).map((reservation) => ({
      reservation,
      holder: {
        id: reservation.userId,
        email: `${reservation.userId}@example.test`,
        displayName: `user ${reservation.userId}`,
      },
    }));
    return { total: matching.length, rows };
  }
  /** Event 1 allows one hold per user; what the user holds there. */
  async termsAndUsage(eventId: number, userId: number): Promise<{ terms: EventTerms; usage: Usage } | null> {
    if (eventId !== 1) return null;
    const active = this.rows.filter(
      (r) => r.userId === userId && (r.status === 'held' || r.status === 'confirmed'),
    );
    return {
      terms: {
        holdTtlSeconds: 600,
        limits: { holdsPerUser: 1, ticketsPerUser: null, ticketsPerReservation: null },
      },
      usage: {
        holds: active.filter((r) => r.status === 'held').length,
        tickets: active.reduce((sum, r) => sum + r.ticketCount, 0),
      },
    };
  }
  /** Ticket n is labelled "T<n>" and worth n. */
  async ticketsOf(ticketIds: readonly number[]): Promise<{ id: number; label: string; value: number }[]> {
    return ticketIds.map((id) => ({ id, label: `T${id}`, value: id }));
  }
  private change(cause: CommittedChange['cause'], ticketIds: number[]): CommittedChange {
    return {
      eventId: 1,
      version: ++this.version,
      cause,
      ticketIds,
      values: null,
      totalTickets: 0,
      availableTickets: 0,
      committedAt: 0,
    };
  }
}

/** Indexes that rebuild from the fake store's idea of the available tickets. */
class FakeIndexes implements LocalInventoryPort {
  refreshes = 0;
  inventory: EventInventory;
  index: ClearanceIndex;
  constructor(
    private readonly tickets: { id: number; value: number }[],
    private readonly store: FakeStore,
  ) {
    this.index = ClearanceIndex.build([]);
    this.inventory = this.build();
  }
  /** Event 1 exists; any other does not. */
  async get(eventId: number): Promise<EventInventory | null> {
    return eventId === 1 ? this.inventory : null;
  }
  /** Tickets handed out to reserve and not yet committed or released (the index host keeps these). */
  held = new Set<number>();
  async combo(eventId: number, level: number): Promise<ComboAt> {
    if (eventId !== 1) throw new AppError('NOT_FOUND', 'Event not found');
    return { version: this.inventory.version, ticketIds: this.index.combo(level) };
  }
  async hold(eventId: number, level: number, avoid: readonly number[], spread: number): Promise<ComboAt> {
    if (eventId !== 1) throw new AppError('NOT_FOUND', 'Event not found');
    const ticketIds = this.index.comboAvoiding(level, new Set([...this.held, ...avoid]), spread);
    for (const id of ticketIds ?? []) this.held.add(id);
    return { version: this.inventory.version, ticketIds };
  }
  async release(_eventId: number, ticketIds: readonly number[]): Promise<void> {
    for (const id of ticketIds) this.held.delete(id);
  }
  /** The database is ahead: catch up (counted, to see when the service asks). */
  async catchUpPast(): Promise<void> {
    await this.catchUp();
  }
  async catchUp(): Promise<void> {
    this.refreshes++;
    this.inventory = this.build();
  }
  async rebuild(): Promise<EventInventory> {
    return (this.inventory = this.build());
  }
  /** What an apply does: the tickets of a committed change are no longer held. */
  applied(change: CommittedChange): void {
    for (const id of change.ticketIds) this.held.delete(id);
  }
  private build(): EventInventory {
    const available = this.tickets.filter((t) => !this.store.taken.has(t.id));
    this.index = ClearanceIndex.build(available);
    return {
      eventId: 1,
      version: this.store.version,
      totalTickets: 0,
      availableTickets: 0,
      levelCount: this.index.size,
    };
  }
}

/** Time that moves only when the test says. */
class ManualClock extends Clock {
  nowAt = 0;
  override nowMs(): number {
    return this.nowAt;
  }
  override now(): Date {
    return new Date(this.nowAt);
  }
}

/** Randomness that always picks the first choice, so a test knows which tickets a witness takes. */
class FirstChoices extends RandomSource {
  override int(min: number): number {
    return min;
  }
}

/** A principal as SessionsService makes them. */
const principal = (userId: number, role: string): AuthPrincipal => ({
  userId,
  role,
  tokenVersion: 0,
  tokenId: `t${userId}`,
  expiresAt: Infinity,
});

function setup(values: number[], env: Record<string, string> = {}) {
  const store = new FakeStore();
  store.clockMs = () => clock.nowMs();
  const indexes = new FakeIndexes(
    values.map((value, i) => ({ id: i + 1, value })),
    store,
  );
  const feed = new InventoryChanges(new LocalInventoryFeed());
  const published: CommittedChange[] = [];
  feed.onChange((change) => void published.push(change));
  // Like the real consumer: the replica's index follows every change it is handed.
  feed.onChange(async (change) => {
    indexes.applied(change);
    await indexes.rebuild();
  });
  const live = new LiveUpdates();
  const notices: [number, ReservationNotice][] = [];
  live.attach({
    reservationChanged: (userId, notice) => notices.push([userId, notice]),
    eventChanged: () => undefined,
  });
  const config = loadConfig({ RESERVE_RATE_LIMIT: '100', ...env }, '/r');
  const clock = new ManualClock();
  const permissions: PermissionsServicePort = {
    permissionsOf: async (role: string) => new Set(role === 'admin' ? ['reservations:manage'] : []),
  };
  const audit: AuditLogPort = { ofReservation: async (): Promise<AuditEntry[]> => [] };
  const service = new ReservationsService(
    store,
    indexes,
    feed,
    permissions,
    new FirstChoices(),
    live,
    // The real limits, counted in memory (no REDIS_URL): no I/O.
    new AbuseLimits(config, new RedisClients(config, new Clock())),
    audit,
  );
  return { store, indexes, published, service, notices, clock };
}

describe('ReservationsService', () => {
  it('reserves the witness and publishes the committed change', async () => {
    const { service, published, store } = setup([1, 2, 4]);
    const view = await service.reserve(7, 1, { level: 6, requestId: 'a' });
    expect(view).toMatchObject({ userId: 7, level: 6, status: 'held', ticketIds: [2, 3] });
    expect(published.map((c) => c.cause)).toEqual(['reserved']);
    expect(store.reserveCalls).toEqual([[2, 3]]);
  });

  it('after a stale witness tries at once a witness without any of its tickets', async () => {
    const { service, store, indexes } = setup([3, 3, 3]);
    const [first] = indexes.index.combo(3)!;
    store.taken.add(first); // another replica took it; this replica's index does not know yet
    const view = await service.reserve(7, 1, { level: 3, requestId: 'b' });
    expect(store.reserveCalls.length).toBe(2);
    expect(view.ticketIds).toHaveLength(1);
    expect(view.ticketIds).not.toContain(first);
    expect(indexes.refreshes).toBe(0);
  });

  it('after two stale witnesses in a row catches the index up before the next try', async () => {
    const { service, store, indexes } = setup([3, 3, 3]);
    const [first, second] = [1, 2];
    store.taken.add(first);
    store.taken.add(second);
    const view = await service.reserve(7, 1, { level: 3, requestId: 'b2' });
    expect(store.reserveCalls).toEqual([[first], [second], [3]]);
    expect(view.ticketIds).toEqual([3]);
    expect(indexes.refreshes).toBe(1);
  });

  it('answers LEVEL_UNAVAILABLE when the refreshed index has no witness left', async () => {
    const { service, store } = setup([5]);
    store.taken.add(1);
    await expect(service.reserve(7, 1, { level: 5, requestId: 'c' })).rejects.toMatchObject({
      code: 'LEVEL_UNAVAILABLE',
    });
    expect(store.rows).toEqual([]);
  });

  it('returns the first reservation for a repeated requestId without reserving again', async () => {
    const { service, store, published } = setup([1, 2]);
    const first = await service.reserve(7, 1, { level: 3, requestId: 'd' });
    const again = await service.reserve(7, 1, { level: 3, requestId: 'd' });
    expect(again).toEqual(first);
    expect(store.reserveCalls).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('answers CONFLICT to a requestId repeated for another level, taking nothing more', async () => {
    const { service, store, published } = setup([1, 2, 4]);
    const first = await service.reserve(7, 1, { level: 1, requestId: 'x' });
    await expect(service.reserve(7, 1, { level: 2, requestId: 'x' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(store.rows).toHaveLength(1);
    expect(store.taken).toEqual(new Set([first.ticketIds[0]]));
    expect(published).toHaveLength(1);
    // Another user's requestIds are their own.
    await expect(service.reserve(8, 1, { level: 2, requestId: 'x' })).resolves.toMatchObject({
      userId: 8,
      level: 2,
    });
  });

  it('answers CONFLICT to a requestId repeated for another event, even one that is gone; a new requestId gets NOT_FOUND', async () => {
    const { service } = setup([1, 2]);
    await service.reserve(7, 1, { level: 1, requestId: 'y' });
    await expect(service.reserve(7, 99, { level: 1, requestId: 'y' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(service.reserve(7, 99, { level: 1, requestId: 'z' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('returns a cancelled reservation to its own repeat, and CONFLICT to a repeat for another level', async () => {
    const { service, store } = setup([1, 2]);
    const first = await service.reserve(7, 1, { level: 1, requestId: 'w' });
    const cancelled = await service.cancel(principal(7, 'attendee'), first.id);
    await expect(service.reserve(7, 1, { level: 1, requestId: 'w' })).resolves.toEqual(cancelled);
    await expect(service.reserve(7, 1, { level: 2, requestId: 'w' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(store.taken).toEqual(new Set());
  });

  it("counts every attempt against the user's reserve budget, then answers RATE_LIMITED with a retry time", async () => {
    const { service, store } = setup([1, 1, 1, 1], { RESERVE_RATE_LIMIT: '2/60000' });
    await service.reserve(7, 1, { level: 1, requestId: 'r1' });
    await expect(service.reserve(7, 1, { level: 99, requestId: 'r2' })).rejects.toMatchObject({
      code: 'LEVEL_UNAVAILABLE',
    });
    await expect(service.reserve(7, 1, { level: 1, requestId: 'r3' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    expect(store.rows).toHaveLength(1);
    // Each user has their own budget.
    await expect(service.reserve(8, 1, { level: 1, requestId: 'r1' })).resolves.toMatchObject({ userId: 8 });
  });

  it('answers concurrent calls with one requestId with the one reservation, even once the level is gone', async () => {
    const { service, store } = setup([8, 16]);
    const views = await Promise.all(
      [1, 2, 3].map(() => service.reserve(7, 1, { level: 24, requestId: 'same' })),
    );
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(store.rows).toHaveLength(1);
  });

  it('lets concurrent local callers take disjoint witnesses at once, without stale retries', async () => {
    const { service, store, indexes } = setup([1, 1, 1, 1, 1, 1]);
    const views = await Promise.all(
      [1, 2, 3].map((user) => service.reserve(user, 1, { level: 2, requestId: `e${user}` })),
    );
    const ids = views.flatMap((v) => v.ticketIds);
    expect(new Set(ids).size).toBe(6);
    expect(store.reserveCalls).toHaveLength(3);
    // Nobody waited for another's commit: the three transactions were open at the same time.
    expect(store.mostOpenAtOnce).toBe(3);
    expect(indexes.held).toEqual(new Set());
  });

  it('cancels for the owner, releases for a manager (telling the holder), and hides the reservation from anyone else', async () => {
    const { service, published, notices } = setup([4, 5]);
    const view = await service.reserve(7, 1, { level: 4, requestId: 'f' });
    await expect(service.cancel(principal(8, 'attendee'), view.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const released = await service.cancel(principal(9, 'admin'), view.id);
    expect(released.status).toBe('released');
    expect(notices).toEqual([[7, { reason: 'released-by-admin', reservation: released }]]);
    const own = await service.reserve(7, 1, { level: 5, requestId: 'g' });
    await expect(service.cancel(principal(7, 'attendee'), own.id)).resolves.toMatchObject({
      status: 'cancelled',
    });
    expect(notices).toHaveLength(1);
    expect(published.map((c) => c.cause)).toEqual(['reserved', 'released', 'reserved', 'released']);
    await expect(service.cancel(principal(7, 'attendee'), 999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("confirms the holder's hold before the deadline, once; after it answers HOLD_EXPIRED; to anyone else it does not exist", async () => {
    const { service, clock } = setup([1, 2, 4]);
    const held = await service.reserve(7, 1, { level: 1, requestId: 'h1' });
    expect(held.status).toBe('held');
    await expect(service.confirm(principal(8, 'attendee'), held.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    clock.nowAt = 599_999;
    await expect(service.confirm(principal(7, 'attendee'), held.id)).resolves.toMatchObject({
      id: held.id,
      status: 'confirmed',
      expiresAt: null,
    });
    // A repeat is answered with the confirmed reservation.
    await expect(service.confirm(principal(7, 'attendee'), held.id)).resolves.toMatchObject({
      status: 'confirmed',
    });
    const late = await service.reserve(7, 1, { level: 2, requestId: 'h2' });
    clock.nowAt = 600_000;
    await expect(service.confirm(principal(7, 'attendee'), late.id)).rejects.toMatchObject({
      code: 'HOLD_EXPIRED',
    });
  });

  it('answers a late confirm with the confirmed reservation when another confirm of the hold won meanwhile', async () => {
    const { service, store, clock } = setup([1, 2, 4]);
    const held = await service.reserve(7, 1, { level: 1, requestId: 'r1' });
    // The first confirm commits just before the deadline; the second read the hold before that
    // commit and reaches the store just after the deadline.
    store.staleReads = true;
    const row = store.rows.find((r) => r.id === held.id)!;
    const staleRead = store.findById.bind(store);
    store.findById = async (id: number) => {
      const before = await staleRead(id);
      clock.nowAt = 599_999;
      await store.confirm(row);
      clock.nowAt = 600_001;
      return before;
    };
    await expect(service.confirm(principal(7, 'attendee'), held.id)).resolves.toMatchObject({
      id: held.id,
      status: 'confirmed',
    });
  });

  it('answers CONFLICT to confirming a cancelled reservation, and cancels a confirmed one', async () => {
    const { service, published } = setup([1, 2]);
    const first = await service.reserve(7, 1, { level: 1, requestId: 'c1' });
    await service.cancel(principal(7, 'attendee'), first.id);
    await expect(service.confirm(principal(7, 'attendee'), first.id)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const second = await service.reserve(7, 1, { level: 2, requestId: 'c2' });
    await service.confirm(principal(7, 'attendee'), second.id);
    await expect(service.cancel(principal(7, 'attendee'), second.id)).resolves.toMatchObject({
      status: 'cancelled',
    });
    expect(published.map((c) => c.cause)).toEqual(['reserved', 'released', 'reserved', 'released']);
  });

  it('answers LIMIT_REACHED naming the limit, taking nothing', async () => {
    const { service, store, indexes } = setup([1, 2]);
    store.limit = 'holdsPerUser';
    await expect(service.reserve(7, 1, { level: 1, requestId: 'l1' })).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      limit: 'holdsPerUser',
    });
    expect(store.rows).toHaveLength(0);
    expect(indexes.held).toEqual(new Set());
  });

  it("pages a reservation's tickets, lists the caller's and the event's reservations, and answers the event's limits with what the caller holds", async () => {
    const { service } = setup([1, 1, 1, 1]);
    const mine = await service.reserve(7, 1, { level: 3, requestId: 'p1' });
    const theirs = await service.reserve(8, 1, { level: 1, requestId: 'p2' });
    const detail = await service.detail(principal(7, 'attendee'), mine.id, { offset: 1, limit: 1 });
    expect(detail).toMatchObject({
      id: mine.id,
      ticketsOffset: 1,
      tickets: [{ id: mine.ticketIds[1], label: `T${mine.ticketIds[1]}` }],
    });
    await expect(service.detail(principal(7, 'attendee'), theirs.id, {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await service.mine(7)).map((view) => view.id)).toEqual([mine.id]);
    const page = await service.ofEvent(1, { offset: 0, limit: 1 });
    expect(page).toMatchObject({ total: 2, offset: 0, rows: [{ id: theirs.id, holder: { id: 8 } }] });
    await expect(service.limitsOf(7, 1)).resolves.toEqual({
      eventId: 1,
      limits: { holdsPerUser: 1, ticketsPerUser: null, ticketsPerReservation: null },
      holds: 1,
      tickets: 3,
    });
    await expect(service.limitsOf(7, 99)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('spends one reserve budget per user over REST and the socket alike', async () => {
    const { service, store } = setup([1, 1, 1, 1], { RESERVE_RATE_LIMIT: '2/60000' });
    const rest = new ReservationsController(service);
    const notUsedHere = (): never => {
      throw new Error('not used by reserve');
    };
    const socketSide = new RealtimeService(
      { page: notUsedHere, combo: notUsedHere },
      service,
      { whileCurrent: notUsedHere },
      { flush: notUsedHere },
      loadConfig({}, '/r'),
    );
    const socket: RoomMember = {
      id: 's',
      data: { principal: principal(7, 'attendee') },
      join: notUsedHere,
      leave: notUsedHere,
    };
    await rest.reserve(principal(7, 'attendee'), { eventId: 1 }, { level: 1, requestId: 'rest' });
    await socketSide.reserve(socket, { eventId: 1, level: 1, requestId: 'socket' });
    await expect(
      rest.reserve(principal(7, 'attendee'), { eventId: 1 }, { level: 1, requestId: 'rest-2' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(
      socketSide.reserve(socket, { eventId: 1, level: 1, requestId: 'socket-2' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(store.rows.map((row) => row.requestId)).toEqual(['rest', 'socket']);
  });
});
