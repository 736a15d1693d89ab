import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Timers, type ScheduledTask } from '../common/timers';

/** Readiness reports the event loop's delay over windows of this length. */
export const EVENT_LOOP_WINDOW_MS = 10_000;
const NS_PER_MS = 1e6;

export interface EventLoopDelay {
  p99: number;
  max: number;
  windowMs: number;
}

/**
 * Samples how late the event loop runs (Node's monitorEventLoopDelay) and keeps the figures of
 * the last complete window, so readiness can show a replica that stalls. Prometheus gets the same
 * measure from prom-client's default metrics (`nodejs_eventloop_lag_*`).
 */
@Injectable()
export class EventLoopMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastWindow: EventLoopDelay = { p99: 0, max: 0, windowMs: EVENT_LOOP_WINDOW_MS };
  private rotation: ScheduledTask | null = null;

  constructor(private readonly timers: Timers) {}

  onModuleInit(): void {
    this.histogram.enable();
    this.rotation = this.timers.every(EVENT_LOOP_WINDOW_MS, () => {
      this.lastWindow = {
        p99: round(this.histogram.percentile(99) / NS_PER_MS),
        max: round(this.histogram.max / NS_PER_MS),
        windowMs: EVENT_LOOP_WINDOW_MS,
      };
      this.histogram.reset();
    });
  }

  onApplicationShutdown(): void {
    this.rotation?.cancel();
    this.histogram.disable();
  }

  delay(): EventLoopDelay {
    return this.lastWindow;
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
