import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';

/** Delivers one message, carrying one or more consecutive changes of one event, to the event's local sockets. */
export type ChangeSink = (eventId: number, changes: readonly InventoryChanged[]) => void;

/**
 * After a message that took `d` ms to hand to the event's sockets, the next one waits at least
 * `SEND_TIME_FACTOR × d`, so one event's fan-out takes at most 1 / (1 + SEND_TIME_FACTOR) of the
 * replica's time, whatever the number of sockets.
 */
const SEND_TIME_FACTOR = 3;

/** An event whose last message left less than an interval ago. */
interface RecentEvent {
  /** Changes waiting for the next message, in version order. */
  pending: InventoryChanged[];
  /** Ends the interval: sends what is pending, or forgets the event when nothing is. */
  timer: ScheduledTask;
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
 * Without an attached sink (REST-only tests) changes go nowhere.
 */
@Injectable()
export class InventoryBroadcaster implements BeforeApplicationShutdown {
  private readonly logger = new Logger('InventoryBroadcaster');
  private sink: ChangeSink | null = null;
  private readonly recent = new Map<number, RecentEvent>();

  constructor(
    private readonly config: AppConfig,
    private readonly timers: Timers,
    private readonly clock: Clock,
  ) {}

  attach(sink: ChangeSink): void {
    this.sink = sink;
  }

  /** Sends the change now, or with the event's next message when one left less than an interval ago. */
  changed(change: InventoryChanged): void {
    if (!this.sink) return;
    const recent = this.recent.get(change.eventId);
    if (recent) recent.pending.push(change);
    else this.send(change.eventId, [change]);
  }

  /**
   * Sends the event's waiting changes now. A socket about to join the event's room calls this
   * first, so it receives no change its join snapshot already covers.
   */
  flush(eventId: number): void {
    const recent = this.recent.get(eventId);
    if (!recent || recent.pending.length === 0) return;
    recent.timer.cancel();
    this.send(eventId, recent.pending);
  }

  /** Before the socket server closes (onApplicationShutdown would be too late to reach anyone). */
  beforeApplicationShutdown(): void {
    for (const eventId of [...this.recent.keys()]) this.flush(eventId);
    for (const recent of this.recent.values()) recent.timer.cancel();
    this.recent.clear();
  }

  private send(eventId: number, changes: InventoryChanged[]): void {
    this.recent.delete(eventId);
    const startedAt = this.clock.monotonicMs();
    try {
      this.sink?.(eventId, changes);
    } catch (error) {
      // Not expected (emit does not throw); sockets that missed it catch up by version on their next join.
      this.logger.error(`broadcasting ${changes.length} change(s) of event ${eventId} failed: ${String(error)}`);
    }
    const interval = this.config.broadcastIntervalMs;
    if (interval === 0) return;
    const sendMs = this.clock.monotonicMs() - startedAt;
    const recent: RecentEvent = {
      pending: [],
      timer: this.timers.after(Math.max(interval, SEND_TIME_FACTOR * sendMs), () => {
        if (this.recent.get(eventId) !== recent) return;
        if (recent.pending.length > 0) this.send(eventId, recent.pending);
        else this.recent.delete(eventId);
      }),
    };
    this.recent.set(eventId, recent);
  }
}
