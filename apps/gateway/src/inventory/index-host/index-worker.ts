/**
 * Entry point of an index worker thread (see WorkerIndexHost): answers IndexRequests from the
 * main thread in arrival order, so a read sent after an apply sees it.
 */
import { parentPort } from 'node:worker_threads';
import { IndexExecutor } from './index-executor';
import type { IndexRequest, IndexResponse } from './index-messages';

const port = parentPort;
if (!port) throw new Error('index-worker must run in a worker thread');
const executor = new IndexExecutor();
port.on('message', (request: IndexRequest) => {
  const reply = executor.execute(request.command);
  port.postMessage({ id: request.id, reply } satisfies IndexResponse, IndexExecutor.transferablesOf(reply));
});
