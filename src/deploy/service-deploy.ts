import { BerthError } from '../errors.js';
import type { Service, Stack } from '../model/stack.js';
import { planAddReplicas, planRetire } from '../plan/deploy-plans.js';
import { freeNumbers } from '../plan/reconcile.js';
import type { ReplicaView, UpResult } from '../supervisor/supervisor.js';
import type { DeployEventSink, DeployPhase } from './deploy-events.js';
import type { DeployTarget } from './deploy-target.js';
import type { DeployPolicy } from './strategy.js';
import type { Traffic } from './traffic.js';

/** One service's part of a release: what every strategy works with. */
export interface ServiceDeploy {
  readonly stack: Stack;
  /** The service's new definition. */
  readonly service: Service;
  readonly policy: DeployPolicy;
  readonly release: string;
  readonly target: DeployTarget;
  readonly emit: DeployEventSink;
  readonly signal: AbortSignal;
  /** The service is routed by the edge proxy (traffic can be switched and watched). */
  readonly routed: boolean;
}

/**
 * How a service's deploy ended. Failed: `served` says whether the new release took traffic before it was stopped,
 * `oldServing` whether the old release serves (it never stopped, or serves again after a rollback).
 */
export type ServiceOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly served: boolean; readonly oldServing: boolean };

/** A phase of the deploy with begin/done/failed events and its duration; a thrown error marks it failed. */
export async function phase<T>(d: ServiceDeploy, name: DeployPhase, detail: string | undefined, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  d.emit({ type: 'deploy', at: started, release: d.release, service: d.service.name, phase: name, state: 'begin', ...(detail === undefined ? {} : { detail }) });
  try {
    const out = await work();
    d.emit({ type: 'deploy', at: Date.now(), release: d.release, service: d.service.name, phase: name, state: 'done', ms: Date.now() - started });
    return out;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    d.emit({ type: 'deploy', at: Date.now(), release: d.release, service: d.service.name, phase: name, state: 'failed', detail: reason, ms: Date.now() - started });
    throw error;
  }
}

/** Replicas of the service that serve or may serve again (not the ones that are gone for good). */
export function liveReplicas(d: Pick<ServiceDeploy, 'target' | 'service'>): ReplicaView[] {
  return d.target.replicas().filter((r) => r.service === d.service.name && ['running', 'restarting', 'starting', 'waiting'].includes(r.status));
}

/** Every replica of the service, whatever its state. */
export function replicasOf(d: Pick<ServiceDeploy, 'target' | 'service'>, numbers?: readonly number[]): ReplicaView[] {
  const wanted = numbers === undefined ? undefined : new Set(numbers);
  return d.target.replicas().filter((r) => r.service === d.service.name && (wanted === undefined || wanted.has(r.replica)));
}

/** A deploy step that failed; its message is what the user reads. */
export class StepFailed extends Error {}

/** The reason of a failed supervisor result, with the last log line of the replica at fault. */
export function failureText(result: UpResult): string {
  if (result.ok) return '';
  return result.failures.map((f) => {
    const last = f.logTail.filter((line) => line.trim() !== '').slice(-3).join(' | ');
    return last === '' ? f.reason : `${f.reason} (log: ${last})`;
  }).join('; ');
}

/** Creates and starts `count` replicas of the new release beside the others and waits until they are ready. */
export async function startNew(d: ServiceDeploy, count: number): Promise<number[]> {
  const used = new Set(d.target.replicas().filter((r) => r.service === d.service.name).map((r) => r.replica));
  const numbers = freeNumbers(used, count);
  const started = await phase(d, 'start', `${count} ${count === 1 ? 'replica' : 'replicas'} of ${d.release}`, async () =>
    d.target.apply(d.stack, planAddReplicas(d.stack, d.service, numbers, d.release), d.signal));
  if (!started.ok) {
    await retire(d, numbers, 'release failed to start');
    throw new StepFailed(`new replicas did not start: ${failureText(started)}`);
  }
  const ready = await phase(d, 'health', undefined, () => d.target.waitReady(d.service.name, numbers, d.policy.healthTimeoutMs, d.signal));
  if (!ready.ok) {
    await retire(d, numbers, 'release failed its health check');
    throw new StepFailed(`new replicas never became healthy: ${failureText(ready)}`);
  }
  if (d.routed && d.policy.warmup.length > 0) {
    try {
      await phase(d, 'warmup', d.policy.warmup.join(', '), () => warmUp(d, numbers));
    } catch (error) {
      await retire(d, numbers, 'release failed its warm-up');
      throw new StepFailed(`warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return numbers;
}

/** GETs each warm-up path on each new replica's routed port; anything but 2xx/3xx fails. */
async function warmUp(d: ServiceDeploy, numbers: readonly number[]): Promise<void> {
  const port = routedPort(d.service);
  for (const replica of replicasOf(d, numbers)) {
    const endpoint = port === undefined ? undefined : replica.endpoints[port];
    if (endpoint === undefined) continue;
    for (const path of d.policy.warmup) {
      const url = `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}${path}`;
      const response = await fetch(url, { signal: AbortSignal.any([d.signal, AbortSignal.timeout(10_000)]) });
      await response.arrayBuffer();
      if (response.status >= 400) throw new Error(`GET ${path} on ${d.service.name}-${replica.replica} answered ${response.status}`);
    }
  }
}

/** The container port the service's first route sends to (its first declared port otherwise). */
export function routedPort(service: Service): number | undefined {
  return service.berth.routes.find((r) => r.port !== undefined)?.port ?? service.ports[0]?.target ?? (service.expose[0] === undefined ? undefined : Number.parseInt(service.expose[0], 10));
}

/** `host:port` of every endpoint of these replicas: how the proxy's records name them. */
export function upstreamsOf(replicas: readonly ReplicaView[]): string[] {
  return replicas.flatMap((r) => Object.values(r.endpoints).map((e) => `${e.host}:${e.port}`));
}

/** Moves traffic (routed services only). */
export function route(d: ServiceDeploy, traffic: Traffic | undefined): void {
  if (d.routed) d.target.setTraffic(d.service.name, traffic);
}

/**
 * Waits until nothing is in flight to these replicas (requests and WebSockets), at most the drain timeout; what is
 * still open then is cut by the stop.
 */
export async function drain(d: ServiceDeploy, numbers: readonly number[]): Promise<void> {
  if (!d.routed || numbers.length === 0) return;
  const upstreams = upstreamsOf(replicasOf(d, numbers));
  const deadline = Date.now() + d.policy.drainTimeoutMs;
  for (;;) {
    const open = await d.target.inFlight(upstreams);
    if (open === 0) return;
    if (Date.now() >= deadline) {
      d.emit({ type: 'deploy', at: Date.now(), release: d.release, service: d.service.name, phase: 'drain', state: 'info', detail: `${open} still open after the drain timeout: cut` });
      return;
    }
    await sleep(100, d.signal);
  }
}

/** Stops (stop signal, grace period) and removes these replicas. */
export async function retire(d: ServiceDeploy, numbers: readonly number[], cause: string): Promise<void> {
  const wanted = new Set(numbers);
  const replicas = d.target.observed().replicas.filter((r) => r.service === d.service.name && wanted.has(r.replica));
  if (replicas.length === 0) return;
  // Not cancellable: half-retired replicas would outlive the deploy.
  const result = await d.target.apply(d.stack, planRetire(replicas, cause), new AbortController().signal);
  if (!result.ok) throw new BerthError('DEPLOY_FAILED', `could not stop ${d.service.name} replicas ${numbers.join(', ')}: ${failureText(result)}`);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
