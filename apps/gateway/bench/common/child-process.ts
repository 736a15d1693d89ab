/** Spawning the benchmark's TypeScript children with IPC, and waiting for their messages. */
import { fork, type ChildProcess } from 'node:child_process';
import { cpuProfileArgs } from '../../test/cluster/gateway-process';

const TSX = require.resolve('tsx/cjs');

/** Forks the TypeScript file at `path` (absolute) with an IPC channel; BENCH_CPU_PROF applies to it too. */
export function forkTs(path: string, env: Record<string, string> = {}): ChildProcess {
  return fork(path, [], {
    execArgv: ['-r', TSX, ...cpuProfileArgs()],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves with the next message of `type`; rejects on an `error` message, on exit, or after the timeout. */
export function nextMessage<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolveMessage, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: M): void => {
      if (message.type === type) {
        cleanup();
        resolveMessage(message as Extract<M, { type: T }>);
      } else if (message.type === 'error') {
        cleanup();
        reject(
          new Error(`child ${child.pid} failed: ${(message as unknown as { message: string }).message}`),
        );
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${signal ?? code}) while waiting for "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`child ${child.pid} sent no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
