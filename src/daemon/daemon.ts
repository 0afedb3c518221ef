import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { DaemonInfo } from '../api/protocol.js';
import { ApiServer } from '../api/server.js';
import { BerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { ProcessRuntime } from '../runtime/process/process-runtime.js';
import type { StateDir } from '../state/state-dir.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { daemonRoutes } from './routes.js';
import path from 'node:path';
import type { UpRequest } from '../api/protocol.js';
import type { Stack } from '../model/stack.js';
import { EdgeProxy, type ProxyWarning } from '../proxy/edge-proxy.js';
import { resolveProxyPorts, resolveProxyWorkers } from '../proxy/routing/proxy-ports.js';
import { Deployer } from '../deploy/deployer.js';
import { ReleaseStore } from '../deploy/release-store.js';
import { DaemonDeployTarget } from './daemon-deploy-target.js';
import { proxyReplicas } from './proxy-replicas.js';

/**
 * The composition root of the background daemon that `berth up -d` starts: one per project. It builds the runtime,
 * the supervisor and the API server, and owns start, stop and signals. No logic of its own.
 * On start it first stops replicas a dead predecessor left running (the documented decision: a new daemon starts
 * the stack afresh in dependency order rather than adopting processes whose output pipes are gone).
 */
export class Daemon {
  private runtime: ProcessRuntime | undefined;
  private supervisor: Supervisor | undefined;
  private api: ApiServer | undefined;
  private closing: Promise<void> | undefined;
  private proxy: EdgeProxy | undefined;
  private proxyUpdate: NodeJS.Immediate | undefined;
  private deployTarget: DaemonDeployTarget | undefined;
  /** Set once this daemon holds the socket: only then are the socket and daemon.json its own to remove. */
  private ownsFiles = false;

  constructor(private readonly options: { stateDir: StateDir; projectDir: string; log: Logger; version: string; onExit: () => void }) {}

  async start(): Promise<void> {
    const { stateDir, log } = this.options;
    stateDir.ensure();
    const runtime = new ProcessRuntime({ stateDir: stateDir.root, log: log.child({ component: 'runtime' }) });
    this.runtime = runtime;
    const supervisor = new Supervisor({ runtime, log: log.child({ component: 'supervisor' }), onEvent: () => this.scheduleProxyUpdate() });
    this.supervisor = supervisor;
    const releases = ReleaseStore.forStateDir(stateDir);
    const interrupted = releases.interruptDeploying('the daemon stopped during the deploy');
    if (interrupted.length > 0) log.warn('deploys interrupted by the previous daemon', { releases: interrupted.map((r) => r.id) });
    const deployTarget = new DaemonDeployTarget(supervisor, () => this.proxy, () => this.updateProxyNow());
    this.deployTarget = deployTarget;
    const deployer = new Deployer({ target: deployTarget, releases });
    const info: DaemonInfo = { pid: process.pid, project: '', projectDir: this.options.projectDir, startedAt: Date.now(), version: this.options.version };
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    this.api = new ApiServer({
      socket: stateDir.socket,
      log: log.child({ component: 'api' }),
      ready,
      routes: daemonRoutes({
        supervisor, runtime, stateDir, info, releases, deployer,
        useStack: (stack) => {
          runtime.checkStack(stack);
          runtime.useStack(stack);
        },
        applyProxy: (stack, request) => this.applyProxy(stack, request),
        proxyInfo: () => (this.proxy ? {
          http: this.proxy.httpPort, ...(this.proxy.httpsPort > 0 ? { https: this.proxy.httpsPort } : {}), admin: this.proxy.adminPort,
          ...(this.proxy.workerPids.length > 0 ? { workers: this.proxy.workerPids.length } : {}),
        } : undefined),
        requestExit: () => void this.close().then(this.options.onExit),
      }),
    });
    // The socket first: it is the lock that keeps a second daemon (two `up`s at once) from stopping the replicas
    // of a live one as if they were orphans. Requests wait until the predecessor's leftovers are stopped.
    await this.api.start();
    this.ownsFiles = true;
    const orphans = await runtime.stopOrphans();
    if (orphans > 0) log.warn('stopped replicas left by a previous daemon', { count: orphans });
    writeFileSync(stateDir.daemonFile, JSON.stringify({ ...info, socket: stateDir.socket }, null, 2), { mode: 0o600 });
    markReady();
    log.info('daemon started', { pid: process.pid, socket: stateDir.socket });
  }

  /** Stops the stack (graceful, reverse dependency order), then the API. Safe to call twice or after a failed start. */
  async shutdown(): Promise<void> {
    try {
      await this.supervisor?.down({});
    } catch (error) {
      this.options.log.error('stopping the stack failed', { error: String(error) });
    }
    await this.close();
  }

  /** Starts the edge proxy with the first stack that has routes, then swaps in each new stack's routes. */
  private async applyProxy(stack: Stack, request: UpRequest): Promise<readonly ProxyWarning[]> {
    if (!this.proxy) {
      if (!EdgeProxy.wanted(stack)) return [];
      const environment = request.project.environment;
      const ports = resolveProxyPorts({ flags: request.proxyPorts ?? {}, environment, file: stack.berth.proxy });
      const workers = resolveProxyWorkers({ environment, file: stack.berth.proxy, cpus: os.availableParallelism() });
      const proxy = new EdgeProxy({
        workers,
        httpPort: ports.http, httpsPort: ports.https, adminPort: 0, accessLogFile: path.join(this.options.stateDir.root, 'access.log'),
        tlsStateDir: path.join(this.options.stateDir.root, 'tls'),
        log: this.options.log.child({ component: 'proxy' }),
      });
      await proxy.start();
      this.proxy = proxy;
    }
    let warnings: readonly ProxyWarning[];
    try {
      warnings = await this.proxy.applyStack(stack);
    } catch (error) {
      // The request that asked gets the error too; the log keeps it for later.
      this.options.log.warn('edge proxy configuration refused: the previous one keeps serving', { error: describeError(error) });
      throw error;
    }
    for (const warning of warnings) {
      const fields = { path: warning.path, message: warning.message };
      if (warning.topic === 'tls') this.options.log.warn('TLS certificate problem', fields);
      else this.options.log.warn('route ignored', fields);
    }
    this.scheduleProxyUpdate();
    return warnings;
  }

  /** Replica changes arrive in bursts; the pools are refreshed once per turn of the event loop. */
  private scheduleProxyUpdate(): void {
    if (!this.proxy || this.proxyUpdate) return;
    this.proxyUpdate = setImmediate(() => this.updateProxyNow());
  }

  /** Gives the proxy's pools the replicas that should take traffic now (a deploy's switch calls this directly). */
  private updateProxyNow(): void {
    if (this.proxyUpdate) clearImmediate(this.proxyUpdate);
    this.proxyUpdate = undefined;
    if (!this.proxy) return;
    this.proxy.updateReplicas(proxyReplicas(this.supervisor?.status() ?? [], this.deployTarget?.traffic ?? new Map()));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.proxy?.close();
      await this.api?.close();
      await this.supervisor?.close();
      await this.runtime?.close();
      if (this.ownsFiles) rmSync(this.options.stateDir.daemonFile, { force: true });
      this.options.log.info('daemon stopped');
    })();
    return this.closing;
  }
}

/** An error for the log: a BerthError as the CLI prints it (code, path, message, hint), anything else as its text. */
function describeError(error: unknown): string {
  if (error instanceof BerthError) return [error.format(), ...error.issues.map((issue) => issue.format())].join('\n');
  return error instanceof Error ? error.message : String(error);
}
