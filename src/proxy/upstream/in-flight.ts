/*
 * The endpoints of one serving process that have requests or tunnels in flight, across pool updates and
 * configuration swaps: an endpoint a pool dropped still has its requests in flight until they end, and a deploy
 * drains an old replica by waiting until nothing is in flight to it.
 */
import type { Endpoint } from './endpoint.js';

/**
 * Shared by the pools of a ServingConfig. Pools call `busy`/`idle` when an endpoint's in-flight count leaves or
 * reaches 0 (so it costs a set operation per transition, not a map update per request). It does not count
 * anything itself: the counts are the endpoints' own `active`.
 */
export class InFlight {
  private readonly endpoints = new Set<Endpoint>();

  busy(e: Endpoint): void {
    this.endpoints.add(e);
  }

  idle(e: Endpoint): void {
    this.endpoints.delete(e);
  }

  /** Requests and tunnels in flight to these `host:port` upstreams (the `Endpoint.key` form), over all pools. */
  count(upstreams: readonly string[]): number {
    if (this.endpoints.size === 0 || upstreams.length === 0) return 0;
    const wanted = new Set(upstreams);
    let n = 0;
    for (const e of this.endpoints) if (wanted.has(e.key)) n += e.active;
    return n;
  }
}
