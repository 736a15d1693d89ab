import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { AppliedChanges, type AppliedChangesListener } from '../inventory/applied-changes';
import { Metrics } from '../observability/metrics';

/** Where fan-out messages go: this replica's sockets, by event room shard (see EventRooms). */
export abstract class RoomSink {
  /**
   * Delivers one message, carrying one or more consecutive changes of one event, to the local
   * sockets of one shard of the event's room (0 ≤ shard < broadcastShards).
   */
  abstract deliver(eventId: number, shard: number, changes: readonly InventoryChanged[]): void;
  /** Is any local socket in the event's room? */
  abstract hasListeners(eventId: number): boolean;
}

/**
 * After a message that took `d` ms to hand to the event's sockets, the next one waits at least
 * `SEND_TIME_FACTOR × d`, so one event's fan-out takes at most 1 / (1 + SEND_TIME_FACTOR) of the
 * replica's time, whatever the number of sockets.
 *
 * Wall time, summed over the shards (not the turns between them): on a saturated machine it also
 * counts the time the replica waited for a core, and that is the point, since there every message
 * adds to the queue. (CPU time was tried: it let a large room saturate a small machine again; see
 * docs/benchmarks.md, realtime.)
 */
const SEND_TIME_FACTOR = 3;

/** The stretch never makes the gap longer than this (a configured interval above it still holds). */
const MAX_STRETCH_MS = 2_000;

/** A message being handed to a room's shards, one shard per turn of the event loop. */
interface HandOver {
  changes: InventoryChanged[];
  nextShard: number;
  /** Wall time spent in the shards so far. */
  busyMs: number;
  /** Hands the message to the next shard. */
  task: ScheduledTask | null;
}

/** An event with a message on its way or one that left less than an interval ago. */
interface EventFanOut {
  /** Changes waiting for the next message, in version order. */
  pending: InventoryChanged[];
  handOver: HandOver | null;
  /** Ends the interval: sends what is pending, or forgets the event when nothing is. */
  timer: ScheduledTask | null;
}

/**
 * Where applied changes go to reach this replica's own sockets, coalesced per event: a change
 * goes out at once when the event's previous message left at least `broadcastIntervalMs` ago;
 * changes arriving sooner ride together in one message at the end of that interval, in version
 * order. Every change still reaches every socket exactly once.
 *
 * Why: each message costs one socket write per connected client, and on a small machine a write
 * costs about as much as applying the change itself. At 2,000 sockets and 100 changes/s, a message
 * per change is 200,000 writes/s; coalescing caps it at 1000 / interval messages per socket per
 * second whatever the change rate, and adds no delay to a change that comes alone.
 *
 * The interval also stretches with the room: when handing a message to the event's sockets takes
 * long (thousands of sockets, a busy machine), the next message waits SEND_TIME_FACTOR times as
 * long. A fixed interval short enough for a small room would otherwise keep a replica of a large
 * one saturated, and every change and reservation would queue behind the writes.
 *
 * A message is handed to the room one shard at a time (`broadcastShards`), with the event loop
 * free in between: writing to thousands of sockets in one go would hold up every reservation and
 * acknowledgement on the replica for as long. A socket is in one shard, so it still gets the
 * messages in order; the next message starts only after the last shard has this one. `flush`
 * (before a join) and shutdown hand everything over at once, so neither waits for turns.
 *
 * It takes every change this replica applies through inventory's AppliedChanges port.
 */
@Injectable()
export class FanOut implements AppliedChangesListener, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('FanOut');
  private readonly fanOuts = new Map<number, EventFanOut>();
  /** Set at shutdown: changes go straight out, uncoalesced. */
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly timers: Timers,
    private readonly clock: Clock,
    private readonly sink: RoomSink,
    private readonly appliedChanges: AppliedChanges,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.appliedChanges.connect(this);
  }

  /** Does any socket of this replica watch the event (its index must stay current here)? */
  watches(eventId: number): boolean {
    return this.sink.hasListeners(eventId);
  }

  /** Sends the change now, or with the event's next message when one is on its way or left less than an interval ago. */
  applied(change: InventoryChanged): void {
    if (this.closing) {
      // Shutting down: no more coalescing, straight to every shard.
      this.deliverToShards(change.eventId, [change]);
      return;
    }
    const fanOut = this.fanOuts.get(change.eventId);
    if (fanOut) fanOut.pending.push(change);
    else this.send(change.eventId, [change]);
  }

  /**
   * Hands every change of the event received so far to every shard now: the rest of a message on
   * its way, then what waits, in one go. A socket about to join the event's room calls this first,
   * so it receives no change its join snapshot already covers.
   */
  flush(eventId: number): void {
    const fanOut = this.fanOuts.get(eventId);
    if (!fanOut || (!fanOut.handOver && fanOut.pending.length === 0)) return;
    let busyMs = 0;
    const { handOver } = fanOut;
    if (handOver) {
      handOver.task?.cancel();
      busyMs += handOver.busyMs + this.deliverToShards(eventId, handOver.changes, handOver.nextShard);
      fanOut.handOver = null;
    }
    fanOut.timer?.cancel();
    if (fanOut.pending.length > 0) {
      busyMs += this.deliverToShards(eventId, fanOut.pending);
      fanOut.pending = [];
    }
    this.startGap(eventId, fanOut, busyMs);
  }

  /** Before the socket server closes (onApplicationShutdown would be too late to reach anyone). */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const eventId of [...this.fanOuts.keys()]) this.flush(eventId);
    for (const fanOut of this.fanOuts.values()) fanOut.timer?.cancel();
    this.fanOuts.clear();
  }

  /** Hands the message to shard 0 now and to each next shard after a turn of the event loop. */
  private send(eventId: number, changes: InventoryChanged[]): void {
    const fanOut: EventFanOut = {
      pending: [],
      handOver: { changes, nextShard: 0, busyMs: 0, task: null },
      timer: null,
    };
    this.fanOuts.set(eventId, fanOut);
    this.handToNextShard(eventId, fanOut);
  }

  private handToNextShard(eventId: number, fanOut: EventFanOut): void {
    const { handOver } = fanOut;
    if (!handOver || this.fanOuts.get(eventId) !== fanOut) return;
    handOver.busyMs += this.deliverToShard(eventId, handOver.nextShard++, handOver.changes);
    if (handOver.nextShard < this.config.broadcastShards) {
      handOver.task = this.timers.soon(() => this.handToNextShard(eventId, fanOut));
      return;
    }
    fanOut.handOver = null;
    this.startGap(eventId, fanOut, handOver.busyMs);
  }

  /** Starts the interval after a message (stretched after a slow one); with interval 0, sends on what came meanwhile. */
  private startGap(eventId: number, fanOut: EventFanOut, busyMs: number): void {
    const interval = this.config.broadcastIntervalMs;
    if (interval === 0) {
      if (fanOut.pending.length > 0) this.send(eventId, fanOut.pending);
      else this.fanOuts.delete(eventId);
      return;
    }
    const gap = Math.max(interval, Math.min(MAX_STRETCH_MS, SEND_TIME_FACTOR * busyMs));
    fanOut.timer = this.timers.after(gap, () => {
      if (this.fanOuts.get(eventId) !== fanOut) return;
      if (fanOut.pending.length > 0) this.send(eventId, fanOut.pending);
      else this.fanOuts.delete(eventId);
    });
  }

  /** Wall-time milliseconds of handing the message to every shard from `firstShard` on, in one go. */
  private deliverToShards(eventId: number, changes: readonly InventoryChanged[], firstShard = 0): number {
    let busyMs = 0;
    for (let shard = firstShard; shard < this.config.broadcastShards; shard += 1)
      busyMs += this.deliverToShard(eventId, shard, changes);
    return busyMs;
  }

  /** Wall-time milliseconds the shard's sockets took to take the message. */
  private deliverToShard(eventId: number, shard: number, changes: readonly InventoryChanged[]): number {
    const startedAt = this.clock.monotonicMs();
    try {
      this.sink.deliver(eventId, shard, changes);
    } catch (error) {
      // Not expected (emit does not throw); sockets that missed it catch up by version on their next join.
      this.logger.error(
        `broadcasting ${changes.length} change(s) of event ${eventId} failed: ${String(error)}`,
      );
    }
    const busyMs = this.clock.monotonicMs() - startedAt;
    // A message is handed to every shard, the last one last, exactly once: count it there.
    if (shard === this.config.broadcastShards - 1) this.metrics.inventoryMessage(changes, this.clock.nowMs());
    return busyMs;
  }
}
