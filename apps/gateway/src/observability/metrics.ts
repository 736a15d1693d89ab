import { Injectable } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How a reservation attempt ended. `unavailable`: the level had no combination left
 * (LEVEL_UNAVAILABLE); `rejected`: any other client error (validation, not found, forbidden);
 * `failed`: the gateway could not answer it (UNAVAILABLE, INTERNAL).
 */
export const RESERVATION_OUTCOMES = [
  'ok',
  'unavailable',
  'conflict',
  'rate-limited',
  'limit-reached',
  'rejected',
  'failed',
] as const;
export type ReservationOutcome = (typeof RESERVATION_OUTCOMES)[number];
const TRANSPORTS = ['rest', 'socket'] as const;
export type Transport = (typeof TRANSPORTS)[number];
/** How a gap in an event's versions was filled: from the outbox rows, or by rebuilding the index. */
const GAP_RESOLUTIONS = ['outbox', 'rebuild'] as const;
export type GapResolution = (typeof GAP_RESOLUTIONS)[number];

/** This replica's sockets, read at each scrape. */
export interface SocketFigures {
  sockets: number;
  /** Event rooms (all shards of an event count once) with at least one socket here. */
  eventRooms: number;
  /** Joins: sockets in event rooms, a socket in two events counting twice. */
  joined: number;
}

/** This replica's clearance indexes, read at each scrape. */
export interface IndexFigures {
  loaded: number;
  building: number;
  memoryBytes: number;
  budgetBytes: number;
}

/** A connection pool's connections, read at each scrape. */
export interface PoolFigures {
  open: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/** What the replica depends on, read at each scrape (async: a round trip each). */
export interface DependencyFigures {
  databaseUp: boolean;
  /** Per Redis connection of this replica: is it ready? Empty without REDIS_URL. */
  redis: Record<string, boolean>;
  /** Per connection pool (TypeORM's, the reserve fast path's); empty on SQLite. */
  pools: Record<string, PoolFigures>;
}

const MS = 1000;
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The replica's Prometheus metrics, and the one place they are recorded: services get this class
 * injected and call its methods (unit tests give them a fresh instance and may read it back with
 * `registry.getSingleMetric`). Figures that are states rather than events (sockets, indexes,
 * dependencies) are read from their owners at scrape time, through the `read*` sources the owners
 * register, so nothing polls between scrapes.
 *
 * Every name starts with `tickets_`; prom-client's default process metrics (CPU, memory, GC, the
 * event loop's delay as `nodejs_eventloop_lag_*`) come with them once `collectDefaults` ran.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private socketSource: (() => SocketFigures) | null = null;
  private indexSource: (() => IndexFigures) | null = null;
  private dependencySource: (() => Promise<DependencyFigures>) | null = null;
  private dependencyCheck: Promise<DependencyFigures> | null = null;
  private defaultsCollected = false;

  private readonly reservations = new Counter({
    name: 'tickets_reservations_total',
    help: 'Reservation attempts by outcome and transport',
    labelNames: ['outcome', 'transport'] as const,
    registers: [this.registry],
  });
  private readonly reserveLatency = new Histogram({
    name: 'tickets_reserve_ack_seconds',
    help: 'Time from a reserve request reaching its handler to its answer (ack or HTTP response), by transport',
    labelNames: ['transport'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly deliveryLatency = new Histogram({
    name: 'tickets_commit_to_delivery_seconds',
    help: "Time from a change's commit to its inventory:changed message being handed to this replica's sockets (wall clocks of two replicas when the change is remote)",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly inventoryMessages = new Counter({
    name: 'tickets_inventory_messages_total',
    help: 'inventory:changed messages handed to the sockets of an event room on this replica',
    registers: [this.registry],
  });
  private readonly changesPerMessage = new Histogram({
    name: 'tickets_inventory_changes_per_message',
    help: 'Changes carried by one inventory:changed message (coalescing)',
    buckets: [1, 2, 3, 5, 10, 20, 50, 100],
    registers: [this.registry],
  });
  private readonly feedLag = new Gauge({
    name: 'tickets_feed_lag_versions',
    help: 'Versions the most lagging loaded event was behind the database at the last outbox poll (FEED_POLL_MS)',
    registers: [this.registry],
  });
  private readonly feedGaps = new Counter({
    name: 'tickets_feed_gaps_total',
    help: "Gaps in an event's versions, by how they were filled (outbox rows, or an index rebuild)",
    labelNames: ['resolution'] as const,
    registers: [this.registry],
  });
  private readonly indexBuilds = new Histogram({
    name: 'tickets_index_build_seconds',
    help: 'Clearance index builds from the database (count and duration)',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly httpRequests = new Histogram({
    name: 'tickets_http_request_seconds',
    help: 'HTTP requests by method, route (as declared, e.g. /api/events/:eventId) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Every known series from the start at 0, so a rate over it exists before the first event.
    for (const transport of TRANSPORTS)
      for (const outcome of RESERVATION_OUTCOMES) this.reservations.inc({ outcome, transport }, 0);
    for (const resolution of GAP_RESOLUTIONS) this.feedGaps.inc({ resolution }, 0);
    const sockets: Gauge = new Gauge({
      name: 'tickets_sockets',
      help: 'Sockets connected to this replica',
      registers: [this.registry],
      collect: () => {
        if (this.socketSource) sockets.set(this.socketSource().sockets);
      },
    });
    const eventRooms: Gauge = new Gauge({
      name: 'tickets_event_rooms',
      help: 'Events with at least one socket in their room on this replica',
      registers: [this.registry],
      collect: () => {
        if (this.socketSource) eventRooms.set(this.socketSource().eventRooms);
      },
    });
    const joined: Gauge = new Gauge({
      name: 'tickets_event_room_sockets',
      help: 'Sockets joined to event rooms on this replica (a socket watching two events counts twice)',
      registers: [this.registry],
      collect: () => {
        if (this.socketSource) joined.set(this.socketSource().joined);
      },
    });
    const indexes: Gauge<'state'> = new Gauge({
      name: 'tickets_indexes',
      help: 'Clearance indexes loaded on this replica, and being built',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: () => {
        if (!this.indexSource) return;
        const figures = this.indexSource();
        indexes.set({ state: 'loaded' }, figures.loaded);
        indexes.set({ state: 'building' }, figures.building);
      },
    });
    const indexMemory: Gauge<'kind'> = new Gauge({
      name: 'tickets_index_memory_bytes',
      help: 'Memory of the loaded clearance indexes, and its budget (INDEX_MEMORY_MB)',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect: () => {
        if (!this.indexSource) return;
        const figures = this.indexSource();
        indexMemory.set({ kind: 'used' }, figures.memoryBytes);
        indexMemory.set({ kind: 'budget' }, figures.budgetBytes);
      },
    });
    // The three dependency gauges share one round of checks per scrape (see dependencies()).
    const databaseUp: Gauge = new Gauge({
      name: 'tickets_database_up',
      help: 'Does the database answer (1) or not (0)',
      registers: [this.registry],
      collect: async () => {
        const figures = await this.dependencies();
        if (figures) databaseUp.set(figures.databaseUp ? 1 : 0);
      },
    });
    const redisUp: Gauge<'connection'> = new Gauge({
      name: 'tickets_redis_connection_up',
      help: "Is each of this replica's Redis connections ready (1) or not (0)",
      labelNames: ['connection'] as const,
      registers: [this.registry],
      collect: async () => {
        const figures = await this.dependencies();
        for (const [connection, up] of Object.entries(figures?.redis ?? {}))
          redisUp.set({ connection }, up ? 1 : 0);
      },
    });
    const pools: Gauge<'pool' | 'state'> = new Gauge({
      name: 'tickets_database_pool_connections',
      help: 'Connections of each database pool by state (open, idle), and callers waiting for one',
      labelNames: ['pool', 'state'] as const,
      registers: [this.registry],
      collect: async () => {
        const figures = await this.dependencies();
        for (const [pool, { open, idle, waiting }] of Object.entries(figures?.pools ?? {})) {
          pools.set({ pool, state: 'open' }, open);
          pools.set({ pool, state: 'idle' }, idle);
          pools.set({ pool, state: 'waiting' }, waiting);
        }
      },
    });
  }

  /** The dependencies' figures; callers during one check share it (a scrape collects every gauge at once). */
  private dependencies(): Promise<DependencyFigures | null> {
    if (!this.dependencySource) return Promise.resolve(null);
    this.dependencyCheck ??= this.dependencySource().finally(() => {
      this.dependencyCheck = null;
    });
    return this.dependencyCheck;
  }

  /** Adds prom-client's default process metrics (once; the event loop sampled every 10 ms). */
  collectDefaults(): void {
    if (this.defaultsCollected) return;
    this.defaultsCollected = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  readSockets(source: () => SocketFigures): void {
    this.socketSource = source;
  }

  readIndexes(source: () => IndexFigures): void {
    this.indexSource = source;
  }

  readDependencies(source: () => Promise<DependencyFigures>): void {
    this.dependencySource = source;
  }

  reservation(outcome: ReservationOutcome, transport: Transport, durationMs: number): void {
    this.reservations.inc({ outcome, transport });
    this.reserveLatency.observe({ transport }, durationMs / MS);
  }

  /** One inventory:changed message handed to an event room's sockets, `nowMs` on the wall clock. */
  inventoryMessage(changes: readonly InventoryChanged[], nowMs: number): void {
    this.inventoryMessages.inc();
    this.changesPerMessage.observe(changes.length);
    for (const change of changes) this.deliveryLatency.observe(Math.max(0, nowMs - change.committedAt) / MS);
  }

  feedLagged(versionsBehind: number): void {
    this.feedLag.set(versionsBehind);
  }

  feedGap(resolution: GapResolution): void {
    this.feedGaps.inc({ resolution });
  }

  indexBuilt(durationMs: number): void {
    this.indexBuilds.observe(durationMs / MS);
  }

  httpRequest(method: string, route: string, status: number, durationMs: number): void {
    this.httpRequests.observe({ method, route, status: String(status) }, durationMs / MS);
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
