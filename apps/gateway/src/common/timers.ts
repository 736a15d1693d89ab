import { Injectable } from '@nestjs/common';

/** Work runs this long at most before giving the event loop a turn (see Timers.slices). */
export const SLICE_MS = 4;

/** See Timers.slices. */
export class TimeSlices {
  private since = performance.now();

  constructor(private readonly budgetMs: number) {}

  async breathe(): Promise<void> {
    if (performance.now() - this.since < this.budgetMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}

/** A scheduled callback that can be called off. */
export interface ScheduledTask {
  cancel(): void;
}

/** Deferred work, injected so services that wait can be tested without real time passing. */
@Injectable()
export class Timers {
  /** Runs fn once after `ms` milliseconds; the pending timer does not keep the process alive. */
  after(ms: number, fn: () => void): ScheduledTask {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }

  /** Runs fn once the event loop has handled the I/O that is ready now (setImmediate). */
  soon(fn: () => void): ScheduledTask {
    const immediate = setImmediate(fn);
    return { cancel: () => clearImmediate(immediate) };
  }

  /**
   * Yield points for one long piece of work (anything that grows with the size of an event): it
   * awaits `breathe()` between chunks, which gives the event loop a turn once SLICE_MS of work
   * have passed since the last one, so no request holds the loop for long whatever the machine's
   * speed. (Awaiting a resolved promise alone would not: it continues in the same turn.)
   */
  slices(): TimeSlices {
    return new TimeSlices(SLICE_MS);
  }

  /** Runs fn every `ms` milliseconds until cancelled; the timer does not keep the process alive. */
  every(ms: number, fn: () => void): ScheduledTask {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  }
}
