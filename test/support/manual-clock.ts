import type { Clock } from '../../src/health/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when a test says so: `advance(ms)` runs every timer that falls due, in time order,
 * including timers scheduled by those timers inside the window. No real time passes, so restart backoff,
 * crash-loop windows, health intervals and deadlines are tested without sleeping.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, running due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#due(end);
      if (!next) break;
      this.#now = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.#now = end;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
  }

  /** Milliseconds until the next pending timer, or undefined when none is pending. */
  nextIn(): number | undefined {
    const live = this.#timers.filter((t) => !t.cancelled);
    if (live.length === 0) return undefined;
    return Math.min(...live.map((t) => t.at)) - this.#now;
  }

  /** How many timers are pending (e.g. to check that close() cancelled them all). */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  #due(end: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
