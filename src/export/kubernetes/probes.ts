import type { BerthHealthCheck } from '../../model/berth-options.js';
import type { HealthcheckTest, Service } from '../../model/stack.js';
import { mainPort } from './ports.js';

/** The probes of a container; each absent when the service has no check (or the check cannot be expressed). */
export interface Probes {
  readonly readinessProbe?: Record<string, unknown>;
  readonly livenessProbe?: Record<string, unknown>;
  readonly startupProbe?: Record<string, unknown>;
}

/** Liveness restarts the pod, readiness only takes it out of the Service: liveness tolerates this many times more failures. */
export const LIVENESS_FACTOR = 2;

interface Timings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

/**
 * Probes from the service's check: `x-berth.health` (http → httpGet, tcp → tcpSocket) when set, since berth uses
 * it instead of the compose healthcheck; else the compose `healthcheck` as an exec probe (CMD-SHELL → sh -c).
 * Readiness fails after `retries` misses, liveness after `retries × LIVENESS_FACTOR`, so a slow moment drops the
 * pod from the Service before it gets restarted. `start_period` becomes a startupProbe polled every interval
 * (failureThreshold = ceil(start_period / interval)); the other probes wait for it. Returns `undefined` handler
 * reasons through `problem` (e.g. a tcp check without any port to aim at).
 */
export function probesFor(service: Service): { probes: Probes; problem?: string } {
  const health = service.berth.health;
  if (health !== undefined) {
    const handler = berthHandler(service, health.check);
    if (handler === undefined) return { probes: {}, problem: `x-berth.health has no port to probe: set \`port:\`` };
    return { probes: build(handler, health) };
  }
  if (service.healthcheck === undefined) return { probes: {} };
  return { probes: build({ exec: { command: execCommand(service.healthcheck.test) } }, service.healthcheck) };
}

function execCommand(test: HealthcheckTest): string[] {
  return test.kind === 'shell' ? ['sh', '-c', test.command] : [...test.argv];
}

function berthHandler(service: Service, check: BerthHealthCheck): Record<string, unknown> | undefined {
  const port = check.port ?? mainPort(service);
  if (port === undefined) return undefined;
  return check.kind === 'http' ? { httpGet: { path: check.path, port } } : { tcpSocket: { port } };
}

function build(handler: Record<string, unknown>, timings: Timings): Probes {
  const periodSeconds = seconds(timings.intervalMs);
  const common = { ...handler, periodSeconds, timeoutSeconds: seconds(timings.timeoutMs) };
  const retries = Math.max(1, timings.retries);
  return {
    readinessProbe: { ...common, failureThreshold: retries },
    livenessProbe: { ...common, failureThreshold: retries * LIVENESS_FACTOR },
    ...(timings.startPeriodMs > 0
      ? { startupProbe: { ...common, failureThreshold: Math.max(1, Math.ceil(timings.startPeriodMs / timings.intervalMs)) } }
      : {}),
  };
}

/** Whole seconds, at least 1 (the API minimum). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
