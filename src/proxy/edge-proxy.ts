import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { BerthError, type Warning } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Stack } from '../model/stack.js';
import type { Endpoint } from '../runtime/runtime.js';
import type { ProxyObserver, RequestRecord } from './forward/proxy-context.js';
import { InProcessListeners } from './listeners/in-process-listeners.js';
import type { ProxyListeners } from './listeners/proxy-listeners.js';
import { WorkerListeners } from './listeners/worker-listeners.js';
import { AccessLog } from './observability/access-log.js';
import { AdminServer } from './observability/admin-server.js';
import { BatchedSink } from './observability/batched-sink.js';
import { poolHealth, ProxyMetrics } from './observability/metrics.js';
import { fanOut } from './observability/observers.js';
import type { Route } from './routing/route.js';
import { routesFromStack } from './routing/routes-from-stack.js';
import { ServingConfig, splitPoolKey } from './serving-config.js';
import type { EndpointSpec } from './upstream/endpoint.js';
import { RecordListeners } from './observability/record-listeners.js';
import { EdgeTls, type TlsSettings } from './tls/edge-tls.js';

/**
 * A replica as the proxy needs it: which service, whether it may take traffic, its addresses, and its share of
 * the traffic. A replica that is not ready gets nothing, whatever its weight.
 */
export interface ProxyReplica {
  readonly service: string;
  /** Running and, when it has a health probe, healthy. */
  readonly ready: boolean;
  readonly endpoints: Readonly<Record<number, Endpoint>>;
  /** Relative share of new requests (canary steps); default 1, 0 = none. A finite number ≥ 0. */
  readonly weight?: number;
  /**
   * Kept warm as a fallback (the old release during a deploy's watch window): it gets requests only when no other
   * replica can take them, and the retries of idempotent requests another replica answered with a 5xx.
   */
  readonly standby?: boolean;
}

/** A note from applyStack: a route berth ignored or only partly supports, or a TLS problem for a host. */
export interface ProxyWarning extends Warning {
  readonly topic: 'route' | 'tls';
}

export interface EdgeProxyOptions {
  readonly httpPort: number;
  /** The HTTPS listener's port (same host), started when a stack has `x-berth.tls`; default 443, 0 picks a free one. */
  readonly httpsPort?: number;
  /** Folder for ACME accounts and certificates; default `tls` beside the access log. */
  readonly tlsStateDir?: string;
  /** Where the HTTP listener binds; default 0.0.0.0 (the proxy is what the world talks to). */
  readonly host?: string;
  /** The admin port (metrics, healthz) on 127.0.0.1; 0 picks a free one. */
  readonly adminPort: number;
  /** Access log file (JSON lines). */
  readonly accessLogFile: string;
  readonly log: Logger;
  /** Processes serving connections: 1 (default) serves in this process, more fork proxy workers. */
  readonly workers?: number;
  /** Node flags for proxy workers (tests running from source). */
  readonly workerExecArgv?: readonly string[];
}

/**
 * The edge proxy of a running stack: an HTTP listener in front of the routed services, its route table built from
 * the stack (x-berth routes, Traefik labels) and swapped atomically when the stack changes, one upstream pool per
 * routed service port fed with the replicas that are ready, per-route middlewares, an access log and Prometheus
 * metrics on a loopback admin port. A new configuration is built and checked completely before it replaces the old
 * one; one that fails leaves the old one serving.
 */
export class EdgeProxy {
  private readonly serving = new ServingConfig();
  private listeners: ProxyListeners | undefined;
  private admin: AdminServer | undefined;
  private accessLog: WriteStream | undefined;
  private accessSink: BatchedSink | undefined;
  private tls: EdgeTls | undefined;
  private httpsOpen = false;
  /** applyStack calls run one after the other. */
  private applying: Promise<unknown> = Promise.resolve();
  /** Set by close(): no stack is applied and no listener opened after it. */
  private closed = false;
  /** HTTPS listeners closed because a stack dropped TLS, still finishing their requests; close() waits for them. */
  private readonly draining = new Set<Promise<void>>();
  private readonly metrics = new ProxyMetrics({ upstreams: () => poolHealth(this.serving.pools.values()), processMetrics: true });
  private readonly recordListeners: RecordListeners;

  constructor(private readonly options: EdgeProxyOptions) {
    this.recordListeners = new RecordListeners(options.log.child({ component: 'proxy-records' }));
  }

  /** Whether a stack needs the proxy at all. */
  static wanted(stack: Stack): boolean {
    return routesFromStack(stack).routes.length > 0;
  }

  get httpPort(): number {
    return this.listeners?.httpPort ?? 0;
  }

  /** The HTTPS listener's port; 0 while there is none. */
  get httpsPort(): number {
    return this.listeners?.httpsPort ?? 0;
  }

  /** Process ids of the proxy workers (none when the proxy serves in this process). */
  get workerPids(): readonly number[] {
    return this.listeners instanceof WorkerListeners ? this.listeners.pids : [];
  }

  get adminPort(): number | undefined {
    return this.adminAddress?.port;
  }

  private adminAddress: { host: string; port: number } | undefined;

  async start(): Promise<void> {
    this.accessLog = createWriteStream(this.options.accessLogFile, { flags: 'a', mode: 0o600 });
    this.accessSink = new BatchedSink(this.accessLog);
    const observer: ProxyObserver = fanOut([this.metrics, new AccessLog(this.accessSink), this.recordListeners]);
    const workers = this.options.workers ?? 1;
    const listeners: ProxyListeners = workers > 1
      ? new WorkerListeners({
        count: workers,
        log: this.options.log.child({ component: 'proxy-workers' }),
        observer,
        serving: this.serving,
        ...(this.options.workerExecArgv === undefined ? {} : { execArgv: this.options.workerExecArgv }),
      })
      : new InProcessListeners(this.serving, observer);
    this.listeners = listeners;
    try {
      await listeners.openHttp(this.options.httpPort, this.options.host ?? '0.0.0.0');
    } catch (error) {
      await listeners.close();
      this.listeners = undefined;
      throw listenError('http', this.options.httpPort, error);
    }
    this.admin = new AdminServer({ registry: this.metrics.registry, port: this.options.adminPort, host: '127.0.0.1' });
    this.adminAddress = await this.admin.start();
    this.options.log.info('edge proxy listening', { http: listeners.httpPort, admin: this.adminAddress.port, workers });
  }

  /**
   * Builds the route table, pools, middleware chains and certificates for `stack` and swaps them in; rejects
   * (leaving the old configuration serving) when a route, a middleware option or a certificate file is invalid.
   * Starts the HTTPS listener when a stack has `x-berth.tls`, and closes it when a stack has none (its requests in
   * flight finish). Returns the routing and TLS warnings. Calls run one after the other; a call made after
   * close(), or still queued when it came, rejects and changes nothing.
   */
  applyStack(stack: Stack): Promise<readonly ProxyWarning[]> {
    if (this.closed) return Promise.reject(closedError());
    const run = this.applying.then(() => this.applyNow(stack));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(stack: Stack): Promise<readonly ProxyWarning[]> {
    if (this.closed) throw closedError();
    const { routes, warnings } = routesFromStack(stack);
    const redirectPort = this.redirectPort();
    let prepared = this.serving.prepare(routes, redirectPort);
    const tlsWarnings = await this.applyTls(stack, routes);
    if (this.closed) throw closedError(); // close() waits for this call, then closes whatever it opened
    // The HTTPS listener just started on a port the OS picked (or stopped): redirects must name the right one.
    if (this.redirectPort() !== redirectPort) prepared = this.serving.prepare(routes, this.redirectPort());
    // Everything is built: switch in one go. Requests in flight keep the table (and pools) they started with.
    prepared.commit();
    this.listeners?.configured(routes, this.redirectPort());
    this.listeners?.endpointsChanged(this.serving.pools);
    return [
      ...warnings.map((warning): ProxyWarning => ({ ...warning, topic: 'route' })),
      ...tlsWarnings.map((warning): ProxyWarning => ({ ...warning, topic: 'tls' })),
    ];
  }

  /**
   * Loads and checks the stack's certificates (swapping them in when good) and starts the HTTPS listener when it
   * is not running. A stack without TLS stops ACME and closes the listener.
   */
  private async applyTls(stack: Stack, routes: readonly Route[]): Promise<Warning[]> {
    const settings = tlsSettings(stack);
    if (settings === undefined) {
      this.dropTls();
      return [];
    }
    const tls = this.tls ?? new EdgeTls({
      stateDir: this.options.tlsStateDir ?? path.join(path.dirname(this.options.accessLogFile), 'tls'),
      log: this.options.log.child({ component: 'tls' }),
    });
    this.tls = tls;
    this.listeners?.useTls(tls);
    let tlsWarnings: Warning[];
    try {
      tlsWarnings = await tls.update(settings, routes.flatMap((route) => route.hosts));
    } catch (error) {
      throw this.httpsOpen ? keptServing(error) : error;
    }
    if (!this.closed && !this.httpsOpen) await this.startHttps(tls);
    return tlsWarnings;
  }

  /** No TLS any more: stop ACME and the HTTPS listener; its requests in flight finish in the background. */
  private dropTls(): void {
    this.tls?.close();
    this.tls = undefined;
    this.listeners?.useTls(undefined);
    if (!this.httpsOpen) return;
    const drained = this.closeHttps();
    this.draining.add(drained);
    void drained.finally(() => this.draining.delete(drained));
    this.options.log.info('edge proxy stopped listening', { https: true, reason: 'the stack has no x-berth.tls' });
  }

  private async startHttps(edgeTls: EdgeTls): Promise<void> {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const port = this.options.httpsPort ?? 443;
    try {
      await listeners.openHttps(port, this.options.host ?? '0.0.0.0', edgeTls);
    } catch (error) {
      throw listenError('https', port, error);
    }
    this.httpsOpen = true;
    this.options.log.info('edge proxy listening', { https: this.httpsPort });
  }

  /** The port https redirects send clients to: the listener's when it runs, else the configured one. */
  private redirectPort(): number {
    return this.httpsPort || this.options.httpsPort || 443;
  }

  /**
   * Feeds the pools with the replicas that may take traffic, with their weights and standby flags (called whenever
   * the supervisor reports a change, and by deploys to shift traffic). Each pool's endpoint list is replaced in
   * one assignment: a request sees the old list or the new one, never a mix; requests in flight to a replica that
   * left finish there (see `inFlight`). Throws a RangeError, changing nothing, on a negative or non-finite weight.
   */
  updateReplicas(replicas: readonly ProxyReplica[]): void {
    for (const r of replicas) {
      const weight = r.weight ?? 1;
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`replica of ${r.service}: weight must be a finite number ≥ 0, got ${weight}`);
    }
    const lists = new Map<string, EndpointSpec[]>();
    for (const key of this.serving.pools.keys()) {
      const [service, port] = splitPoolKey(key);
      const specs: EndpointSpec[] = [];
      for (const r of replicas) {
        const e: Endpoint | undefined = r.service === service && r.ready ? r.endpoints[port] : undefined;
        if (e === undefined) continue;
        const weight = r.weight ?? 1;
        specs.push(r.standby === true ? { host: e.host, port: e.port, weight, standby: true } : { host: e.host, port: e.port, weight });
      }
      lists.set(key, specs);
    }
    for (const [key, specs] of lists) this.serving.setEndpoints(key, specs);
    this.listeners?.endpointsChanged(this.serving.pools);
  }

  /**
   * Calls `listener` with the record of every finished request, whichever process served it (records of worker
   * processes arrive in batches, up to ~100 ms late). A listener that throws is logged and kept. Returns the
   * function that unsubscribes it. Costs nothing per request while nobody listens.
   */
  onRecord(listener: (record: RequestRecord) => void): () => void {
    return this.recordListeners.add(listener);
  }

  /**
   * How many requests and open tunnels (WebSocket) are in flight to these `host:port` upstreams right now, in
   * this process and every proxy worker (a worker that does not answer within a second counts as 0, logged).
   * Requests that started before their replica was taken out of the pools count until they end, so a deploy
   * polls this after `updateReplicas` to drain old replicas before stopping them. 0 before start and after close.
   */
  async inFlight(upstreams: readonly string[]): Promise<number> {
    return (await this.listeners?.inFlight(upstreams)) ?? 0;
  }

  /** Stops the listeners and ACME. A stack being applied finishes first (whatever it opened is closed too). */
  async close(): Promise<void> {
    this.closed = true;
    await this.applying;
    await Promise.all([this.closeHttps(), ...this.draining]);
    await this.listeners?.close();
    this.listeners = undefined;
    this.tls?.close();
    this.tls = undefined;
    await this.admin?.close();
    this.accessSink?.flush();
    await new Promise<void>((resolve) => (this.accessLog ? this.accessLog.end(resolve) : resolve()));
    this.admin = undefined;
  }

  private async closeHttps(): Promise<void> {
    if (!this.httpsOpen) return;
    this.httpsOpen = false;
    await this.listeners?.closeHttps();
  }
}

/** The stack's `x-berth.tls` for EdgeTls: paths made absolute against the project folder. */
function tlsSettings(stack: Stack): TlsSettings | undefined {
  const tls = stack.berth.tls;
  if (tls === undefined) return undefined;
  const renewBeforeMs = tls.acme?.renewBeforeMs;
  return {
    certificates: tls.certificates.map((c, i) => ({
      cert: path.resolve(stack.projectDir, c.cert),
      key: path.resolve(stack.projectDir, c.key),
      ...(c.hosts === undefined ? {} : { hosts: c.hosts }),
      path: `x-berth.tls.certificates[${i}]`,
    })),
    ...(tls.acme === undefined ? {} : {
      acme: {
        directoryUrl: tls.acme.directory,
        ...(tls.acme.email === undefined ? {} : { email: tls.acme.email }),
        ...(renewBeforeMs === undefined ? {} : { renewal: { renewBeforeMs } }),
      },
    }),
  };
}

/** A TLS error of a new stack, saying that the proxy keeps serving what it served (it does: nothing was swapped). */
function keptServing(error: unknown): unknown {
  if (!(error instanceof BerthError)) return error;
  const kept = 'the edge proxy keeps serving its previous certificates and routes until a stack with good files is applied';
  return new BerthError(error.code, error.message, {
    hint: error.hint === undefined ? kept : `${error.hint}; ${kept}`,
    cause: error,
    ...(error.path === undefined ? {} : { path: error.path }),
    ...(error.source === undefined ? {} : { source: error.source }),
    ...(error.issues.length === 0 ? {} : { issues: error.issues }),
  });
}

function closedError(): Error {
  return new Error('the edge proxy was closed before the stack was applied');
}

function listenError(scheme: 'http' | 'https', port: number, error: unknown): BerthError {
  const code = (error as NodeJS.ErrnoException).code;
  const flag = `--${scheme}-port`;
  const env = `BERTH_${scheme.toUpperCase()}_PORT`;
  return new BerthError('PROXY_LISTEN', `the edge proxy cannot listen on port ${port}${scheme === 'https' ? ' (HTTPS)' : ''}: ${code ?? String(error)}`, {
    hint: code === 'EACCES' ? `ports below 1024 need root; use \`berth up ${flag} ${scheme === 'http' ? 8080 : 8443}\` or ${env}` : `stop what uses the port, or choose another with \`${flag}\` or ${env}`,
    cause: error,
  });
}
