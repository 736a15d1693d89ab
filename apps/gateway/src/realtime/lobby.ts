import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventView } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers, type ScheduledTask } from '../common/timers';
import { EventsService } from '../events/events.service';
import { LocalInventory } from '../inventory/local-inventory';
import { InventoryChanges } from '../inventory/inventory-changes';
import { LOBBY_ROOM } from './rooms';
import { SocketServer } from './socket-server';

/** Counts in the lobby are refreshed at most this often per replica. */
export const LOBBY_INTERVAL_MS = 1000;
/** How long an event whose level count is not recorded yet is looked at again, flush after flush. */
const LEVEL_COUNT_WAIT_MS = 15_000;

/**
 * The events list, live: sockets that joined the lobby get `events:changed` with the events whose
 * counts changed, about once a second. Each replica sees every change through the feed and tells
 * its own lobby sockets (reading the views from the database, with the level counts its own
 * indexes know if fresher); a new event reaches every replica's lobby through the Socket.IO adapter
 * (see LiveUpdates).
 */
@Injectable()
export class Lobby implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Lobby');
  private readonly changed = new Set<number>();
  /** Events sent with a level count older than their version, and until when to send them again. */
  private readonly awaitingCount = new Map<number, number>();
  private readonly removed = new Set<number>();
  private ticker: ScheduledTask | null = null;
  private flushing = false;

  constructor(
    private readonly sockets: SocketServer,
    private readonly events: EventsService,
    private readonly inventory: LocalInventory,
    private readonly changes: InventoryChanges,
    private readonly timers: Timers,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.changes.onChange((change) => {
      if (change.cause === 'event-deleted') {
        this.changed.delete(change.eventId);
        this.removed.add(change.eventId);
      } else {
        this.changed.add(change.eventId);
      }
    });
    this.ticker = this.timers.every(LOBBY_INTERVAL_MS, () => void this.flush());
  }

  onApplicationShutdown(): void {
    this.ticker?.cancel();
  }

  /** Puts the socket in the lobby and answers the current list. */
  async join(socket: { join(room: string): unknown }): Promise<EventView[]> {
    await socket.join(LOBBY_ROOM);
    return this.events.list();
  }

  async leave(socket: { leave(room: string): unknown }): Promise<Record<string, never>> {
    await socket.leave(LOBBY_ROOM);
    return {};
  }

  /** Sends what changed since the last flush to this replica's lobby sockets (nothing when none listen). */
  async flush(): Promise<void> {
    const server = this.sockets.server;
    if (this.flushing || (this.changed.size === 0 && this.removed.size === 0)) return;
    const listening = (server?.of('/').adapter.rooms.get(LOBBY_ROOM)?.size ?? 0) > 0;
    const changed = [...this.changed];
    const removed = [...this.removed];
    this.changed.clear();
    this.removed.clear();
    if (!server || !listening) return;
    this.flushing = true;
    try {
      const now = this.clock.monotonicMs();
      const upserted: EventView[] = [];
      for (const { view, levelCountCurrent } of await this.events.viewsOf(changed)) {
        const live = this.withLiveLevelCount(view);
        upserted.push(live);
        // The replica that applied the change records its level count shortly: send it again then.
        if (levelCountCurrent || live !== view) this.awaitingCount.delete(view.id);
        else if ((this.awaitingCount.get(view.id) ?? now + LEVEL_COUNT_WAIT_MS) > now) {
          if (!this.awaitingCount.has(view.id)) this.awaitingCount.set(view.id, now + LEVEL_COUNT_WAIT_MS);
          this.changed.add(view.id);
        }
      }
      server.local.to(LOBBY_ROOM).emit('events:changed', { upserted, removed });
    } catch (error) {
      this.logger.warn(`lobby update failed: ${String(error)}`);
    } finally {
      this.flushing = false;
    }
  }

  /** The counts this replica's index knows, when they are at least as new as the database's view. */
  private withLiveLevelCount(view: EventView): EventView {
    const inventory = this.inventory.loaded(view.id);
    if (!inventory || inventory.version < view.version) return view;
    const { version, levelCount, totalTickets, availableTickets } = inventory;
    return { ...view, version, levelCount, totalTickets, availableTickets };
  }
}
