import type { Clock } from '../lib/clock';

/** A clock that moves only when the test says so; `advance` runs the tickers that came due. */
export class FakeClock implements Clock {
  private tickers = new Set<{ ms: number; next: number; tick: () => void }>();

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const ticker = { ms, next: this.time + ms, tick };
    this.tickers.add(ticker);
    return () => void this.tickers.delete(ticker);
  }

  /** Tickers running now. */
  get running(): number {
    return this.tickers.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.tickers].filter((ticker) => ticker.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.ms;
      due.tick();
    }
    this.time = end;
  }
}
