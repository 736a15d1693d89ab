import type { PoolFigures } from '../observability/metrics';

interface Sized {
  length: number;
}

const isSized = (value: unknown): value is Sized =>
  typeof value === 'object' && value !== null && typeof (value as Partial<Sized>).length === 'number';

/**
 * A mysql2 pool's connections. mysql2 exposes no figures, so this reads the queues its pool keeps
 * (`_allConnections`, `_freeConnections`, `_connectionQueue`, stable since mysql2 1.x); a promise
 * pool wraps the core pool as `.pool`. Null when the object is not such a pool (then the gauge is
 * simply absent, nothing fails).
 */
export function mysqlPoolFigures(pool: unknown): PoolFigures | null {
  if (typeof pool !== 'object' || pool === null) return null;
  const core = pool as Record<string, unknown>;
  if (!('_allConnections' in core) && 'pool' in core) return mysqlPoolFigures(core.pool);
  const all = core._allConnections;
  const free = core._freeConnections;
  const queue = core._connectionQueue;
  if (!isSized(all) || !isSized(free) || !isSized(queue)) return null;
  return { open: all.length, idle: free.length, waiting: queue.length };
}
