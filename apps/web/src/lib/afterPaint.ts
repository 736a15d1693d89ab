/** Runs `callback` once the next frame has been painted (a frame, then a task after it). */
export function afterPaint(callback: () => void): void {
  if (typeof requestAnimationFrame !== 'function') return void setTimeout(callback, 0);
  requestAnimationFrame(() => setTimeout(callback, 0));
}

/** A change whose rows are now on screen: when it committed and when its message arrived (epoch ms). */
export interface PaintedCommit {
  committedAt: number;
  receivedAt: number;
}

/**
 * Marks in the Performance timeline that the rows of these changes are on screen; `pnpm bench:web`
 * reads the marks to split commit-to-paint into server-to-page and page-to-paint times.
 */
export function markCommitsPainted(commits: PaintedCommit[]): void {
  if (commits.length === 0 || typeof performance.mark !== 'function') return;
  const detail = commits.map(({ committedAt, receivedAt }) => ({ committedAt, receivedAt }));
  afterPaint(() =>
    performance.mark('levels:commits-painted', { detail: { commits: detail, paintedAt: Date.now() } }),
  );
}
