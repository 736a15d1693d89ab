import { RolePermissionEntity } from '../auth/role-permission.entity';
import { UserEntity } from '../auth/user.entity';
import { EventEntity } from '../events/event.entity';
import { InventoryChangeEntity } from '../inventory/inventory-change.entity';
import { LevelCountEntity } from '../inventory/level-count.entity';
import { ReservationTicketEntity } from '../reservations/reservation-ticket.entity';
import { ReservationEntity } from '../reservations/reservation.entity';
import { TicketEntity } from '../tickets/ticket.entity';
import { InitialSchema1764115200000 } from './migrations/1764115200000-initial-schema';
import { EventCounts1764806400000 } from './migrations/1764806400000-event-counts';
import { SessionsAndForeignKeys1764892800000 } from './migrations/1764892800000-sessions-and-foreign-keys';
import { BumpAndRecordProcedure1764979200000 } from './migrations/1764979200000-bump-and-record-procedure';

export const ENTITIES = [
  UserEntity,
  RolePermissionEntity,
  EventEntity,
  TicketEntity,
  ReservationEntity,
  ReservationTicketEntity,
  InventoryChangeEntity,
  LevelCountEntity,
];

export const MIGRATIONS = [
  InitialSchema1764115200000,
  EventCounts1764806400000,
  SessionsAndForeignKeys1764892800000,
  BumpAndRecordProcedure1764979200000,
];
