/*
 * An upstream pool: the endpoints of one service port, a balancer, passive health. The endpoint list is one
 * array reference replaced in one assignment by `update()`, so a request sees either the old or the new list.
 */
import { createBalancer, type Balancer, type BalancerKind } from './balancer.js';
import { Endpoint, endpointKey, type EndpointSpec } from './endpoint.js';
import type { InFlight } from './in-flight.js';
import {
  DEFAULT_PASSIVE_HEALTH,
  isPassivelyDown,
  recordFailure,
  recordSuccess,
  type PassiveHealthOptions,
} from './passive-health.js';

export interface UpstreamPoolOptions {
  /** For logs and metrics (service name, or `service:port`). */
  readonly name: string;
  readonly endpoints?: readonly EndpointSpec[];
  readonly balancer?: BalancerKind;
  readonly passiveHealth?: PassiveHealthOptions;
  /** Milliseconds clock; tests pass a fake one. */
  readonly now?: () => number;
  /** Told which endpoints have requests in flight (the serving process's tracker, for draining). */
  readonly inFlight?: InFlight;
}

/** A pool event for logs and metrics; the pool itself never logs. */
export type PoolEvent =
  | { readonly kind: 'down'; readonly endpoint: string; readonly untilMs: number }
  | { readonly kind: 'unhealthy' | 'healthy'; readonly endpoint: string };

/**
 * Chooses endpoints for requests and learns from their outcome. It does not send requests, retry, or probe:
 * the forwarder calls `pick`/`pickStandby`/`acquire`/`release`/`reportFailure`/`reportSuccess`, the health
 * monitor calls `setHealthy`, the route builder calls `update`. Standby endpoints (see `EndpointSpec.standby`)
 * are only picked when no other endpoint can be, or on purpose with `pickStandby`.
 */
export class UpstreamPool {
  readonly name: string;
  private list: readonly Endpoint[] = [];
  private readonly balancer: Balancer;
  private readonly passive: PassiveHealthOptions;
  private readonly now: () => number;
  private listener: ((event: PoolEvent) => void) | undefined;
  private readonly inFlight: InFlight | undefined;
  /** Standby endpoints in `list`; 0 keeps `pick` on the path it had before standby existed. */
  private standbyCount = 0;
  // Read by the availability predicates, so that they are allocated once per pool and not per pick.
  private pickNow = 0;
  private pickTried: readonly Endpoint[] | undefined;
  private readonly isAvailable = (e: Endpoint): boolean =>
    e.healthy && e.downUntil <= this.pickNow && (this.pickTried === undefined || !this.pickTried.includes(e));
  private readonly isLastResort = (e: Endpoint): boolean =>
    e.healthy && (this.pickTried === undefined || !this.pickTried.includes(e));
  private readonly isMainAvailable = (e: Endpoint): boolean => !e.standby && this.isAvailable(e);
  private readonly isStandbyAvailable = (e: Endpoint): boolean => e.standby && this.isAvailable(e);
  private readonly isMainLastResort = (e: Endpoint): boolean => !e.standby && this.isLastResort(e);

  constructor(options: UpstreamPoolOptions) {
    this.name = options.name;
    this.balancer = createBalancer(options.balancer ?? 'round-robin');
    this.passive = options.passiveHealth ?? DEFAULT_PASSIVE_HEALTH;
    this.now = options.now ?? Date.now;
    this.inFlight = options.inFlight;
    if (options.endpoints) this.update(options.endpoints);
  }

  get balancerKind(): BalancerKind {
    return this.balancer.kind;
  }

  /** True when the current endpoint list has a standby endpoint (available or not). */
  get hasStandby(): boolean {
    return this.standbyCount > 0;
  }

  /** The current endpoints (a snapshot: the array is never mutated, only replaced). */
  endpoints(): readonly Endpoint[] {
    return this.list;
  }

  /** Called with pool events (endpoint taken out, active health changes). One listener; later calls replace it. */
  onEvent(listener: ((event: PoolEvent) => void) | undefined): void {
    this.listener = listener;
  }

  /**
   * Replaces the endpoint set at once. Endpoints whose `host:port` stays keep their state (passive health, active
   * health, in-flight count); their weight and standby flag are updated. Duplicate addresses are merged (the
   * last spec wins). Throws a RangeError, changing nothing, when a weight is negative or not a number.
   */
  update(specs: readonly EndpointSpec[]): void {
    for (const s of specs) {
      const weight = s.weight ?? 1;
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`pool ${this.name}: bad weight for ${endpointKey(s.host, s.port)}`);
    }
    const old = new Map<string, Endpoint>();
    for (const e of this.list) old.set(e.key, e);
    const next = new Map<string, Endpoint>();
    const flags = new Map<Endpoint, { weight: number; standby: boolean }>();
    for (const s of specs) {
      const key = endpointKey(s.host, s.port);
      const weight = s.weight ?? 1;
      const e = next.get(key) ?? old.get(key) ?? new Endpoint(s.host, s.port, weight);
      flags.set(e, { weight, standby: s.standby === true });
      next.set(key, e);
    }
    // Endpoints that stay are shared with requests in flight: their fields change together with the list.
    let standby = 0;
    for (const [e, f] of flags) {
      e.weight = f.weight;
      e.standby = f.standby;
      if (f.standby) standby++;
    }
    this.list = Object.freeze([...next.values()]);
    this.standbyCount = standby;
  }

  /** Active health from outside (the supervisor's probes). Unknown addresses are ignored. */
  setHealthy(host: string, port: number, healthy: boolean): void {
    const key = endpointKey(host, port);
    for (const e of this.list) {
      if (e.key !== key || e.healthy === healthy) continue;
      e.healthy = healthy;
      if (healthy) e.downUntil = 0;
      this.listener?.({ kind: healthy ? 'healthy' : 'unhealthy', endpoint: key });
    }
  }

  /**
   * The endpoint for the next try, never one in `tried`. Standby endpoints are chosen only when no other one is
   * available (all tried, out, or none). When every untried endpoint is out by passive health, one of them is
   * still chosen (a likely failure beats a sure 503); active-unhealthy endpoints never are.
   */
  pick(tried?: readonly Endpoint[]): Endpoint | undefined {
    this.pickNow = this.now();
    this.pickTried = tried !== undefined && tried.length > 0 ? tried : undefined;
    const list = this.list;
    const b = this.balancer;
    const e = this.standbyCount === 0
      ? b.pick(list, this.isAvailable) ?? b.pick(list, this.isLastResort)
      : b.pick(list, this.isMainAvailable) ?? b.pick(list, this.isStandbyAvailable) ?? b.pick(list, this.isMainLastResort) ??
        b.pick(list, this.isLastResort);
    this.pickTried = undefined;
    return e;
  }

  /**
   * A standby endpoint for the next try, never one in `tried` nor one that is out (active or passive health);
   * undefined when there is none. Chosen by the pool's balancer (round robin by default) among standby endpoints.
   */
  pickStandby(tried?: readonly Endpoint[]): Endpoint | undefined {
    if (this.standbyCount === 0) return undefined;
    this.pickNow = this.now();
    this.pickTried = tried !== undefined && tried.length > 0 ? tried : undefined;
    const e = this.balancer.pick(this.list, this.isStandbyAvailable);
    this.pickTried = undefined;
    return e;
  }

  /** True when the endpoint is in the pool, healthy and not out by passive health. */
  isUp(e: Endpoint): boolean {
    return e.healthy && !isPassivelyDown(e, this.now());
  }

  /** A request or tunnel to `e` starts; every `acquire` is followed by exactly one `release`. */
  acquire(e: Endpoint): void {
    if (e.active++ === 0) this.inFlight?.busy(e);
  }

  release(e: Endpoint): void {
    if (e.active > 0 && --e.active === 0) this.inFlight?.idle(e);
  }

  reportFailure(e: Endpoint): void {
    const now = this.now();
    if (recordFailure(e, this.passive, now)) this.listener?.({ kind: 'down', endpoint: e.key, untilMs: e.downUntil });
  }

  reportSuccess(e: Endpoint): void {
    recordSuccess(e);
  }
}
