import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';

/**
 * Delivers one message, carrying one or more consecutive changes of one event, to the local
 * sockets of one shard of the event's room (0 ≤ shard < broadcastShards).
 */
export type ChangeSink = (eventId: number, shard: number, changes: readonly InventoryChanged[]) => void;

/**
 * After a message that took `d` ms to hand to the event's sockets, the next one waits at least
 * `SEND_TIME_FACTOR × d`, so one event's fan-out takes at most 1 / (1 + SEND_TIME_FACTOR) of the
 * replica's time, whatever the number of sockets.
 *
 * Wall time, summed over the shards (not the turns between them): on a saturated machine it also
 * counts the time the replica waited for a core, and that is the point, since there every message
 * adds to the queue. CPU time was measured too: it let a 2,000-socket room on the 2-core benchmark
 * machine saturate it again (fan-out p99 1 s against about 0.6 s).
 */
const SEND_TIME_FACTOR = 3;

/** An event with a message on its way or one that left less than an interval ago. */
interface EventFanOut {
  /** Changes waiting for the next message, in version order. */
  pending: InventoryChanged[];
  /** While the message is still being handed to the shards: settles when the last one has it. */
  delivered: Promise<void> | null;
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
 * messages in order; the next message starts only after the last shard has this one.
 *
 * Without an attached sink (REST-only tests) changes go nowhere.
 */
@Injectable()
export class InventoryBroadcaster implements BeforeApplicationShutdown {
  private readonly logger = new Logger('InventoryBroadcaster');
  private sink: ChangeSink | null = null;
  private readonly fanOuts = new Map<number, EventFanOut>();

  constructor(
    private readonly config: AppConfig,
    private readonly timers: Timers,
    private readonly clock: Clock,
  ) {}

  attach(sink: ChangeSink): void {
    this.sink = sink;
  }

  /** Sends the change now, or with the event's next message when one is on its way or left less than an interval ago. */
  changed(change: InventoryChanged): void {
    if (!this.sink) return;
    const fanOut = this.fanOuts.get(change.eventId);
    if (fanOut) fanOut.pending.push(change);
    else this.send(change.eventId, [change]);
  }

  /**
   * Resolves once every change of the event received so far has been handed to every shard: waits
   * for a message on its way, and sends the waiting changes now. A socket about to join the
   * event's room awaits this first, so it receives no change its join snapshot already covers.
   */
  async flush(eventId: number): Promise<void> {
    for (;;) {
      const fanOut = this.fanOuts.get(eventId);
      if (!fanOut) return;
      if (fanOut.delivered) {
        await fanOut.delivered;
        continue;
      }
      if (fanOut.pending.length === 0) return;
      fanOut.timer?.cancel();
      this.send(eventId, fanOut.pending);
    }
  }

  /** Before the socket server closes (onApplicationShutdown would be too late to reach anyone). */
  async beforeApplicationShutdown(): Promise<void> {
    for (const eventId of [...this.fanOuts.keys()]) await this.flush(eventId);
    for (const fanOut of this.fanOuts.values()) fanOut.timer?.cancel();
    this.fanOuts.clear();
  }

  /** Hands the message to shard 0 now and to each next shard once the event loop has had a turn. */
  private send(eventId: number, changes: InventoryChanged[]): void {
    const fanOut: EventFanOut = { pending: [], delivered: null, timer: null };
    this.fanOuts.set(eventId, fanOut);
    const shards = this.config.broadcastShards;
    let busyMs = 0;
    let settle = (): void => undefined;
    const deliver = (shard: number): void => {
      busyMs += this.deliverToShard(eventId, shard, changes);
      if (shard + 1 < shards) {
        this.timers.soon(() => deliver(shard + 1));
        return;
      }
      fanOut.delivered = null;
      settle();
      this.afterSend(eventId, fanOut, busyMs);
    };
    if (shards > 1) fanOut.delivered = new Promise<void>((resolve) => (settle = resolve));
    deliver(0);
  }

  /** Milliseconds the shard's sockets took to take the message. */
  private deliverToShard(eventId: number, shard: number, changes: readonly InventoryChanged[]): number {
    const startedAt = this.clock.monotonicMs();
    try {
      this.sink?.(eventId, shard, changes);
    } catch (error) {
      // Not expected (emit does not throw); sockets that missed it catch up by version on their next join.
      this.logger.error(`broadcasting ${changes.length} change(s) of event ${eventId} failed: ${String(error)}`);
    }
    return this.clock.monotonicMs() - startedAt;
  }

  /** Starts the interval after a message (stretched after a slow one), or sends on at once with interval 0. */
  private afterSend(eventId: number, fanOut: EventFanOut, busyMs: number): void {
    if (this.fanOuts.get(eventId) !== fanOut) return;
    const interval = this.config.broadcastIntervalMs;
    if (interval === 0) {
      // Without coalescing, only changes that came while the shards were being served wait.
      if (fanOut.pending.length > 0) this.send(eventId, fanOut.pending);
      else this.fanOuts.delete(eventId);
      return;
    }
    fanOut.timer = this.timers.after(Math.max(interval, SEND_TIME_FACTOR * busyMs), () => {
      if (this.fanOuts.get(eventId) !== fanOut) return;
      if (fanOut.pending.length > 0) this.send(eventId, fanOut.pending);
      else this.fanOuts.delete(eventId);
    });
  }
}
