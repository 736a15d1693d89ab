import { InitialSchema1764115200000 } from './1764115200000-initial-schema';
import { EventCounts1764806400000 } from './1764806400000-event-counts';
import { SessionsAndForeignKeys1764892800000 } from './1764892800000-sessions-and-foreign-keys';
import { BumpAndRecordProcedure1764979200000 } from './1764979200000-bump-and-record-procedure';
import { ReservationLifecycle1765065600000 } from './1765065600000-reservation-lifecycle';

/** Every migration, in order. Entities are registered by their feature modules (TypeOrmModule.forFeature). */
export const MIGRATIONS = [
  InitialSchema1764115200000,
  EventCounts1764806400000,
  SessionsAndForeignKeys1764892800000,
  BumpAndRecordProcedure1764979200000,
  ReservationLifecycle1765065600000,
];
