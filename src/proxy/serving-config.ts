/*
 * What a proxy listener serves with: the compiled route table, one upstream pool per routed service port, and the
 * middleware chain of each route (rate-limit buckets kept across rebuilds). Built completely and checked before
 * it is swapped in; a request reads the table once and keeps the pools and chain it resolved. The edge proxy
 * holds one; so does each proxy worker process, rebuilt from the same routes.
 */
import type { RouteMiddlewares } from '../model/route-middlewares.js';
import type { Middleware, ProxyRequest, ResolvedRoute } from './forward/proxy-context.js';
import { buildRouteChain } from './middlewares/build.js';
import { bucketShape, type BucketShape, type RateLimitState, type TokenDecision } from './middlewares/rate-limit.js';
import { RateLimitStates } from './middlewares/rate-limit-states.js';
import type { Route } from './routing/route.js';
import { RouteTable } from './routing/route-table.js';
import { Router } from './routing/router.js';
import type { EndpointSpec } from './upstream/endpoint.js';
import { InFlight } from './upstream/in-flight.js';
import { UpstreamPool } from './upstream/pool.js';

/** A configuration built and checked, not yet serving: `commit()` swaps it in. */
export interface PreparedConfig {
  readonly routes: readonly Route[];
  commit(): void;
}

/** Takes a rate-limit token of a route in the process that holds the buckets; undefined = decide here. */
export type RemoteTokens = (routeId: string, key: string) => Promise<TokenDecision | undefined>;

export class ServingConfig {
  private readonly router = new Router(RouteTable.compile([]));
  private poolMap = new Map<string, UpstreamPool>();
  private chains = new Map<string, Middleware | undefined>();
  private readonly rateLimits = new RateLimitStates();
  private limits = new Map<string, { readonly state: RateLimitState; readonly shape: BucketShape }>();
  /** Endpoints with requests in flight, over every pool this config ever built (dropped ones too). */
  private readonly busy = new InFlight();

  /** `remoteTokens`: rate limits are decided by another process (proxy workers ask the edge proxy). */
  constructor(private readonly remoteTokens?: RemoteTokens) {}

  /**
   * Compiles `routes` and builds their chains (redirects to `httpsPort`); throws on a bad route or middleware
   * option, changing nothing. Pools of service ports that stay keep their endpoints and health.
   */
  prepare(routes: readonly Route[], httpsPort: number): PreparedConfig {
    const table = RouteTable.compile(routes);
    const limits = this.rateLimits.begin();
    const chains = new Map<string, Middleware | undefined>();
    const shapes = new Map<string, { readonly state: RateLimitState; readonly shape: BucketShape }>();
    const remote = this.remoteTokens;
    for (const route of routes) {
      const options = (route.options ?? {}) as RouteMiddlewares;
      const state = options.rateLimit === undefined ? undefined : limits.stateFor(route.id, options.rateLimit);
      chains.set(route.id, buildRouteChain(options, {
        where: `services.${route.service}.x-berth`, httpsPort,
        ...(state === undefined ? {} : { rateLimitState: state }),
        ...(state === undefined || remote === undefined ? {} : { rateLimitRemote: (key: string) => remote(route.id, key) }),
      }));
      if (state !== undefined && options.rateLimit !== undefined) shapes.set(route.id, { state, shape: bucketShape(options.rateLimit) });
    }
    const pools = new Map<string, UpstreamPool>();
    for (const route of routes) {
      const key = poolKey(route.service, route.targetPort);
      pools.set(key, pools.get(key) ?? this.poolMap.get(key) ?? new UpstreamPool({ name: route.service, inFlight: this.busy }));
    }
    return {
      routes,
      commit: () => {
        // Requests in flight keep the table, pools and chains they started with.
        this.chains = chains;
        this.poolMap = pools;
        this.limits = shapes;
        limits.commit();
        this.router.swap(table);
      },
    };
  }

  /** The pools, by `poolKey`. */
  get pools(): ReadonlyMap<string, UpstreamPool> {
    return this.poolMap;
  }

  /**
   * Requests and tunnels this process has in flight to these `host:port` upstreams, including those that
   * started before their endpoint (or pool) was dropped.
   */
  inFlight(upstreams: readonly string[]): number {
    return this.busy.count(upstreams);
  }

  /** Replaces the endpoints of the pool of `key` (unknown keys are ignored). */
  setEndpoints(key: string, endpoints: readonly EndpointSpec[]): void {
    this.poolMap.get(key)?.update(endpoints);
  }

  resolve(req: ProxyRequest): ResolvedRoute | undefined {
    const table = this.router.current; // read once: this request uses this table only
    const match = table.match(('host' in req ? req.host : req.headers.host) ?? '', req.url ?? '/');
    if (!match) return undefined;
    const route = match.route;
    const pool = this.poolMap.get(poolKey(route.service, route.targetPort));
    if (pool === undefined) return undefined;
    const maxBodyBytes = (route.options as RouteMiddlewares).maxBodyBytes;
    return maxBodyBytes === undefined
      ? { pool, forwardPath: match.forwardPath, name: route.id }
      : { pool, forwardPath: match.forwardPath, name: route.id, maxBodyBytes };
  }

  /**
   * Takes a token of route `routeId`'s rate limit for client `key`, for a request a proxy worker is serving: all
   * workers share these buckets. Undefined when the route has no limit here (configurations being swapped).
   */
  takeToken(routeId: string, key: string): TokenDecision | undefined {
    const limit = this.limits.get(routeId);
    return limit === undefined ? undefined : limit.state.take(key, performance.now(), limit.shape);
  }

  /** The route's own middleware chain; undefined when it has none. */
  routeMiddleware(route: ResolvedRoute): Middleware | undefined {
    return route.name === undefined ? undefined : this.chains.get(route.name);
  }
}

/** The pool of a routed service port. */
export function poolKey(service: string, port: number): string {
  return `${service}\0${port}`;
}

export function splitPoolKey(key: string): [service: string, port: number] {
  const [service = '', port = '0'] = key.split('\0');
  return [service, Number(port)];
}
