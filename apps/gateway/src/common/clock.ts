import { Injectable } from '@nestjs/common';

/** Time, injected so services can be tested with a fixed clock. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
  nowMs(): number {
    return Date.now();
  }
  /** A monotonic millisecond count with sub-millisecond resolution, for measuring durations. */
  monotonicMs(): number {
    return performance.now();
  }
}
