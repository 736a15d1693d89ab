import { Injectable } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';

export type ChangeSink = (change: InventoryChanged) => void;

/**
 * Where applied changes go to reach this replica's own sockets. The realtime gateway attaches its
 * sink at start; without sockets (e.g. REST-only tests) changes go nowhere.
 */
@Injectable()
export class InventoryBroadcaster {
  private sink: ChangeSink | null = null;

  attach(sink: ChangeSink): void {
    this.sink = sink;
  }

  changed(change: InventoryChanged): void {
    this.sink?.(change);
  }
}
