/** Runs `callback` once the next frame has been painted (a frame, then a task after it). */
export function afterPaint(callback: () => void): void {
  if (typeof requestAnimationFrame !== 'function') return void setTimeout(callback, 0);
  requestAnimationFrame(() => setTimeout(callback, 0));
}

/**
 * Marks in the Performance timeline that the rows of changes committed at `committedAt` (epoch ms)
 * are on screen; `pnpm bench:web` reads these marks to compute commit-to-paint times.
 */
export function markCommitsPainted(committedAt: number[]): void {
  if (committedAt.length === 0 || typeof performance.mark !== 'function') return;
  afterPaint(() =>
    performance.mark('levels:commits-painted', {
      detail: { committedAt, paintedAt: performance.timeOrigin + performance.now() },
    }),
  );
}
