import { Injectable } from '@nestjs/common';
import { LEVEL_ROW_MAX_TICKET_IDS, type LevelCombo, type LevelPage } from '@tickets/protocol';
import { In } from 'typeorm';
import { notFound } from '../common/app-error';
import { UnitOfWork } from '../database/unit-of-work';
import { ClearanceIndexes, EventInventory } from '../inventory/clearance-indexes.service';
import { TicketEntity } from '../tickets/ticket.entity';
import { LevelsQueryDto } from './dto/levels.dto';

const ID_CHUNK = 1000;

/** Levels are served from the event's in-memory ClearanceIndex; only combo labels come from the database. */
@Injectable()
export class LevelsService {
  constructor(
    private readonly indexes: ClearanceIndexes,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async page(eventId: number, query: LevelsQueryDto): Promise<LevelPage> {
    const inventory = await this.inventory(eventId);
    const offset = query.offset ?? 0;
    const page = inventory.index.page({
      offset,
      limit: query.limit ?? 100,
      min: query.min,
      max: query.max,
      maxIds: LEVEL_ROW_MAX_TICKET_IDS,
    });
    return { eventId, version: inventory.version, total: page.total, offset, rows: page.rows };
  }

  async combo(eventId: number, level: number): Promise<LevelCombo> {
    const inventory = await this.inventory(eventId);
    const version = inventory.version;
    const ids = inventory.index.combo(level);
    if (!ids) throw notFound(`Level ${level}`);
    const byId = await this.unitOfWork.read(async (manager) => {
      const found = new Map<number, TicketEntity>();
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        for (const ticket of await manager.findBy(TicketEntity, { id: In(ids.slice(i, i + ID_CHUNK)) })) found.set(ticket.id, ticket);
      }
      return found;
    });
    // A ticket deleted since the index was read keeps its id with an empty label rather than failing the read.
    const tickets = ids.map((id) => ({ id, label: byId.get(id)?.label ?? '', value: byId.get(id)?.value ?? 0 }));
    return { eventId, version, level, tickets };
  }

  private async inventory(eventId: number): Promise<EventInventory> {
    const inventory = await this.indexes.get(eventId);
    if (!inventory) throw notFound('Event');
    return inventory;
  }
}
