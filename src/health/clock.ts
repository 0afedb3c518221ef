/**
 * Time for the health monitor: injectable so tests can drive it. The system clock looks the globals up on each
 * call, so vitest's fake timers (which replace them) drive it too.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels the call if it has not happened yet. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
