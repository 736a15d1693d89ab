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

  constructor(
    script: WorkerScript,
    { onExit = () => undefined, workerData }: { onExit?: (code: number) => void; workerData?: unknown } = {},
  ) {
    this.worker = new Worker(script.file, { execArgv: script.execArgv, workerData });
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

export interface ServeOptions<Request> {
  /**
   * A positive value lowers the thread's priority below the event loop's, for work nobody waits
   * on closely. (On Linux a nice value belongs to a thread; elsewhere it would lower the whole
   * process, so it is left alone there.)
   */
  nice?: number;
  /**
   * Requests to answer after those that arrive with them: they wait for the end of the current
   * batch of messages, so a read never delays the writes queued behind it (and still sees every
   * write sent before it).
   */
  defer?: (request: Request) => boolean;
}

/**
 * Inside a worker thread: answers each request with `handle`, in arrival order (deferred ones
 * after the rest of their batch). `handle` returns the reply and the buffers to hand over with it.
 */
export function serveRequests<Request, Reply>(
  handle: (request: Request) => { reply: Reply; transfer?: ArrayBuffer[] },
  { nice = 0, defer = () => false }: ServeOptions<Request> = {},
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests must run in a worker thread');
  if (nice > 0 && process.platform === 'linux') setPriority(nice);
  const answer = ({ id, body }: Envelope<Request>): void => {
    const { reply, transfer = [] } = handle(body);
    port.postMessage({ id, body: reply } satisfies Envelope<Reply>, transfer);
  };
  const deferred: Envelope<Request>[] = [];
  const drain = (): void => {
    for (const envelope of deferred.splice(0)) answer(envelope);
  };
  port.on('message', (envelope: Envelope<Request>) => {
    if (!defer(envelope.body)) return answer(envelope);
    if (deferred.push(envelope) === 1) setImmediate(drain);
  });
}
