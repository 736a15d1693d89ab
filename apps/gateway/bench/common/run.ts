/**
 * What every benchmark run needs around its measurements: numeric settings from the environment,
 * a log line prefix, teardown of everything it started (also on failure, Ctrl-C or a hard time
 * limit), and a look at how busy the machine already is.
 */
import { cpus } from 'node:os';
import { CpuMeter } from './cpu-usage';

/** A non-negative (or positive) number from the environment, or `fallback` when unset. */
export function setting(name: string, fallback: number, { zeroAllowed = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return value;
}

export function logger(name: string): (message: string) => void {
  return (message) => console.log(`[${name} ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Everything started is registered here and torn down in reverse order, whatever happens. */
export class Cleanups {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) {
      await this.steps.pop()!().catch((error: Error) => console.error('cleanup:', error.message));
    }
  }
}

/**
 * Runs `main` with `cleanups` run at the end, on SIGINT/SIGTERM, and when the run exceeds
 * `timeoutS` (exit code 2): a benchmark never leaves servers or clients behind, nor runs forever.
 */
export function runBenchmark(
  name: string,
  timeoutS: number,
  cleanups: Cleanups,
  main: () => Promise<void>,
): void {
  const hardStop = setTimeout(() => {
    console.error(`${name}: still running after ${timeoutS} s, giving up`);
    void cleanups.run().finally(() => process.exit(2));
  }, timeoutS * 1000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanups.run().finally(() => process.exit(130)));
  }
  main()
    .catch((error: Error) => {
      console.error(error.stack ?? error);
      process.exitCode = 1;
    })
    .finally(async () => {
      clearTimeout(hardStop);
      await cleanups.run();
    });
}

/**
 * Cores kept busy by other work over a short window while none of the bench's processes run
 * (from /proc/stat): a busy machine makes every figure of the run worse, the baseline's too.
 */
export async function otherWorkCores(windowMs = 3_000): Promise<number> {
  const meter = new CpuMeter({}, cpus().length);
  meter.start();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return meter.stop().machine;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
