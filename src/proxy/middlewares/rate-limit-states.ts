import type { RateLimitOptions } from '../../model/route-middlewares.js';
import { RateLimitState } from './rate-limit.js';

/** One rebuild of the route table: hands out bucket states, and keeps exactly those once committed. */
export interface RateLimitGeneration {
  /** The state for a route's rate limit: the held one when the route had the same options, else a fresh one. */
  stateFor(routeId: string, options: RateLimitOptions): RateLimitState;
  /** Keeps the states handed out by this generation and forgets the others (routes gone or options changed). */
  commit(): void;
}

/**
 * The rate-limit buckets of every route, kept across route-table swaps so that a client's count survives a reload
 * or a deploy. Keyed by route id and the limit's options: same route and same settings → same buckets; changed
 * settings → fresh buckets. A rebuild that fails is never committed, so it changes nothing. Not safe for two
 * generations built at once (EdgeProxy applies stacks one after the other).
 */
export class RateLimitStates {
  private held = new Map<string, RateLimitState>();

  /** Starts a rebuild; states looked up in it are new or the held ones, and nothing changes until `commit`. */
  begin(): RateLimitGeneration {
    const next = new Map<string, RateLimitState>();
    return {
      stateFor: (routeId, options) => {
        const key = stateKey(routeId, options);
        let state = next.get(key) ?? this.held.get(key);
        if (state === undefined) state = new RateLimitState();
        next.set(key, state);
        return state;
      },
      commit: () => {
        this.held = next;
      },
    };
  }

  /** Routes whose buckets are held, for tests and metrics. */
  get size(): number {
    return this.held.size;
  }
}

function stateKey(routeId: string, options: RateLimitOptions): string {
  return JSON.stringify([routeId, options.requests, options.periodMs, options.burst ?? null]);
}
