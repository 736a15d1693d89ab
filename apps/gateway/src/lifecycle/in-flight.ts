/**
 * Counts the work a replica has accepted and not yet answered: HTTP requests without a finished
 * response, and socket messages without their acknowledgement, per socket. Draining waits on it:
 * a socket is sent elsewhere only once every message it sent has its answer, so no client is
 * left not knowing whether its reservation was made.
 */
export class InFlight<SocketKey> {
  private requests = 0;
  private readonly messages = new Map<SocketKey, number>();
  private readonly waiters = new Set<() => void>();
  private readonly socketWaiters = new Map<SocketKey, (() => void)[]>();

  get pendingRequests(): number {
    return this.requests;
  }

  get pendingMessages(): number {
    let total = 0;
    for (const count of this.messages.values()) total += count;
    return total;
  }

  /** Counts one request; the returned function, called once its response is done, uncounts it (extra calls do nothing). */
  request(): () => void {
    this.requests += 1;
    return this.once(() => {
      this.requests -= 1;
      this.settle();
    });
  }

  /** Counts one message of the socket; the returned function, called once it is acknowledged, uncounts it. */
  message(socket: SocketKey): () => void {
    this.messages.set(socket, (this.messages.get(socket) ?? 0) + 1);
    return this.once(() => {
      const left = (this.messages.get(socket) ?? 1) - 1;
      if (left > 0) this.messages.set(socket, left);
      else this.socketIdle(socket);
      this.settle();
    });
  }

  /** The socket is gone: nothing it sent can be answered any more. */
  forget(socket: SocketKey): void {
    if (!this.messages.has(socket) && !this.socketWaiters.has(socket)) return;
    this.socketIdle(socket);
    this.settle();
  }

  /** Resolves once the socket has no unacknowledged message (at once if it has none). */
  socketSettled(socket: SocketKey): Promise<void> {
    if (!this.messages.has(socket)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.socketWaiters.get(socket) ?? [];
      waiting.push(resolve);
      this.socketWaiters.set(socket, waiting);
    });
  }

  /** Resolves once nothing is in flight (at once if nothing is). */
  settled(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private idle(): boolean {
    return this.requests === 0 && this.messages.size === 0;
  }

  private socketIdle(socket: SocketKey): void {
    this.messages.delete(socket);
    const waiting = this.socketWaiters.get(socket) ?? [];
    this.socketWaiters.delete(socket);
    for (const resolve of waiting) resolve();
  }

  private settle(): void {
    if (!this.idle()) return;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }

  private once(fn: () => void): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      fn();
    };
  }
}
