import { Injectable } from '@nestjs/common';
import {
  COMBO_PAGE_MAX_LIMIT,
  LEVEL_ROW_MAX_TICKET_IDS,
  type ComboQuery,
  type LevelCombo,
  type LevelPage,
  type LevelsQuery,
} from '@tickets/protocol';
import { AbuseLimits } from '../abuse/abuse-limits';
import { notFound } from '../common/app-error';
import { Timers } from '../common/timers';
import { placeholders, READ_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { LocalInventory } from '../inventory/local-inventory';
import { TicketLabels } from './ticket-labels';

/** Levels are served by the event's ClearanceIndex (in an index worker); only combo labels come from the database. */
@Injectable()
export class LevelsService {
  constructor(
    private readonly inventory: LocalInventory,
    private readonly database: Database,
    private readonly timers: Timers,
    private readonly labels: TicketLabels,
    private readonly abuse: AbuseLimits,
  ) {}

  /** A page of the event's levels; counts against the user's READ_RATE_LIMIT (REST and socket). */
  async page(userId: number, eventId: number, query: LevelsQuery): Promise<LevelPage> {
    await this.abuse.read(userId);
    const { version, page } = await this.inventory.page(eventId, {
      offset: query.offset ?? 0,
      limit: query.limit ?? 100,
      min: query.min,
      max: query.max,
      fromLevel: query.fromLevel,
      maxIds: LEVEL_ROW_MAX_TICKET_IDS,
    });
    const labels = await this.labels.labelsOf(page.rows.flatMap((row) => row.ticketIds));
    const rows = page.rows.map((row) => ({
      ...row,
      ticketLabels: row.ticketIds.map((id) => labels.get(id) ?? ''),
    }));
    return { eventId, version, total: page.total, offset: page.offset, rows };
  }

  /** The level's combination, `limit` tickets from `offset` on (with their labels). */
  async combo(userId: number, eventId: number, level: number, query: ComboQuery = {}): Promise<LevelCombo> {
    await this.abuse.read(userId);
    const { version, ticketIds: all } = await this.inventory.combo(eventId, level);
    if (!all) throw notFound(`Level ${level}`);
    const offset = query.offset ?? 0;
    const ids = all.slice(offset, offset + (query.limit ?? COMBO_PAGE_MAX_LIMIT));
    const byId = new Map<number, { label: string; value: number }>();
    const slices = this.timers.slices();
    await this.database.read(async (manager) => {
      for (let i = 0; i < ids.length; i += READ_CHUNK_ROWS) {
        const chunk = ids.slice(i, i + READ_CHUNK_ROWS);
        const rows = (await manager.query(
          `SELECT id, label, value FROM tickets WHERE id IN (${placeholders(chunk.length)})`,
          chunk,
        )) as {
          id: number | string;
          label: string;
          value: number | string;
        }[];
        for (const row of rows) byId.set(Number(row.id), { label: row.label, value: Number(row.value) });
        await slices.breathe();
      }
    });
    // A ticket deleted since the index was read keeps its id with an empty label rather than failing the read.
    const tickets = ids.map((id) => ({
      id,
      label: byId.get(id)?.label ?? '',
      value: byId.get(id)?.value ?? 0,
    }));
    return { eventId, version, level, ticketCount: all.length, offset, tickets };
  }
}
