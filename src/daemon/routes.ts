import { rmSync } from 'node:fs';
import type { DaemonInfo, DownRequest, ExecRequest, ServicesRequest, UpRequest } from '../api/protocol.js';
import type { Route } from '../api/server.js';
import { BerthError, type Warning } from '../errors.js';
import type { InstanceId } from '../model/ids.js';
import type { Stack } from '../model/stack.js';
import type { Runtime } from '../runtime/runtime.js';
import { loadStack } from '../spec/load.js';
import type { StateDir } from '../state/state-dir.js';
import type { Supervisor } from '../supervisor/supervisor.js';
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
  readonly requestExit: () => void;
  /** Checks the stack can run and tells the runtime all of it before replicas are created (addresses, ports). */
  readonly useStack: (stack: Stack) => void;
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
        deps.useStack(stack);
        // Routes berth ignores and hosts without a certificate are the user's to know, in `berth up`'s output too.
        for (const warning of await deps.applyProxy(stack, request)) {
          send({ event: { type: 'warning', at: Date.now(), message: warning.path === undefined ? warning.message : `${warning.path}: ${warning.message}` } });
        }
        const result = await supervisor.up(stack, {
          services: request.services, scale: request.scale, wait: request.wait, onEvent: (event) => send({ event }),
        });
        return result;
      },
    },
    {
      method: 'POST', path: '/v1/down', stream: true,
      handler: async ({ body, send }) => {
        const request = body as DownRequest;
        await supervisor.down({ services: request.services, onEvent: (event) => send({ event }) });
        if (request.services.length === 0) {
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
