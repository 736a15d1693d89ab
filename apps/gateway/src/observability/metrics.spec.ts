import { ErrorCode, type InventoryChanged } from '@tickets/protocol';
import { Metrics } from './metrics';
import { reservationOutcome } from './reservation-metrics';

const change = (version: number, committedAt: number): InventoryChanged => ({
  eventId: 1,
  version,
  cause: 'reserved',
  ticketIds: [version],
  ticketCount: 1,
  levelCount: 3,
  totalTickets: 10,
  availableTickets: 10 - version,
  committedAt,
});

/** The value of one sample of the exposition, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('Metrics', () => {
  it('exposes every reservation outcome from the start, then counts and times each attempt', async () => {
    const metrics = new Metrics();
    expect(
      sample(
        await metrics.exposition(),
        'tickets_reservations_total{outcome="limit-reached",transport="socket"}',
      ),
    ).toBe(0);
    metrics.reservation('ok', 'rest', 12);
    metrics.reservation('conflict', 'rest', 30);
    const text = await metrics.exposition();
    expect(sample(text, 'tickets_reservations_total{outcome="ok",transport="rest"}')).toBe(1);
    expect(sample(text, 'tickets_reservations_total{outcome="conflict",transport="rest"}')).toBe(1);
    expect(sample(text, 'tickets_reserve_ack_seconds_count{transport="rest"}')).toBe(2);
    expect(sample(text, 'tickets_reserve_ack_seconds_bucket{le="0.025",transport="rest"}')).toBe(1);
  });

  it("records a message with the changes it carries and each one's delay since its commit", async () => {
    const metrics = new Metrics();
    metrics.inventoryMessage([change(1, 1_000), change(2, 1_040)], 1_050);
    const text = await metrics.exposition();
    expect(sample(text, 'tickets_inventory_messages_total')).toBe(1);
    expect(sample(text, 'tickets_inventory_changes_per_message_sum')).toBe(2);
    expect(sample(text, 'tickets_commit_to_delivery_seconds_count')).toBe(2);
    expect(sample(text, 'tickets_commit_to_delivery_seconds_bucket{le="0.025"}')).toBe(1);
    expect(sample(text, 'tickets_commit_to_delivery_seconds_bucket{le="0.05"}')).toBe(2);
  });

  it('reads states from their owners at scrape time, dependencies once per scrape', async () => {
    const metrics = new Metrics();
    let sockets = 3;
    let checks = 0;
    metrics.readSockets(() => ({ sockets, eventRooms: 1, joined: 2 }));
    metrics.readDependencies(() => {
      checks += 1;
      return Promise.resolve({
        databaseUp: true,
        redis: { feed: false },
        pools: { typeorm: { open: 4, idle: 3, waiting: 0 } },
      });
    });
    expect(sample(await metrics.exposition(), 'tickets_sockets')).toBe(3);
    sockets = 5;
    const text = await metrics.exposition();
    expect(sample(text, 'tickets_sockets')).toBe(5);
    expect(sample(text, 'tickets_event_room_sockets')).toBe(2);
    expect(sample(text, 'tickets_database_up')).toBe(1);
    expect(sample(text, 'tickets_redis_connection_up{connection="feed"}')).toBe(0);
    expect(sample(text, 'tickets_database_pool_connections{pool="typeorm",state="idle"}')).toBe(3);
    expect(checks).toBe(2);
  });
});

describe('reservationOutcome', () => {
  it.each([
    [ErrorCode.LEVEL_UNAVAILABLE, 'unavailable'],
    [ErrorCode.CONFLICT, 'conflict'],
    [ErrorCode.RATE_LIMITED, 'rate-limited'],
    [ErrorCode.LIMIT_REACHED, 'limit-reached'],
    [ErrorCode.VALIDATION_FAILED, 'rejected'],
    [ErrorCode.UNAVAILABLE, 'failed'],
    [ErrorCode.INTERNAL, 'failed'],
  ])('counts %s as %s', (code, outcome) => {
    expect(reservationOutcome(code)).toBe(outcome);
  });
});
