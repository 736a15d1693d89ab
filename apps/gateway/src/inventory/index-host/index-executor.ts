import { ClearanceError, ClearanceIndex, MAX_TOTAL_LIMIT } from '@tickets/clearance';
import type { IndexAnswers, IndexCommand, IndexReply, IndexState } from './index-messages';

interface HeldIndex {
  version: number;
  index: ClearanceIndex;
}

/**
 * Executes index commands against the ClearanceIndexes one host holds. Runs inside a worker
 * thread (index-worker.ts), so nothing here may hold the gateway's event loop; the same class runs
 * in-process in unit tests. Every computation the engine does (builds, replays after a change,
 * witness replays for deep pages) happens here.
 */
export class IndexExecutor {
  private readonly held = new Map<number, HeldIndex>();

  execute(command: IndexCommand): IndexReply {
    try {
      return { ok: true, value: this.run(command) };
    } catch (error) {
      if (error instanceof ClearanceError) {
        const kind = command.kind === 'apply' ? 'inconsistent' : 'invalid';
        // An index a change did not fit cannot be trusted any more: forget it; the caller rebuilds it.
        if (kind === 'inconsistent') this.held.delete(command.eventId);
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
        this.held.set(command.eventId, { version: command.version, index });
        return this.stateOf(command.eventId);
      }
      case 'apply': {
        const held = this.indexOf(command.eventId);
        if (command.version !== held.version + 1) {
          throw new ClearanceError(
            'INVALID_QUERY',
            `version ${command.version} does not follow ${held.version}`,
          );
        }
        const added = new Array<{ id: number; value: number }>(command.addedIds.length);
        for (let i = 0; i < added.length; i++)
          added[i] = { id: command.addedIds[i], value: command.addedValues[i] };
        held.index.apply({ removed: Array.from(command.removed), added });
        held.version = command.version;
        return this.stateOf(command.eventId);
      }
      case 'page': {
        const held = this.indexOf(command.eventId);
        return { version: held.version, page: held.index.page(command.query) };
      }
      case 'combo': {
        const held = this.indexOf(command.eventId);
        const combo = held.index.combo(command.level);
        return { version: held.version, ticketIds: combo && Float64Array.from(combo) };
      }
      case 'drop':
        this.held.delete(command.eventId);
        return null;
    }
  }

  private indexOf(eventId: number): HeldIndex {
    const held = this.held.get(eventId);
    if (!held) throw new NotLoaded(`event ${eventId} has no index here`);
    return held;
  }

  private stateOf(eventId: number): IndexState {
    const { version, index } = this.indexOf(eventId);
    return { version, levelCount: index.size, memoryBytes: index.memoryBytes() };
  }
}

class NotLoaded extends Error {}
