import { ClearanceError, ClearanceIndex, MAX_TOTAL_LIMIT } from '@tickets/clearance';
import type { IndexAnswers, IndexCommand, IndexReply, IndexState } from './index-messages';

interface LoadedIndex {
  version: number;
  index: ClearanceIndex;
  /** Tickets of combinations handed out to reserve and not yet committed or given back. */
  holds: Set<number>;
}

/**
 * Executes index commands against the ClearanceIndexes one host holds. Runs inside a worker
 * thread (index-worker.ts), so nothing here may hold the gateway's event loop; the same class runs
 * in-process in unit tests. Every computation the engine does (builds, replays after a change,
 * witness replays for deep pages) happens here.
 *
 * It also keeps this replica's holds: a combination handed out with `hold` is avoided by every
 * later `hold` combination until its tickets are committed (an apply removes them) or released,
 * so concurrent reservations on one replica get disjoint combinations without waiting.
 */
export class IndexExecutor {
  private readonly indexes = new Map<number, LoadedIndex>();

  execute(command: IndexCommand): IndexReply {
    try {
      return { ok: true, value: this.run(command) };
    } catch (error) {
      if (error instanceof ClearanceError) {
        const kind = command.kind === 'apply' ? 'inconsistent' : 'invalid';
        // An index a change did not fit cannot be trusted any more: forget it; the caller rebuilds it.
        if (kind === 'inconsistent') this.indexes.delete(command.eventId);
        return { ok: false, kind, message: `${error.code}: ${error.message}` };
      }
      if (error instanceof NotLoaded) return { ok: false, kind: 'not-loaded', message: error.message };
      throw error;
    }
  }

  /** Typed arrays in an answer, to hand over instead of copying. */
  static transferablesOf(reply: IndexReply): ArrayBuffer[] {
    if (!reply.ok || reply.value === null || !('ticketIds' in reply.value)) return [];
    const ids = reply.value.ticketIds;
    return ids ? [ids.buffer as ArrayBuffer] : [];
  }

  private run(command: IndexCommand): IndexAnswers[IndexCommand['kind']] {
    switch (command.kind) {
      case 'load': {
        const tickets = new Array<{ id: number; value: number }>(command.ids.length);
        for (let i = 0; i < tickets.length; i++)
          tickets[i] = { id: command.ids[i], value: command.values[i] };
        const index = ClearanceIndex.build(tickets, { maxTotal: MAX_TOTAL_LIMIT });
        this.indexes.set(command.eventId, { version: command.version, index, holds: new Set() });
        return this.stateOf(command.eventId);
      }
      case 'apply': {
        const loaded = this.indexOf(command.eventId);
        return command.changes.map((change) => {
          if (change.version !== loaded.version + 1) {
            throw new ClearanceError(
              'INVALID_QUERY',
              `version ${change.version} does not follow ${loaded.version}`,
            );
          }
          const added = new Array<{ id: number; value: number }>(change.addedIds.length);
          for (let i = 0; i < added.length; i++)
            added[i] = { id: change.addedIds[i], value: change.addedValues[i] };
          loaded.index.apply({ removed: Array.from(change.removed), added });
          loaded.version = change.version;
          // Committed (by anyone): no longer held, and no longer in the index to hand out.
          for (const id of change.removed) loaded.holds.delete(id);
          // The level count after each change: every version is broadcast with its own.
          return this.stateOf(command.eventId);
        });
      }
      case 'page': {
        const loaded = this.indexOf(command.eventId);
        return { version: loaded.version, page: loaded.index.page(command.query) };
      }
      case 'combo': {
        const { version, index, holds } = this.indexOf(command.eventId);
        let combo: number[] | null;
        if (!command.hold) {
          combo = index.combo(command.level);
        } else {
          const avoid = holds.size === 0 && command.avoid.length === 0 ? null : new Set(holds);
          for (const id of command.avoid) avoid?.add(id);
          combo = avoid
            ? index.comboAvoiding(command.level, avoid, command.spread)
            : index.combo(command.level);
          if (combo) for (const id of combo) holds.add(id);
        }
        return { version, ticketIds: combo && Float64Array.from(combo) };
      }
      case 'release': {
        const loaded = this.indexes.get(command.eventId);
        if (loaded) for (const id of command.ticketIds) loaded.holds.delete(id);
        return null;
      }
      case 'drop':
        this.indexes.delete(command.eventId);
        return null;
    }
  }

  private indexOf(eventId: number): LoadedIndex {
    const loaded = this.indexes.get(eventId);
    if (!loaded) throw new NotLoaded(`event ${eventId} has no index here`);
    return loaded;
  }

  private stateOf(eventId: number): IndexState {
    const { version, index } = this.indexOf(eventId);
    return { version, levelCount: index.size, memoryBytes: index.memoryBytes() };
  }
}

class NotLoaded extends Error {}
