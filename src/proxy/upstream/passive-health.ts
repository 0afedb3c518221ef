/*
 * Passive health, as nginx does it: `maxFails` failed tries within `failTimeoutMs` take an endpoint out for
 * `failTimeoutMs`. The state lives on the endpoint itself (no maps on the request path); these functions are the
 * only code that reads or writes it.
 */

/** nginx's `max_fails` / `fail_timeout`. `maxFails: 0` turns passive health off. */
export interface PassiveHealthOptions {
  readonly maxFails: number;
  readonly failTimeoutMs: number;
}

export const DEFAULT_PASSIVE_HEALTH: PassiveHealthOptions = { maxFails: 3, failTimeoutMs: 10_000 };

/** The fields of an endpoint that passive health owns. */
export interface PassiveHealthState {
  fails: number;
  /** When the first failure of the current window happened (ms, from the pool's clock). */
  firstFailAt: number;
  /** Until when the endpoint is out; 0 = not out. */
  downUntil: number;
}

/** True while the endpoint is taken out by passive health. */
export function isPassivelyDown(state: PassiveHealthState, now: number): boolean {
  return state.downUntil > now;
}

/**
 * Counts one failed try. Returns true when this failure took the endpoint out (for logs and metrics).
 * A failure older than `failTimeoutMs` starts a new window, so isolated failures never add up.
 */
export function recordFailure(state: PassiveHealthState, options: PassiveHealthOptions, now: number): boolean {
  if (options.maxFails <= 0) return false;
  if (state.fails === 0 || now - state.firstFailAt > options.failTimeoutMs) {
    state.fails = 0;
    state.firstFailAt = now;
  }
  state.fails++;
  if (state.fails >= options.maxFails && state.downUntil <= now) {
    state.downUntil = now + options.failTimeoutMs;
    // The next window starts when the endpoint comes back: one more failure then does not take it out at once.
    state.fails = 0;
    return true;
  }
  return false;
}

/** A successful try clears the failure count (nginx resets `fails` once a peer answers again). */
export function recordSuccess(state: PassiveHealthState): void {
  if (state.fails !== 0) state.fails = 0;
}
