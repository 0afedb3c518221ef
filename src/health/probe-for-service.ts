import type { BerthHealthCheck } from '../model/berth-options.js';
import type { Service } from '../model/stack.js';
import type { Endpoint, Instance, Runtime } from '../runtime/runtime.js';
import { execProbe } from './exec-probe.js';
import { assertNever } from './health-state.js';
import { httpProbe } from './http-probe.js';
import { failed, type HealthTiming, type Probe } from './probe.js';
import { tcpProbe } from './tcp-probe.js';

/** The probe for one replica and how often to run it. */
export interface ServiceProbe {
  readonly probe: Probe;
  readonly timing: HealthTiming;
  /** Where it came from: `x-berth` health (checked from the host) or the compose `healthcheck` (run in the replica). */
  readonly source: 'x-berth' | 'healthcheck';
  /** For logs and `berth ps`: `GET http://127.0.0.1:41234/health`, `tcp 127.0.0.1:5432`, `CMD-SHELL pg_isready`. */
  readonly description: string;
}

/**
 * Picks the health probe of one replica: the service's `x-berth.health` (http or tcp on the replica's endpoint
 * for the container port, by default the service's main port) if given, else its compose `healthcheck` (run
 * through `runtime.exec`), else none (undefined: the replica has no health to wait for).
 * Timings come with the check they belong to, defaults already filled in by the loader.
 * When the replica has no endpoint for the port, the probe fails every time with a reason that says so.
 */
export function probeForService(service: Service, instance: Instance, runtime: Pick<Runtime, 'exec'>): ServiceProbe | undefined {
  const berth = service.berth.health;
  if (berth !== undefined) return { ...berthProbe(berth.check, service, instance), timing: timingOf(berth), source: 'x-berth' };
  const healthcheck = service.healthcheck;
  if (healthcheck === undefined) return undefined;
  const { test } = healthcheck;
  return {
    probe: execProbe({ runtime, instance: instance.id, test, timeoutMs: healthcheck.timeoutMs }),
    timing: timingOf(healthcheck),
    source: 'healthcheck',
    description: test.kind === 'exec' ? `CMD ${test.argv.join(' ')}` : `CMD-SHELL ${test.command}`,
  };
}

function berthProbe(check: BerthHealthCheck, service: Service, instance: Instance): { probe: Probe; description: string } {
  const port = check.port ?? mainPort(service, instance);
  const endpoint = port === undefined ? undefined : instance.endpoints[port];
  if (endpoint === undefined) {
    const known = Object.keys(instance.endpoints).join(', ') || 'none';
    const reason = port === undefined ? 'the service has no port to check: give `port` in its x-berth health' : `the replica has no address for container port ${port} (it has: ${known})`;
    return { probe: { check: () => Promise.resolve(failed(0, reason)) }, description: reason };
  }
  switch (check.kind) {
    case 'http':
      return {
        probe: httpProbe({ endpoint, path: check.path, ...(check.status === undefined ? {} : { status: check.status }) }),
        description: `GET http://${hostPort(endpoint)}${check.path}`,
      };
    case 'tcp':
      return { probe: tcpProbe(endpoint), description: `tcp ${hostPort(endpoint)}` };
    default:
      return assertNever(check);
  }
}

/** The service's first `ports` target, else its first `expose`, else the replica's lowest container port. */
export function mainPort(service: Service, instance: Instance): number | undefined {
  const declared = service.ports[0]?.target ?? (service.expose[0] === undefined ? undefined : parseInt(service.expose[0], 10));
  if (declared !== undefined && !Number.isNaN(declared)) return declared;
  const known = Object.keys(instance.endpoints).map(Number).sort((a, b) => a - b);
  return known[0];
}

function hostPort(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

function timingOf(timing: HealthTiming): HealthTiming {
  const { intervalMs, timeoutMs, retries, startPeriodMs, startIntervalMs } = timing;
  return { intervalMs, timeoutMs, retries, startPeriodMs, startIntervalMs };
}
