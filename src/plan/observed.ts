import type { InstanceId } from '../model/ids.js';
import type { Instance } from '../runtime/runtime.js';

/**
 * One replica as it exists now: the runtime's view (`created`/`running`/`exited`) plus what only the supervisor
 * knows. `running` also covers a replica the supervisor is about to restart after a crash (its policy owns it).
 */
export interface ObservedReplica {
  readonly service: string;
  readonly replica: number;
  readonly id: InstanceId;
  readonly state: 'created' | 'running' | 'exited';
  /** Fingerprint of the service definition it was created from; absent when unknown (left by an earlier berth). */
  readonly fingerprint?: string;
  /** Stopped by `berth stop` (or kept stopped after a berth restart); `unless-stopped` honours this. */
  readonly stoppedByUser: boolean;
}

/** Everything that exists for one stack, in no particular order. Plain data; reconcile() reads nothing else. */
export interface ObservedState {
  readonly replicas: readonly ObservedReplica[];
}

export const EMPTY_OBSERVED: ObservedState = { replicas: [] };

/** The runtime's instances as observed replicas, fingerprints unknown (for replicas berth did not create itself). */
export function observedFromInstances(instances: readonly Instance[]): ObservedState {
  return {
    replicas: instances.map((instance) => ({
      service: instance.service,
      replica: instance.replica,
      id: instance.id,
      state: instance.state,
      stoppedByUser: false,
    })),
  };
}

/** `api#2`: how plans, events and messages name one replica. */
export function replicaKey(service: string, replica: number): string {
  return `${service}#${replica}`;
}
