import type { PageQuery } from '@tickets/clearance';
import { IndexExecutor } from './index-executor';
import { IndexHost, type IndexChange, type TicketColumns } from './index-host';
import {
  IndexFailure,
  type ComboAnswer,
  type IndexAnswers,
  type IndexCommand,
  type IndexState,
  type PageAnswer,
} from './index-messages';

/**
 * The IndexExecutor on the calling thread, answering asynchronously like a worker would. For unit
 * tests of the code around the indexes; the gateway itself always uses WorkerIndexHost, since a
 * build here would hold the event loop.
 */
export class InProcessIndexHost extends IndexHost {
  private readonly executor = new IndexExecutor();

  load(eventId: number, tickets: TicketColumns): Promise<IndexState> {
    return this.run({
      kind: 'load',
      eventId,
      version: tickets.version,
      ids: tickets.ids,
      values: tickets.values,
    });
  }

  apply(eventId: number, changes: readonly IndexChange[]): Promise<IndexState[]> {
    return this.run(toApplyCommand(eventId, changes));
  }

  page(eventId: number, query: PageQuery): Promise<PageAnswer> {
    return this.run({ kind: 'page', eventId, query });
  }

  combo(eventId: number, level: number): Promise<ComboAnswer> {
    return this.run({ kind: 'combo', eventId, level, hold: false, avoid: new Float64Array(0), spread: 0 });
  }

  hold(eventId: number, level: number, avoid: readonly number[], spread: number): Promise<ComboAnswer> {
    return this.run({ kind: 'combo', eventId, level, hold: true, avoid: Float64Array.from(avoid), spread });
  }

  async release(eventId: number, ticketIds: readonly number[]): Promise<void> {
    await this.run({ kind: 'release', eventId, ticketIds: Float64Array.from(ticketIds) });
  }

  async drop(eventId: number): Promise<void> {
    await this.run({ kind: 'drop', eventId });
  }

  onLost(): void {
    // Nothing here dies on its own.
  }

  private async run<K extends IndexCommand['kind']>(
    command: IndexCommand & { kind: K },
  ): Promise<IndexAnswers[K]> {
    await Promise.resolve();
    const reply = this.executor.execute(command);
    if (!reply.ok) throw new IndexFailure(reply.kind, reply.message);
    return reply.value as IndexAnswers[K];
  }
}

/** The apply command for changes, their tickets as typed arrays. */
export function toApplyCommand(
  eventId: number,
  changes: readonly IndexChange[],
): IndexCommand & { kind: 'apply' } {
  return {
    kind: 'apply',
    eventId,
    changes: changes.map((change) => ({
      version: change.version,
      removed: Float64Array.from(change.removed),
      addedIds: Float64Array.from(change.addedIds),
      addedValues: Float64Array.from(change.addedValues),
    })),
  };
}
