import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PageQuery } from '@tickets/clearance';
import { WorkerExited, WorkerThread, workerScriptAt, type WorkerScript } from '../../common/worker-thread';
import { IndexHost, type IndexChange, type TicketColumns } from './index-host';
import { toApplyCommand } from './in-process-index-host';
import {
  IndexFailure,
  type ComboAnswer,
  type IndexAnswers,
  type IndexCommand,
  type IndexReply,
  type IndexState,
  type PageAnswer,
} from './index-messages';

/** One worker thread and the indexes it holds. */
interface Slot {
  thread: WorkerThread<IndexCommand, IndexReply>;
  /** Bytes of each event's index held by this worker, as last reported. */
  events: Map<number, number>;
}

/**
 * A pool of worker threads holding the events' ClearanceIndexes, so that no build, replay or deep
 * page ever runs on the gateway's event loop. Each event lives on one worker (its home); commands
 * for it go there and are answered in order. Loading an event that already has a home builds the
 * new index on another worker when there is one, while the old index keeps answering reads; the
 * event moves when the build is done. A worker that dies takes its events with it: pending
 * commands reject with `host-lost`, `onLost` names the events, and a new worker takes its place.
 */
export class WorkerIndexHost extends IndexHost implements OnApplicationShutdown {
  private readonly logger = new Logger('IndexWorkers');
  private readonly slots: Slot[] = [];
  private readonly homes = new Map<number, Slot>();
  private readonly lostListeners: ((eventIds: number[]) => void)[] = [];
  private closing = false;

  constructor(
    workerCount: number,
    private readonly script: WorkerScript = workerScriptAt(__dirname, 'index-worker'),
  ) {
    super();
    for (let i = 0; i < workerCount; i++) this.slots.push(this.spawn());
  }

  async load(eventId: number, tickets: TicketColumns): Promise<IndexState> {
    const previous = this.homes.get(eventId);
    const target = this.leastLoaded(previous);
    const state = await this.send<'load'>(
      target,
      { kind: 'load', eventId, version: tickets.version, ids: tickets.ids, values: tickets.values },
      [tickets.ids.buffer as ArrayBuffer, tickets.values.buffer as ArrayBuffer],
    );
    if (previous && previous !== target && this.slots.includes(previous)) {
      previous.events.delete(eventId);
      void this.send(previous, { kind: 'drop', eventId }).catch(() => undefined);
    }
    this.homes.set(eventId, target);
    target.events.set(eventId, state.memoryBytes);
    return state;
  }

  async apply(eventId: number, changes: readonly IndexChange[]): Promise<IndexState[]> {
    const home = this.homeOf(eventId);
    const command = toApplyCommand(eventId, changes);
    const transfer = command.changes.flatMap((change) => [
      change.removed.buffer,
      change.addedIds.buffer,
      change.addedValues.buffer,
    ]);
    try {
      const states = await this.send<'apply'>(home, command, transfer as ArrayBuffer[]);
      home.events.set(eventId, states[states.length - 1].memoryBytes);
      return states;
    } catch (error) {
      // The worker dropped an index the change did not fit.
      if (error instanceof IndexFailure && error.kind === 'inconsistent') this.forgetHome(eventId, home);
      throw error;
    }
  }

  async page(eventId: number, query: PageQuery): Promise<PageAnswer> {
    return this.send<'page'>(this.homeOf(eventId), { kind: 'page', eventId, query });
  }

  async combo(eventId: number, level: number): Promise<ComboAnswer> {
    return this.send<'combo'>(this.homeOf(eventId), {
      kind: 'combo',
      eventId,
      level,
      hold: false,
      avoid: new Float64Array(0),
      spread: 0,
    });
  }

  async hold(eventId: number, level: number, avoid: readonly number[], spread: number): Promise<ComboAnswer> {
    const command = {
      kind: 'combo' as const,
      eventId,
      level,
      hold: true,
      avoid: Float64Array.from(avoid),
      spread,
    };
    return this.send<'combo'>(this.homeOf(eventId), command, [command.avoid.buffer as ArrayBuffer]);
  }

  async release(eventId: number, ticketIds: readonly number[]): Promise<void> {
    const home = this.homes.get(eventId);
    if (!home) return;
    const command = { kind: 'release' as const, eventId, ticketIds: Float64Array.from(ticketIds) };
    await this.send(home, command, [command.ticketIds.buffer as ArrayBuffer]);
  }

  async drop(eventId: number): Promise<void> {
    const home = this.homes.get(eventId);
    if (!home) return;
    this.forgetHome(eventId, home);
    await this.send(home, { kind: 'drop', eventId });
  }

  onLost(listener: (eventIds: number[]) => void): void {
    this.lostListeners.push(listener);
  }

  /** Index bytes held per worker, as last reported (for readiness). */
  memoryByWorker(): number[] {
    return this.slots.map((slot) => [...slot.events.values()].reduce((sum, bytes) => sum + bytes, 0));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.thread.terminate()));
  }

  private homeOf(eventId: number): Slot {
    const home = this.homes.get(eventId);
    if (!home) throw new IndexFailure('not-loaded', `event ${eventId} has no index`);
    return home;
  }

  private forgetHome(eventId: number, home: Slot): void {
    if (this.homes.get(eventId) === home) this.homes.delete(eventId);
    home.events.delete(eventId);
  }

  /** The worker holding the fewest index bytes, other than `avoid` when there is a choice. */
  private leastLoaded(avoid: Slot | undefined): Slot {
    const candidates =
      this.slots.length > 1 && avoid ? this.slots.filter((slot) => slot !== avoid) : this.slots;
    const bytes = (slot: Slot): number => [...slot.events.values()].reduce((sum, value) => sum + value, 0);
    return candidates.reduce((best, slot) => (bytes(slot) < bytes(best) ? slot : best));
  }

  private async send<K extends IndexCommand['kind']>(
    slot: Slot,
    command: IndexCommand & { kind: K },
    transfer: ArrayBuffer[] = [],
  ): Promise<IndexAnswers[K]> {
    let reply: IndexReply;
    try {
      reply = await slot.thread.request(command, transfer);
    } catch (error) {
      if (error instanceof WorkerExited) throw new IndexFailure('host-lost', error.message);
      throw error;
    }
    if (!reply.ok) throw new IndexFailure(reply.kind, reply.message);
    return reply.value as IndexAnswers[K];
  }

  private spawn(): Slot {
    const thread = new WorkerThread<IndexCommand, IndexReply>(this.script, {
      onExit: (code) => this.replace(slot, code),
    });
    const slot: Slot = { thread, events: new Map() };
    return slot;
  }

  /** A worker exited: report its events lost and start another in its place. */
  private replace(slot: Slot, code: number): void {
    const lost = [...slot.events.keys()];
    for (const eventId of lost) this.forgetHome(eventId, slot);
    const at = this.slots.indexOf(slot);
    if (this.closing || at < 0) return;
    this.logger.error(
      `index worker exited with code ${code}; ${lost.length} event index(es) will be rebuilt`,
    );
    this.slots[at] = this.spawn();
    if (lost.length > 0) for (const listener of this.lostListeners) listener(lost);
  }
}
