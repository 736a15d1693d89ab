import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How many levels an event had at a version, as the replicas computed it. The level count is
 * derived (only an index knows it), so it lives apart from the events row: lists read it from here
 * instead of building every event's index, and writing it never waits for the event row's lock,
 * which reservations hold. `version` -1: never computed yet.
 */
@Entity('event_level_counts')
export class LevelCountEntity {
  @PrimaryColumn({ name: 'event_id', type: 'int' })
  eventId: number;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'level_count', type: 'int' })
  levelCount: number;
}
