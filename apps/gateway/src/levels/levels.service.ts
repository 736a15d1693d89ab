import { Injectable } from '@nestjs/common';
import { LEVEL_ROW_MAX_TICKET_IDS, type LevelCombo, type LevelPage } from '@tickets/protocol';
import { notFound } from '../common/app-error';
import { Timers } from '../common/timers';
import { UnitOfWork } from '../database/unit-of-work';
import { ClearanceIndexes } from '../inventory/clearance-indexes.service';
import { LevelsQueryDto } from './dto/levels.dto';

/** Ticket labels read per query for a combination, with a turn of the event loop between queries. */
const LABEL_CHUNK = 1000;

/** Levels are served by the event's ClearanceIndex (in an index worker); only combo labels come from the database. */
@Injectable()
export class LevelsService {
  constructor(
    private readonly indexes: ClearanceIndexes,
    private readonly unitOfWork: UnitOfWork,
    private readonly timers: Timers,
  ) {}

  async page(eventId: number, query: LevelsQueryDto): Promise<LevelPage> {
    const offset = query.offset ?? 0;
    const { version, page } = await this.indexes.page(eventId, {
      offset,
      limit: query.limit ?? 100,
      min: query.min,
      max: query.max,
      maxIds: LEVEL_ROW_MAX_TICKET_IDS,
    });
    return { eventId, version, total: page.total, offset, rows: page.rows };
  }

  async combo(eventId: number, level: number): Promise<LevelCombo> {
    const { version, ticketIds: ids } = await this.indexes.combo(eventId, level);
    if (!ids) throw notFound(`Level ${level}`);
    const byId = new Map<number, { label: string; value: number }>();
    await this.unitOfWork.read(async (manager) => {
      for (let i = 0; i < ids.length; i += LABEL_CHUNK) {
        const chunk = ids.slice(i, i + LABEL_CHUNK);
        const rows = (await manager.query(`SELECT id, label, value FROM tickets WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk)) as {
          id: number | string;
          label: string;
          value: number | string;
        }[];
        for (const row of rows) byId.set(Number(row.id), { label: row.label, value: Number(row.value) });
        if (i + LABEL_CHUNK < ids.length) await this.timers.nextTurn();
      }
    });
    // A ticket deleted since the index was read keeps its id with an empty label rather than failing the read.
    const tickets = ids.map((id) => ({ id, label: byId.get(id)?.label ?? '', value: byId.get(id)?.value ?? 0 }));
    return { eventId, version, level, tickets };
  }
}
