import { rmSync } from 'node:fs';
import type { DaemonInfo, DeployApiRequest, DownRequest, ExecRequest, RollbackApiRequest, ServicesRequest, UpRequest } from '../api/protocol.js';
import type { Route } from '../api/server.js';
import { BerthError, type Warning } from '../errors.js';
import type { InstanceId } from '../model/ids.js';
import type { Stack } from '../model/stack.js';
import type { Runtime } from '../runtime/runtime.js';
import { loadStack } from '../spec/load.js';
import type { StateDir } from '../state/state-dir.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Deployer } from '../deploy/deployer.js';
import { rollbackRequest } from '../deploy/rollback.js';
import type { ReleaseStore } from '../deploy/release-store.js';
import { releasesForUp } from '../deploy/up-release.js';
import { selectServices } from '../plan/selection.js';
import { streamLogs } from './log-stream.js';
import { deserializeProjectOptions } from './project-options-codec.js';

/** The edge proxy as `GET /v1/ps` reports it: its listening ports (`https` only while that listener is up). */
export interface ProxyInfo {
  readonly http: number;
  readonly https?: number;
  /** The loopback admin port (metrics, healthz). */
  readonly admin?: number | undefined;
  /** Worker processes serving connections (absent: the daemon serves them itself). */
  readonly workers?: number;
}

interface RouteDeps {
  readonly supervisor: Supervisor;
  readonly runtime: Runtime;
  readonly stateDir: StateDir;
  readonly info: DaemonInfo;
  readonly releases: ReleaseStore;
  readonly deployer: Deployer;
  readonly requestExit: () => void;
  /** After `down` of the whole stack: closes the edge proxy and ends the data plane process. */
  readonly stopDataPlane: () => Promise<void>;
  /** Checks the stack can run and tells the runtime all of it before replicas are created (addresses, ports). */
  readonly useStack: (stack: Stack) => Promise<void>;
  /** Starts or reconfigures the edge proxy for a stack with routes. */
  readonly applyProxy: (stack: Stack, request: UpRequest) => Promise<readonly Warning[]>;
  /** The edge proxy's ports for `berth ps`: `https` only while the HTTPS listener is up. */
  readonly proxyInfo: () => ProxyInfo | undefined;
}

/** The daemon's API routes (see api/protocol.ts); each one a thin call into the supervisor or the runtime. */
export function daemonRoutes(deps: RouteDeps): Route[] {
  const { supervisor, runtime, stateDir } = deps;
  let stack: Stack | undefined;
  const services = (body: unknown): string[] => [...((body as Partial<ServicesRequest>).services ?? [])];

  return [
    { method: 'GET', path: '/v1/ping', stream: false, handler: async () => ({ ...deps.info, project: stack?.name ?? '' }) },
    {
      method: 'POST', path: '/v1/up', stream: true,
      handler: async ({ body, send }) => {
        const request = body as UpRequest;
        stack = loadStack(deserializeProjectOptions(request.project, request.services)).stack;
        await deps.useStack(stack);
        // Routes berth ignores and hosts without a certificate are the user's to know, in `berth up`'s output too.
        for (const warning of await deps.applyProxy(stack, request)) {
          send({ event: { type: 'warning', at: Date.now(), message: warning.path === undefined ? warning.message : `${warning.path}: ${warning.message}` } });
        }
        const selected = selectServices(stack, request.services.length > 0 ? request.services : undefined);
        const { ids, created } = releasesForUp(stack, selected, deps.releases);
        try {
          const result = await supervisor.up(stack, {
            services: request.services, scale: request.scale, wait: request.wait, releases: ids, onEvent: (event) => send({ event }),
          });
          if (created) deps.releases.setStatus(created.id, result.ok ? 'active' : 'failed', result.ok ? undefined : 'the stack failed to start');
          return result;
        } catch (error) {
          if (created) deps.releases.setStatus(created.id, 'failed', error instanceof Error ? error.message : String(error));
          throw error;
        }
      },
    },
    {
      method: 'POST', path: '/v1/deploy', stream: true,
      // A deploy goes on when the CLI that asked goes away (Ctrl-C): stopping half-way would strand replicas.
      handler: async ({ body, send }) => {
        const request = body as DeployApiRequest;
        const next = loadStack(deserializeProjectOptions(request.project, request.services)).stack;
        await deps.useStack(next);
        await deps.applyProxy(next, { project: request.project, services: request.services, scale: {}, wait: false });
        const result = await deps.deployer.deploy(
          { stack: next, services: request.services, ...(request.strategy ? { strategy: request.strategy } : {}), ...(request.watchMs === undefined ? {} : { watchMs: request.watchMs }) },
          (event) => send({ event }),
          new AbortController().signal,
        );
        if (result.ok) stack = next;
        return result;
      },
    },
    {
      method: 'POST', path: '/v1/rollback', stream: true,
      handler: async ({ body, send }) => {
        const request = body as RollbackApiRequest;
        if (stack === undefined) throw new BerthError('DEPLOY_NO_RELEASE', 'the stack is not running', { hint: 'start it with `berth up -d`' });
        const deploy = rollbackRequest(stack, deps.releases, request.release);
        const result = await deps.deployer.deploy({ ...deploy, ...(request.watchMs === undefined ? {} : { watchMs: request.watchMs }) }, (event) => send({ event }), new AbortController().signal);
        if (result.ok) stack = deploy.stack;
        return result;
      },
    },
    { method: 'GET', path: '/v1/releases', stream: false, handler: async () => ({ releases: deps.releases.list().map(({ services, ...release }) => ({ ...release, services: Object.fromEntries(Object.entries(services).map(([name, { spec: _spec, ...rest }]) => [name, rest])) })) }) },
    {
      method: 'POST', path: '/v1/down', stream: true,
      handler: async ({ body, send }) => {
        const request = body as DownRequest;
        await supervisor.down({ services: request.services, onEvent: (event) => send({ event }) });
        if (request.services.length === 0) {
          await deps.stopDataPlane();
          if (request.removeVolumes) rmSync(stateDir.volumes, { recursive: true, force: true });
          setImmediate(deps.requestExit);
        }
        return { stopped: true };
      },
    },
    { method: 'POST', path: '/v1/stop', stream: true, handler: async ({ body, send }) => supervisor.stop(services(body), { onEvent: (event) => send({ event }) }) },
    { method: 'POST', path: '/v1/start', stream: true, handler: async ({ body, send }) => supervisor.start(services(body), { onEvent: (event) => send({ event }) }) },
    { method: 'POST', path: '/v1/restart', stream: true, handler: async ({ body, send }) => supervisor.restart(services(body), { onEvent: (event) => send({ event }) }) },
    { method: 'GET', path: '/v1/ps', stream: false, handler: async () => ({ project: stack?.name ?? '', replicas: supervisor.status(), proxy: deps.proxyInfo() }) },
    {
      method: 'GET', path: '/v1/logs', stream: true,
      handler: async ({ url, signal, send }) => {
        await streamLogs({ supervisor, runtime, url, signal, send });
        return { done: true };
      },
    },
    {
      method: 'POST', path: '/v1/exec', stream: false,
      handler: async ({ body }) => {
        const request = body as ExecRequest;
        const replica = supervisor.status().find((r) => r.service === request.service && r.replica === request.replica && r.instanceId);
        if (!replica?.instanceId) {
          throw new BerthError('USAGE', `service ${request.service} has no running replica ${request.replica}`, { hint: 'see `berth ps`' });
        }
        return runtime.exec(replica.instanceId as InstanceId, { kind: 'exec', argv: request.argv }, { timeoutMs: request.timeoutMs });
      },
    },
  ];
}
