import { ClearanceIndex } from '@tickets/clearance';
import type { PermissionsService } from '../auth/permissions.service';
import { AppError } from '../common/app-error';
import type { ClearanceIndexes, ComboAt, EventInventory } from '../inventory/clearance-indexes.service';
import type { CommittedChange } from '../inventory/committed-change';
import { LocalInventoryFeed } from '../inventory/local-inventory-feed';
import type { ReservationEntity } from './reservation.entity';
import type { Committed, ReserveDraft, ReserveOutcome, ReservationStore } from './reservation.store';
import { ReservationsService } from './reservations.service';

/** A store whose tickets can be taken "by another replica" behind the index's back. */
class FakeStore {
  taken = new Set<number>();
  rows: ReservationEntity[] = [];
  reserveCalls: number[][] = [];
  version = 0;

  async findByRequest(userId: number, requestId: string) {
    return this.rows.find((r) => r.userId === userId && r.requestId === requestId) ?? null;
  }
  async findById(id: number) {
    return this.rows.find((r) => r.id === id) ?? null;
  }
  async reserve(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    this.reserveCalls.push(witness);
    // The unique (user_id, request_id) key, as in the database.
    const same = await this.findByRequest(draft.userId, draft.requestId);
    if (same) return { kind: 'duplicate', reservation: same };
    if (witness.some((id) => this.taken.has(id))) return { kind: 'stale' };
    witness.forEach((id) => this.taken.add(id));
    const reservation = { ...draft, id: this.rows.length + 1, status: 'active', ticketIds: witness, createdAt: new Date(0) } as ReservationEntity;
    this.rows.push(reservation);
    return { kind: 'reserved', reservation, change: this.change('reserved', witness) };
  }
  async cancel(reservation: ReservationEntity): Promise<Committed> {
    reservation.ticketIds.forEach((id) => this.taken.delete(id));
    reservation.status = 'cancelled';
    return { reservation, change: this.change('released', reservation.ticketIds) };
  }
  private change(cause: CommittedChange['cause'], ticketIds: number[]): CommittedChange {
    return { eventId: 1, version: ++this.version, cause, ticketIds, values: null, totalTickets: 0, availableTickets: 0, committedAt: 0 };
  }
}

/** Indexes that rebuild from the fake store's idea of the available tickets. */
class FakeIndexes {
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
  async combo(eventId: number, level: number): Promise<ComboAt> {
    if (eventId !== 1) throw new AppError('NOT_FOUND', 'Event not found');
    return { version: this.inventory.version, ticketIds: this.index.combo(level) };
  }
  async waitForVersion(): Promise<boolean> {
    return false;
  }
  async catchUp(): Promise<void> {
    this.refreshes++;
    this.inventory = this.build();
  }
  async rebuild(): Promise<EventInventory> {
    return (this.inventory = this.build());
  }
  private build(): EventInventory {
    const available = this.tickets.filter((t) => !this.store.taken.has(t.id));
    this.index = ClearanceIndex.build(available);
    return { eventId: 1, version: this.store.version, totalTickets: 0, availableTickets: 0, levelCount: this.index.size };
  }
}

function setup(values: number[]) {
  const store = new FakeStore();
  const indexes = new FakeIndexes(values.map((value, i) => ({ id: i + 1, value })), store);
  const feed = new LocalInventoryFeed();
  const published: CommittedChange[] = [];
  feed.onChange((change) => void published.push(change));
  // Like the real consumer: the replica's index follows every change it is handed.
  feed.onChange(async () => void (await indexes.rebuild()));
  const permissions = { permissionsOf: async (role: string) => new Set(role === 'admin' ? ['reservations:manage'] : []) };
  const service = new ReservationsService(
    store as unknown as ReservationStore,
    indexes as unknown as ClearanceIndexes,
    feed,
    permissions as unknown as PermissionsService,
  );
  return { store, indexes, published, service };
}

describe('ReservationsService', () => {
  it('reserves the witness and publishes the committed change', async () => {
    const { service, published, store } = setup([1, 2, 4]);
    const view = await service.reserve(7, 1, { level: 6, requestId: 'a' });
    expect(view).toMatchObject({ userId: 7, level: 6, status: 'active', ticketIds: [2, 3] });
    expect(published.map((c) => c.cause)).toEqual(['reserved']);
    expect(store.reserveCalls).toEqual([[2, 3]]);
  });

  it('after a stale witness refreshes the index and reserves the next witness', async () => {
    const { service, store, indexes } = setup([3, 3, 3]);
    const [first] = indexes.index.combo(3)!;
    store.taken.add(first); // another replica took it; this replica's index does not know yet
    const view = await service.reserve(7, 1, { level: 3, requestId: 'b' });
    expect(store.reserveCalls.length).toBe(2);
    expect(view.ticketIds).toHaveLength(1);
    expect(view.ticketIds).not.toContain(first);
    expect(indexes.refreshes).toBe(1);
  });

  it('answers LEVEL_UNAVAILABLE when the refreshed index has no witness left', async () => {
    const { service, store } = setup([5]);
    store.taken.add(1);
    await expect(service.reserve(7, 1, { level: 5, requestId: 'c' })).rejects.toMatchObject({ code: 'LEVEL_UNAVAILABLE' });
    expect(store.rows).toEqual([]);
  });

  it('returns the first reservation for a repeated requestId without reserving again', async () => {
    const { service, store, published } = setup([1, 2]);
    const first = await service.reserve(7, 1, { level: 3, requestId: 'd' });
    const again = await service.reserve(7, 1, { level: 1, requestId: 'd' });
    expect(again).toEqual(first);
    expect(store.reserveCalls).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('returns the first reservation for a repeated requestId whose level is still available, taking nothing more', async () => {
    const { service, store, published } = setup([1, 2, 4]);
    const first = await service.reserve(7, 1, { level: 1, requestId: 'x' });
    const again = await service.reserve(7, 1, { level: 2, requestId: 'x' });
    expect(again).toEqual(first);
    expect(store.rows).toHaveLength(1);
    expect(store.taken).toEqual(new Set([first.ticketIds[0]]));
    expect(published).toHaveLength(1);
  });

  it('returns the first reservation for a repeated requestId naming an event that is gone; a new requestId gets NOT_FOUND', async () => {
    const { service } = setup([1, 2]);
    const first = await service.reserve(7, 1, { level: 1, requestId: 'y' });
    await expect(service.reserve(7, 99, { level: 1, requestId: 'y' })).resolves.toEqual(first);
    await expect(service.reserve(7, 99, { level: 1, requestId: 'z' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers concurrent calls with one requestId with the one reservation, even once the level is gone', async () => {
    const { service, store } = setup([8, 16]);
    const views = await Promise.all([1, 2, 3].map(() => service.reserve(7, 1, { level: 24, requestId: 'same' })));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(store.rows).toHaveLength(1);
  });

  it('lets concurrent local callers take disjoint witnesses without stale retries', async () => {
    const { service, store } = setup([1, 1, 1, 1, 1, 1]);
    const views = await Promise.all([1, 2, 3].map((user) => service.reserve(user, 1, { level: 2, requestId: `e${user}` })));
    const ids = views.flatMap((v) => v.ticketIds);
    expect(new Set(ids).size).toBe(6);
    expect(store.reserveCalls).toHaveLength(3);
  });

  it('cancels for the owner or a manager only, publishing the release', async () => {
    const { service, published } = setup([4]);
    const view = await service.reserve(7, 1, { level: 4, requestId: 'f' });
    await expect(service.cancel({ userId: 8, role: 'attendee' }, view.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const cancelled = await service.cancel({ userId: 9, role: 'admin' }, view.id);
    expect(cancelled.status).toBe('cancelled');
    expect(published.map((c) => c.cause)).toEqual(['reserved', 'released']);
    await expect(service.cancel({ userId: 7, role: 'attendee' }, 999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
