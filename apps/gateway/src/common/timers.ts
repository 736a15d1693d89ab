import { Injectable } from '@nestjs/common';

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
   * Resolves after the event loop has handled the I/O that is ready now. Work that grows with the
   * size of an event awaits this between chunks, so one request never holds the loop for long (a
   * resolved promise alone would not: it continues in the same turn).
   */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Runs fn every `ms` milliseconds until cancelled; the timer does not keep the process alive. */
  every(ms: number, fn: () => void): ScheduledTask {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  }
}
