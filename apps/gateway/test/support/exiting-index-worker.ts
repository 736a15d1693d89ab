/**
 * The real index worker, plus one way to kill it from a test: a `drop` of event -1 makes the
 * thread exit, as a crash would.
 */
import { parentPort } from 'node:worker_threads';
import type { IndexCommand } from '../../src/inventory/index-host/index-messages';
import '../../src/inventory/index-host/index-worker';

parentPort?.on('message', ({ body }: { body: IndexCommand }) => {
  if (body.kind === 'drop' && body.eventId === -1) process.exit(3);
});
