import { Injectable } from '@nestjs/common';

/**
 * Whether this replica is draining: it received SIGTERM or SIGINT and is on its way out.
 * Readiness reads it, so balancers and orchestrators stop sending new work at once.
 */
@Injectable()
export class DrainState {
  private drainingSince: string | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /** The signal that started the drain; null while serving. */
  get signal(): string | null {
    return this.drainingSince;
  }

  begin(signal: string): void {
    this.drainingSince ??= signal;
  }
}
