import type { Stack } from '../model/stack.js';
import type { Plan } from '../plan/plan.js';
import type { ObservedState } from '../plan/observed.js';
import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import type { ReplicaView, UpResult } from '../supervisor/supervisor.js';
import type { Traffic } from './traffic.js';

/**
 * What a deploy acts on: the supervisor (replicas) and the edge proxy (traffic, request records, in-flight
 * counts). The daemon implements it; the deploy code knows nothing else of either.
 */
export interface DeployTarget {
  /** Every replica now (all services). */
  replicas(): readonly ReplicaView[];
  observed(): ObservedState;
  /** Runs a plan as one supervisor operation; step failures come back in the result, not as exceptions. */
  apply(stack: Stack, plan: Plan, signal: AbortSignal): Promise<UpResult>;
  /** Waits until the replicas are ready (healthy / settled / completed) or one fails or the deadline passes. */
  waitReady(service: string, replicas: readonly number[], timeoutMs: number, signal: AbortSignal): Promise<UpResult>;
  /** Pins a routed service's traffic to these replicas (undefined: every ready replica again). Applied at once. */
  setTraffic(service: string, traffic: Traffic | undefined): void;
  /** Requests and tunnels in flight to these `host:port` upstreams, over every proxy process. */
  inFlight(upstreams: readonly string[]): Promise<number>;
  /** Every request the proxy finishes from now on, until the returned function is called. */
  onRecord(listener: (record: RequestRecord) => void): () => void;
}
