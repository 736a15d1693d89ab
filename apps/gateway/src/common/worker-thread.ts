import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';

/** Which file a worker thread runs, and with which Node flags. */
export interface WorkerScript {
  file: string;
  execArgv: string[];
}

/**
 * The worker script `name` in `dir`: the compiled JavaScript in the build; the TypeScript source
 * (through tsx) when the gateway runs from source, as in its unit tests.
 */
export function workerScriptAt(dir: string, name: string): WorkerScript {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return { file: join(dir, `${name}.ts`), execArgv: ['--require', 'tsx/cjs'] };
}

interface Envelope<T> {
  id: number;
  body: T;
}

/** Raised for every request a worker still owed when it exited. */
export class WorkerExited extends Error {
  constructor(readonly code: number) {
    super(`worker thread exited with code ${code}`);
    this.name = 'WorkerExited';
  }
}

/**
 * One worker thread that answers requests in the order they were sent (see `serveRequests`).
 * Work that would hold the gateway's event loop for long runs in one. When the thread exits, every
 * pending request rejects with WorkerExited and `onExit` is told.
 */
export class WorkerThread<Request, Reply> {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  private exited = false;

  constructor(script: WorkerScript, onExit: (code: number) => void = () => undefined) {
    this.worker = new Worker(script.file, { execArgv: script.execArgv });
    this.worker.on('message', ({ id, body }: Envelope<Reply>) => {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      waiter?.resolve(body);
    });
    // An uncaught error inside the thread also ends it: 'exit' follows and settles what was owed.
    this.worker.on('error', () => undefined);
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const waiter of this.pending.values()) waiter.reject(new WorkerExited(code));
      this.pending.clear();
      onExit(code);
    });
    // An idle thread must not keep a finished process alive.
    this.worker.unref();
  }

  /** Sends a request; `transfer` hands typed arrays' buffers over instead of copying them. */
  request(body: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.exited) return Promise.reject(new WorkerExited(-1));
    return new Promise<Reply>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, body } satisfies Envelope<Request>, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Nice value of worker threads. Their work (an index build of a second, say) is what the event
 * loop hands off; at equal priority it would take the core the event loop needs on a small
 * machine, and every request would wait for the scheduler instead. (On Linux a nice value belongs
 * to a thread; elsewhere it would lower the whole process, so it is left alone there.)
 */
export const WORKER_THREAD_NICE = 10;

/**
 * Inside a worker thread: answers each request with `handle`, in arrival order. `handle` returns
 * the reply and the buffers to hand over with it.
 */
export function serveRequests<Request, Reply>(
  handle: (request: Request) => { reply: Reply; transfer?: ArrayBuffer[] },
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests must run in a worker thread');
  if (process.platform === 'linux') setPriority(WORKER_THREAD_NICE);
  port.on('message', ({ id, body }: Envelope<Request>) => {
    const { reply, transfer = [] } = handle(body);
    port.postMessage({ id, body: reply } satisfies Envelope<Reply>, transfer);
  });
}
