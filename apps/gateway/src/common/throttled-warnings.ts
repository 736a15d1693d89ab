import type { Logger } from '@nestjs/common';

/**
 * Warnings at most once per interval for each source: an outage (Redis down, say) is logged when
 * it starts and now and then while it lasts, not on every retry.
 */
export class ThrottledWarnings {
  private readonly lastWarnings = new Map<string, number>();

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly everyMs = 60_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  warn(source: string, error: unknown): void {
    const now = this.nowMs();
    if (now - (this.lastWarnings.get(source) ?? -Infinity) < this.everyMs) return;
    this.lastWarnings.set(source, now);
    this.logger.warn(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
