import type { EntityManager } from 'typeorm';

/**
 * What an event holds that other features own (its tickets and their reservations), deleted with
 * it. Defined here so events depend on no feature above them; reservations provides it.
 */
export abstract class EventContents {
  /**
   * Inside the transaction deleting the event, under its row lock: deletes everything the event
   * holds, or answers CONFLICT when it holds active reservations and `force` is not set. Resolves
   * with what to do once the deletion has committed (tell the holders).
   */
  abstract deleteAll(manager: EntityManager, eventId: number, force: boolean): Promise<() => void>;
}
