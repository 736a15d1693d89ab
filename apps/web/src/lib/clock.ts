/**
 * The time as the stores see it. Countdowns read it through this interface, so unit tests drive
 * time with a FakeClock instead of waiting or patching globals.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

let current: Clock = systemClock;

/** Stores take the clock when they are created; tests set theirs before. */
export function useClock(): Clock {
  return current;
}

export function setClock(clock: Clock): void {
  current = clock;
}
