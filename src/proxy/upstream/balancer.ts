/*
 * Load-balancing algorithms. A balancer only chooses among the candidates the pool says are available; it keeps
 * no per-request allocations (the pool passes the list it already holds and a predicate).
 */
import type { Endpoint } from './endpoint.js';

export type BalancerKind = 'round-robin' | 'least-conn';

/** Chooses one endpoint among `endpoints` for which `available(e)` is true, or undefined when none is. */
export interface Balancer {
  readonly kind: BalancerKind;
  pick(endpoints: readonly Endpoint[], available: (e: Endpoint) => boolean): Endpoint | undefined;
}

/**
 * nginx's smooth weighted round robin: with weights 5,1,1 it sends a,a,b,a,c,a,a rather than a,a,a,a,a,b,c,
 * and with equal weights it is plain round robin. Weight 0 means "never".
 */
export class RoundRobinBalancer implements Balancer {
  readonly kind = 'round-robin';

  pick(endpoints: readonly Endpoint[], available: (e: Endpoint) => boolean): Endpoint | undefined {
    let best: Endpoint | undefined;
    let total = 0;
    for (let i = 0; i < endpoints.length; i++) {
      const e = endpoints[i] as Endpoint;
      if (e.weight <= 0 || !available(e)) continue;
      e.currentWeight += e.weight;
      total += e.weight;
      if (best === undefined || e.currentWeight > best.currentWeight) best = e;
    }
    if (best !== undefined) best.currentWeight -= total;
    return best;
  }
}

/**
 * Fewest requests in flight relative to weight (`active / weight`), ties broken round robin so that an idle pool
 * still spreads requests.
 */
export class LeastConnBalancer implements Balancer {
  readonly kind = 'least-conn';
  private next = 0;

  pick(endpoints: readonly Endpoint[], available: (e: Endpoint) => boolean): Endpoint | undefined {
    const n = endpoints.length;
    if (n === 0) return undefined;
    const start = this.next++ % n;
    let best: Endpoint | undefined;
    for (let k = 0; k < n; k++) {
      const e = endpoints[(start + k) % n] as Endpoint;
      if (e.weight <= 0 || !available(e)) continue;
      // a.active / a.weight < b.active / b.weight, without division.
      if (best === undefined || e.active * best.weight < best.active * e.weight) best = e;
    }
    return best;
  }
}

export function createBalancer(kind: BalancerKind): Balancer {
  switch (kind) {
    case 'round-robin':
      return new RoundRobinBalancer();
    case 'least-conn':
      return new LeastConnBalancer();
    default:
      return assertNever(kind);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown balancer ${String(x)}`);
}
