/**
 * Entry point of an index worker thread (see WorkerIndexHost): answers index commands from the
 * main thread in arrival order, so a read sent after an apply sees it.
 */
import { serveRequests } from '../../common/worker-thread';
import { IndexExecutor } from './index-executor';
import type { IndexCommand, IndexReply } from './index-messages';

const executor = new IndexExecutor();
serveRequests<IndexCommand, IndexReply>((command) => {
  const reply = executor.execute(command);
  return { reply, transfer: IndexExecutor.transferablesOf(reply) };
});
