import type { Service, Stack } from '../model/stack.js';
import type { ObservedReplica } from './observed.js';
import { type DependencyGate, type Plan, PlanBuilder } from './plan.js';
import { instanceSpec } from './reconcile.js';

/**
 * The plans a deploy sequences: replicas of a new release started beside the running ones, and replicas of the old
 * release retired once traffic left them. Pure, like reconcile().
 */

/**
 * Creates and starts replicas `numbers` of `service` (its definition in `stack`), in parallel, each gated on the
 * service's depends_on conditions; `release` goes into their environment as BERTH_RELEASE.
 * ```
 * create api#3     (release r7)
 * start api#3      after create api#3, db healthy
 * ```
 */
export function planAddReplicas(stack: Stack, service: Service, numbers: readonly number[], release: string): Plan {
  const builder = new PlanBuilder();
  const gates = Object.entries(service.dependsOn).map(([dep, d]): DependencyGate => ({ service: dep, condition: d.condition, required: d.required }));
  const desired = { stack, releases: { [service.name]: release } };
  for (const n of numbers) {
    const created = builder.add({ kind: 'create', service: service.name, replica: n, cause: `release ${release}`, spec: instanceSpec({ desired, service }, n) });
    builder.add({ kind: 'start', service: service.name, replica: n, after: [created], gates });
  }
  return builder.build();
}

/** Stops (with each replica's stop signal and grace period) and removes the replicas, in parallel. */
export function planRetire(replicas: readonly ObservedReplica[], cause: string): Plan {
  const builder = new PlanBuilder();
  for (const replica of replicas) {
    const base = { service: replica.service, replica: replica.replica, instance: replica.id };
    if (replica.state === 'running') {
      const stopped = builder.add({ kind: 'stop', ...base, cause });
      builder.add({ kind: 'remove', ...base, after: [stopped] });
    } else {
      builder.add({ kind: 'remove', ...base, cause });
    }
  }
  return builder.build();
}
