import { Injectable } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';

/** Who takes the changes this replica applies (realtime's fan-out to the replica's sockets). */
export interface AppliedChangesListener {
  /** A change applied here, in version order per event, exactly once. */
  applied(change: InventoryChanged): void;
  /** Does anyone on this replica watch the event (its index must then stay loaded and current)? */
  watches(eventId: number): boolean;
}

/**
 * The port between inventory and whoever shows its changes: inventory tells it every change it
 * applies, and asks it which events are watched here. Defined here so inventory depends on no
 * feature above it; realtime connects its fan-out at start. Unconnected (REST-only tests), changes
 * go nowhere and nothing is watched.
 */
@Injectable()
export class AppliedChanges {
  private listener: AppliedChangesListener | null = null;

  connect(listener: AppliedChangesListener): void {
    this.listener = listener;
  }

  applied(change: InventoryChanged): void {
    this.listener?.applied(change);
  }

  watches(eventId: number): boolean {
    return this.listener?.watches(eventId) ?? false;
  }
}
