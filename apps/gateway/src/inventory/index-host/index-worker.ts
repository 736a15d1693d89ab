/**
 * Entry point of an index worker thread (see WorkerIndexHost). Changes (load, apply, drop) are
 * applied in arrival order; reads (page, combo) wait for the changes that arrived with them, so
 * under a burst of reservations the index catches up first and hands out fresh combinations. A
 * read still sees every change sent before it.
 */
import { serveRequests } from '../../common/worker-thread';
import { IndexExecutor } from './index-executor';
import type { IndexCommand, IndexReply } from './index-messages';

const executor = new IndexExecutor();
serveRequests<IndexCommand, IndexReply>(
  (command) => {
    const reply = executor.execute(command);
    return { reply, transfer: IndexExecutor.transferablesOf(reply) };
  },
  // A hold is a read too: it waits for the changes that arrived with it, so it avoids their tickets.
  { defer: (command) => command.kind === 'page' || command.kind === 'combo' },
);
