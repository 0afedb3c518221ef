import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DaemonInfo, UpRequest } from '../api/protocol.js';
import { ApiServer } from '../api/server.js';
import { Deployer } from '../deploy/deployer.js';
import { recoverInterrupted } from '../deploy/recover.js';
import { ReleaseStore } from '../deploy/release-store.js';
import { BerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Stack } from '../model/stack.js';
import { connectPlane, startPlane } from '../plane/launch-plane.js';
import type { PlaneClient } from '../plane/plane-client.js';
import type { RemoteEdgeProxy } from '../plane/remote-edge-proxy.js';
import { EdgeProxy, type ProxyWarning } from '../proxy/edge-proxy.js';
import { resolveProxyPorts, resolveProxyWorkers } from '../proxy/routing/proxy-ports.js';
import type { StateDir } from '../state/state-dir.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { DaemonDeployTarget } from './daemon-deploy-target.js';
import { proxyReplicas } from './proxy-replicas.js';
import { daemonRoutes } from './routes.js';

/**
 * The composition root of the background daemon that `berth up -d` starts: one per project — the control plane
 * (supervisor, deploys, API). The replicas, their logs, the service forwarders and the edge proxy live in the
 * project's data plane process (src/plane), which outlives the daemon: a daemon that dies (even SIGKILLed) leaves
 * the stack serving, and the next one connects to the data plane and supervises the same replicas again; a deploy
 * it left half-way ends on one release. Only when the data plane itself is gone does a new daemon stop what it
 * left (replicas whose output pipes are gone) and start afresh.
 */
export class Daemon {
  private plane: PlaneClient | undefined;
  private supervisor: Supervisor | undefined;
  private api: ApiServer | undefined;
  private closing: Promise<void> | undefined;
  private proxy: RemoteEdgeProxy | undefined;
  private proxyUpdate: NodeJS.Immediate | undefined;
  private deployTarget: DaemonDeployTarget | undefined;
  /** The replicas of a data plane that outlived the previous daemon, still to be taken over (on the first request). */
  private adoptPending = false;
  private adopting: Promise<void> | undefined;
  /** Set while `down` ends the data plane on purpose. */
  private planeStopping = false;
  /** Set once this daemon holds the socket: only then are the socket and daemon.json its own to remove. */
  private ownsFiles = false;

  constructor(private readonly options: { stateDir: StateDir; projectDir: string; log: Logger; version: string; onExit: () => void }) {}

  async start(): Promise<void> {
    const { stateDir, log } = this.options;
    stateDir.ensure();
    const existing = await connectPlane(stateDir);
    const plane = existing ?? (await startPlane(stateDir, log.child({ component: 'plane' })));
    this.plane = plane;
    this.adoptPending = existing !== undefined;
    // Without its data plane the daemon can do nothing: it exits, and the next `berth up` starts both afresh.
    plane.onClose(() => {
      if (this.closing !== undefined || this.planeStopping) return;
      log.error('the data plane stopped: the daemon exits too; `berth up` starts both again', { log: path.join(stateDir.root, 'plane.log') });
      void this.close().then(this.options.onExit);
    });
    const runtime = plane.runtime;
    const supervisor = new Supervisor({ runtime, log: log.child({ component: 'supervisor' }), onEvent: () => this.scheduleProxyUpdate() });
    this.supervisor = supervisor;
    const releases = ReleaseStore.forStateDir(stateDir);
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
        useStack: async (stack) => {
          await runtime.checkStack(stack);
          await this.takeOver(stack, releases);
          await runtime.useStack(stack);
        },
        applyProxy: (stack, request) => this.applyProxy(stack, request),
        proxyInfo: () => (this.proxy && this.proxy.httpPort > 0 ? {
          http: this.proxy.httpPort, ...(this.proxy.httpsPort > 0 ? { https: this.proxy.httpsPort } : {}), admin: this.proxy.adminPort,
          ...(this.proxy.workerPids.length > 0 ? { workers: this.proxy.workerPids.length } : {}),
        } : undefined),
        stopDataPlane: () => this.stopDataPlane(),
        requestExit: () => void this.close().then(this.options.onExit),
      }),
    });
    // The socket first: it is the lock that keeps a second daemon (two `up`s at once) from stopping the replicas
    // of a live one as if they were orphans. Requests wait until the predecessor's leftovers are stopped.
    await this.api.start();
    this.ownsFiles = true;
    if (!this.adoptPending) {
      // A fresh data plane: what an earlier one left runs without its output pipes; stop it and start afresh.
      const orphans = await runtime.stopOrphans();
      if (orphans > 0) log.warn('stopped replicas left by a previous data plane', { count: orphans });
      const interrupted = releases.interruptDeploying('berth stopped during the deploy');
      if (interrupted.length > 0) log.warn('deploys interrupted', { releases: interrupted.map((r) => r.id) });
    }
    writeFileSync(stateDir.daemonFile, JSON.stringify({ ...info, socket: stateDir.socket }, null, 2), { mode: 0o600 });
    markReady();
    log.info('daemon started', { pid: process.pid, socket: stateDir.socket, dataPlane: existing ? 'connected to the running one' : 'started' });
  }

  /** Stops the stack (graceful, reverse dependency order), the data plane, then the API. Safe to call twice. */
  async shutdown(): Promise<void> {
    try {
      await this.supervisor?.down({});
    } catch (error) {
      this.options.log.error('stopping the stack failed', { error: String(error) });
    }
    await this.stopDataPlane();
    await this.close();
  }

  /**
   * With a data plane that outlived the previous daemon: supervises its replicas of `stack` again (no restart), ends
   * deploys left half-way on one release, and attaches to its edge proxy, which kept serving meanwhile. Once.
   */
  private takeOver(stack: Stack, releases: ReleaseStore): Promise<void> {
    if (!this.adoptPending) return Promise.resolve();
    this.adopting ??= (async () => {
      const log = this.options.log;
      const adopted = await this.supervisor?.adopt(stack.name) ?? [];
      log.info('took over the replicas of the running data plane', { replicas: adopted });
      if (!this.proxy && this.plane) {
        const endpoints = await this.plane.proxy.attach();
        if (endpoints !== undefined) this.proxy = this.plane.proxy;
      }
      // From here the proxy follows this daemon's view (the adopted replicas), first of all the traffic moves below.
      this.adoptPending = false;
      if (this.deployTarget) {
        for (const r of await recoverInterrupted(stack, this.deployTarget, releases)) {
          log.warn('deploy interrupted by the previous daemon', { release: r.release, service: r.service, kept: r.kept });
        }
      }
      this.updateProxyNow();
    })();
    return this.adopting;
  }

  /** Starts the edge proxy with the first stack that has routes, then swaps in each new stack's routes. */
  private async applyProxy(stack: Stack, request: UpRequest): Promise<readonly ProxyWarning[]> {
    if (!this.proxy) {
      if (!EdgeProxy.wanted(stack) || !this.plane) return [];
      const environment = request.project.environment;
      const ports = resolveProxyPorts({ flags: request.proxyPorts ?? {}, environment, file: stack.berth.proxy });
      const workers = resolveProxyWorkers({ environment, file: stack.berth.proxy, cpus: os.availableParallelism() });
      await this.plane.proxy.start({
        workers,
        httpPort: ports.http, httpsPort: ports.https, adminPort: 0, accessLogFile: path.join(this.options.stateDir.root, 'access.log'),
        tlsStateDir: path.join(this.options.stateDir.root, 'tls'),
      });
      this.proxy = this.plane.proxy;
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
    if (!this.proxy || this.proxyUpdate || this.adoptPending) return;
    this.proxyUpdate = setImmediate(() => this.updateProxyNow());
  }

  /**
   * Gives the proxy's pools the replicas that should take traffic now (a deploy's switch calls this directly; the
   * data plane applies updates in the order they are sent). Not before a taken-over plane's replicas are adopted:
   * until then the proxy keeps the pools the previous daemon left.
   */
  private updateProxyNow(): void {
    if (this.proxyUpdate) clearImmediate(this.proxyUpdate);
    this.proxyUpdate = undefined;
    if (!this.proxy || this.adoptPending) return;
    const replicas = proxyReplicas(this.supervisor?.status() ?? [], this.deployTarget?.traffic ?? new Map());
    this.proxy.updateReplicas(replicas).catch((error: unknown) => this.options.log.error('edge proxy update failed', { error: describeError(error) }));
  }

  /** `berth down`: the replicas are stopped already; closes the edge proxy and ends the data plane process. */
  private async stopDataPlane(): Promise<void> {
    const plane = this.plane;
    if (!plane?.connected) return;
    this.planeStopping = true;
    try {
      await plane.runtime.stopOrphans();
      await plane.shutdown();
    } catch (error) {
      this.options.log.error('stopping the data plane failed', { error: describeError(error) });
    }
    this.proxy = undefined;
  }

  /** Stops this daemon only: the data plane (replicas, proxy) keeps running unless `stopDataPlane` ran first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.proxy?.detach();
      await this.api?.close();
      await this.supervisor?.close();
      await this.plane?.close();
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
