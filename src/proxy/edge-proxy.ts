import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { BerthError, type Warning } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Stack } from '../model/stack.js';
import type { RouteMiddlewares } from '../model/route-middlewares.js';
import type { Endpoint } from '../runtime/runtime.js';
import type { Middleware, ResolvedRoute } from './forward/proxy-context.js';
import { HttpProxyServer } from './http-proxy-server.js';
import { buildRouteChain } from './middlewares/build.js';
import { perRoute } from './middlewares/middleware.js';
import { AccessLog } from './observability/access-log.js';
import { AdminServer } from './observability/admin-server.js';
import { poolHealth, ProxyMetrics } from './observability/metrics.js';
import { fanOut } from './observability/observers.js';
import type { Route } from './routing/route.js';
import { RouteTable } from './routing/route-table.js';
import { Router } from './routing/router.js';
import { routesFromStack } from './routing/routes-from-stack.js';
import { UpstreamPool } from './upstream/pool.js';

/** A replica as the proxy needs it: which service, whether it may take traffic, and its addresses. */
export interface ProxyReplica {
  readonly service: string;
  /** Running and, when it has a health probe, healthy. */
  readonly ready: boolean;
  readonly endpoints: Readonly<Record<number, Endpoint>>;
}

export interface EdgeProxyOptions {
  readonly httpPort: number;
  /** Where the HTTP listener binds; default 0.0.0.0 (the proxy is what the world talks to). */
  readonly host?: string;
  /** The admin port (metrics, healthz) on 127.0.0.1; 0 picks a free one. */
  readonly adminPort: number;
  /** Access log file (JSON lines). */
  readonly accessLogFile: string;
  readonly log: Logger;
}

/**
 * The edge proxy of a running stack: an HTTP listener in front of the routed services, its route table built from
 * the stack (x-berth routes, Traefik labels) and swapped atomically when the stack changes, one upstream pool per
 * routed service port fed with the replicas that are ready, per-route middlewares, an access log and Prometheus
 * metrics on a loopback admin port. A new configuration is built and checked completely before it replaces the old
 * one; one that fails leaves the old one serving.
 */
export class EdgeProxy {
  private readonly router = new Router(RouteTable.compile([]));
  private pools = new Map<string, UpstreamPool>();
  private chains = new Map<string, Middleware | undefined>();
  private server: HttpProxyServer | undefined;
  private admin: AdminServer | undefined;
  private accessLog: WriteStream | undefined;
  private readonly metrics = new ProxyMetrics({ upstreams: () => poolHealth(this.pools.values()), processMetrics: true });

  constructor(private readonly options: EdgeProxyOptions) {}

  /** Whether a stack needs the proxy at all. */
  static wanted(stack: Stack): boolean {
    return routesFromStack(stack).routes.length > 0;
  }

  get httpPort(): number {
    return this.server?.port ?? 0;
  }

  get adminPort(): number | undefined {
    return this.adminAddress?.port;
  }

  private adminAddress: { host: string; port: number } | undefined;

  async start(): Promise<void> {
    this.accessLog = createWriteStream(this.options.accessLogFile, { flags: 'a', mode: 0o600 });
    const server = new HttpProxyServer({
      port: this.options.httpPort,
      host: this.options.host ?? '0.0.0.0',
      resolve: (req) => this.resolve(req),
      middlewares: [perRoute((route) => (route.name === undefined ? undefined : this.chains.get(route.name)))],
      observer: fanOut([this.metrics, new AccessLog(this.accessLog)]),
    });
    try {
      await server.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new BerthError('PROXY_LISTEN', `the edge proxy cannot listen on port ${this.options.httpPort}: ${code ?? String(error)}`, {
        hint: code === 'EACCES' ? 'ports below 1024 need root; use `berth up --http-port 8080` or BERTH_HTTP_PORT' : 'stop what uses the port, or choose another with `--http-port` or BERTH_HTTP_PORT',
        cause: error,
      });
    }
    this.server = server;
    this.admin = new AdminServer({ registry: this.metrics.registry, port: this.options.adminPort, host: '127.0.0.1' });
    this.adminAddress = await this.admin.start();
    this.options.log.info('edge proxy listening', { http: server.port, admin: this.adminAddress.port });
  }

  /**
   * Builds the route table, pools and middleware chains for `stack` and swaps them in; throws (leaving the old
   * configuration serving) when a route or a middleware option is invalid. Returns the routing warnings.
   */
  applyStack(stack: Stack): readonly Warning[] {
    const { routes, warnings } = routesFromStack(stack);
    const table = RouteTable.compile(routes);
    const chains = new Map<string, Middleware | undefined>();
    for (const route of routes) {
      chains.set(route.id, buildRouteChain((route.options ?? {}) as RouteMiddlewares, { where: `services.${route.service}.x-berth` }));
    }
    const pools = new Map<string, UpstreamPool>();
    for (const route of routes) {
      const key = poolKey(route);
      pools.set(key, this.pools.get(key) ?? new UpstreamPool({ name: route.service }));
    }
    // Everything is built: switch in one go. Requests in flight keep the table (and pools) they started with.
    this.chains = chains;
    this.pools = pools;
    this.router.swap(table);
    return warnings;
  }

  /** Feeds the pools with the replicas that may take traffic (called whenever the supervisor reports a change). */
  updateReplicas(replicas: readonly ProxyReplica[]): void {
    for (const [key, pool] of this.pools) {
      const [service, port] = splitKey(key);
      const endpoints = replicas
        .filter((r) => r.service === service && r.ready)
        .map((r) => r.endpoints[port])
        .filter((e): e is Endpoint => e !== undefined)
        .map((e) => ({ host: e.host, port: e.port }));
      pool.update(endpoints);
    }
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.admin?.close();
    await new Promise<void>((resolve) => (this.accessLog ? this.accessLog.end(resolve) : resolve()));
    this.server = undefined;
    this.admin = undefined;
  }

  private resolve(req: IncomingMessage): ResolvedRoute | undefined {
    const table = this.router.current; // read once: this request uses this table only
    const match = table.match(req.headers.host ?? '', req.url ?? '/');
    if (!match) return undefined;
    const pool = this.pools.get(poolKey(match.route));
    return pool ? { pool, forwardPath: match.forwardPath, name: match.route.id } : undefined;
  }
}

function poolKey(route: Route): string {
  return `${route.service}\0${route.targetPort}`;
}

function splitKey(key: string): [string, number] {
  const [service = '', port = '0'] = key.split('\0');
  return [service, Number(port)];
}
