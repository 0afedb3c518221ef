import { rmSync, writeFileSync } from 'node:fs';
import { BerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { EdgeProxy } from '../proxy/edge-proxy.js';
import { ProcessRuntime } from '../runtime/process/process-runtime.js';
import { PlanePaths, type PlaneInfo } from './plane-paths.js';
import type { ApplyStackResult, PingResult, PlaneCalls, PlaneStreams, ProxyEndpoints } from './plane-protocol.js';
import { RpcServer, type CallHandler, type StreamHandler } from './rpc-server.js';

/** What a Plane is built from (the entry point passes the state folder from its argv). */
export interface PlaneOptions {
  /** The project's state folder (`<project>/.berth`). */
  readonly stateDir: string;
  readonly log: Logger;
  /** Called once the plane has shut down (after a `shutdown` call): the entry point exits. */
  readonly onShutdown: () => void;
}

type Calls = { readonly [M in keyof PlaneCalls]: (params: PlaneCalls[M], signal: AbortSignal) => Promise<unknown> };
type Streams = { readonly [M in keyof PlaneStreams]: (params: PlaneStreams[M], signal: AbortSignal, send: (event: unknown) => void) => Promise<void> };

/**
 * berth's data plane: the process runtime (replicas, their output pipes and log files, service forwarders and
 * published ports) and the edge proxy, in a process of their own that outlives the daemon, served over a unix
 * socket (see plane-protocol.ts). It keeps running, and the proxy keeps serving its last configuration, while no
 * client is connected. It does not supervise anything: restarts, health and ordering stay in the daemon.
 */
export class Plane {
  private readonly paths: PlanePaths;
  private readonly runtime: ProcessRuntime;
  private proxy: Promise<EdgeProxy> | undefined;
  private rpc: RpcServer | undefined;
  private readonly startedAt = Date.now();
  private closing: Promise<void> | undefined;
  private ownsFiles = false;

  constructor(private readonly options: PlaneOptions) {
    this.paths = new PlanePaths(options.stateDir);
    this.runtime = new ProcessRuntime({ stateDir: options.stateDir, log: options.log.child({ component: 'runtime' }) });
  }

  /** Listens on the socket (failing with DAEMON_START when another plane answers there), then writes plane.json. */
  async start(): Promise<void> {
    const rpc = new RpcServer({ socket: this.paths.socket, log: this.options.log.child({ component: 'rpc' }), methods: this.methods() });
    await rpc.start();
    this.rpc = rpc;
    this.ownsFiles = true;
    const info: PlaneInfo = { pid: process.pid, startedAt: this.startedAt, socket: this.paths.socket };
    writeFileSync(this.paths.infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
    this.options.log.info('data plane started', { pid: process.pid, socket: this.paths.socket });
  }

  /** Closes the proxy, the runtime (replicas keep running) and the socket, and removes plane.json. Idempotent. */
  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      const proxy = this.proxy;
      this.proxy = undefined;
      await proxy?.then((p) => p.close(), () => undefined);
      await this.runtime.close();
      if (this.ownsFiles) rmSync(this.paths.infoFile, { force: true });
      await this.rpc?.close();
      this.options.log.info('data plane stopped');
    })();
    return this.closing;
  }

  private methods(): { calls: Record<string, CallHandler>; streams: Record<string, StreamHandler> } {
    const runtime = this.runtime;
    const calls: Calls = {
      'ping': async (): Promise<PingResult> => ({ pid: process.pid, startedAt: this.startedAt }),
      'shutdown': async () => {
        // After the answer is written: the connection closes once the plane has shut down.
        setImmediate(() => void this.shutdown().then(this.options.onShutdown));
        return null;
      },
      'runtime.list': (p) => runtime.list(p.stack),
      'runtime.create': (p) => runtime.create(p.spec),
      'runtime.start': (p, signal) => runtime.start(p.id, signal),
      'runtime.stop': (p) => runtime.stop(p.id, p.how),
      'runtime.remove': (p) => runtime.remove(p.id),
      'runtime.exec': (p, signal) => runtime.exec(p.id, p.command, { timeoutMs: p.timeoutMs, signal, ...(p.env ? { env: p.env } : {}) }),
      'runtime.checkStack': async (p) => runtime.checkStack(p.stack),
      'runtime.useStack': async (p) => runtime.useStack(p.stack),
      'runtime.stopOrphans': (p) => runtime.stopOrphans(p.stack),
      'runtime.serviceAddress': async (p) => runtime.serviceAddress(p.stack, p.service),
      'runtime.publishedPorts': async (p) => runtime.publishedPorts(p.stack, p.service),
      'proxy.start': async (p) => endpointsOf(await this.startProxy(p.options)),
      'proxy.attach': async () => (this.proxy ? endpointsOf(await this.proxy) : null),
      'proxy.applyStack': async (p): Promise<ApplyStackResult> => {
        const proxy = await this.runningProxy();
        const warnings = await proxy.applyStack(p.stack);
        return { warnings, endpoints: endpointsOf(proxy) };
      },
      'proxy.updateReplicas': async (p) => {
        const proxy = await this.runningProxy();
        proxy.updateReplicas(p.replicas);
        return endpointsOf(proxy);
      },
      'proxy.inFlight': async (p) => (this.proxy ? (await this.proxy).inFlight(p.upstreams) : 0),
      'proxy.close': async () => {
        const proxy = this.proxy;
        this.proxy = undefined;
        await (await proxy)?.close();
        return null;
      },
    };
    const streams: Streams = {
      'runtime.events': async (_p, signal, send) => {
        for await (const event of runtime.events(signal)) send(event);
      },
      'runtime.logs': async (p, signal, send) => {
        for await (const line of runtime.logs(p.id, { ...p.options, signal })) send(line);
      },
      'proxy.records': async (_p, signal, send) => {
        const proxy = await this.runningProxy();
        const unsubscribe = proxy.onRecord(send);
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        unsubscribe();
      },
    };
    // The wire carries unknown params; the client (remote-runtime, remote-edge-proxy) sends them typed.
    return { calls: calls as unknown as Record<string, CallHandler>, streams: streams as unknown as Record<string, StreamHandler> };
  }

  /** Starts the edge proxy once; a proxy already running (started for an earlier daemon) is kept as it is. */
  private startProxy(options: PlaneCalls['proxy.start']['options']): Promise<EdgeProxy> {
    if (this.proxy) {
      this.options.log.info('edge proxy already running: kept');
      return this.proxy;
    }
    const starting = (async () => {
      const proxy = new EdgeProxy({ ...options, log: this.options.log.child({ component: 'proxy' }) });
      await proxy.start();
      return proxy;
    })();
    this.proxy = starting;
    // A proxy that failed to start is forgotten, so that the next call may try again.
    starting.catch(() => {
      if (this.proxy === starting) this.proxy = undefined;
    });
    return starting;
  }

  private async runningProxy(): Promise<EdgeProxy> {
    if (!this.proxy) throw new BerthError('PROXY_LISTEN', 'the edge proxy of the data plane is not running', { hint: 'start it first (a bug in berth)' });
    return this.proxy;
  }
}

function endpointsOf(proxy: EdgeProxy): ProxyEndpoints {
  return { httpPort: proxy.httpPort, httpsPort: proxy.httpsPort, adminPort: proxy.adminPort, workerPids: proxy.workerPids };
}
