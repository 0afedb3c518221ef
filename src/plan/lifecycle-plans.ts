import type { Stack } from '../model/stack.js';
import type { ObservedReplica, ObservedState } from './observed.js';
import { type DependencyGate, type Plan, PlanBuilder } from './plan.js';
import { dependencyOrder, dependentsOf } from './selection.js';

export interface TeardownOptions {
  /** Services to stop; absent = every observed replica, including those of services no longer in the stack. */
  readonly services?: readonly string[];
  /** Also remove the replicas (`down`), not only stop them (`stop`, the first half of `restart`). */
  readonly remove: boolean;
}

/**
 * Stops (and for `down` removes) replicas in reverse dependency order: a service stops only after every service
 * that depends on it has stopped; the replicas of one service stop in parallel. Replicas of services unknown to
 * the stack stop first, in parallel. Pure.
 * ```
 * stop api#1
 * stop db#1        after stop api#1
 * remove api#1     after stop api#1
 * ```
 */
export function planTeardown(stack: Stack | undefined, observed: ObservedState, options: TeardownOptions): Plan {
  const builder = new PlanBuilder();
  const chosen = observed.replicas.filter((r) => options.services === undefined || options.services.includes(r.service));
  const names = [...new Set(chosen.map((r) => r.service))];
  const known = stack ? dependencyOrder(stack, names.filter((name) => name in stack.services)) : [];
  const order = [...names.filter((name) => !known.includes(name)), ...[...known].reverse()];
  const stops = new Map<string, number[]>();
  const removals: (() => void)[] = [];
  for (const name of order) {
    const after = stack ? stopsBefore(stack, name, stops) : [];
    const ids: number[] = [];
    for (const replica of byNumber(chosen, name)) {
      const base = { service: name, replica: replica.replica, instance: replica.id };
      const stopped = replica.state === 'running' ? builder.add({ kind: 'stop', ...base, after }) : undefined;
      if (stopped !== undefined) ids.push(stopped);
      if (options.remove) removals.push(() => builder.add({ kind: 'remove', ...base, after: stopped === undefined ? [] : [stopped] }));
    }
    stops.set(name, ids);
  }
  removals.forEach((add) => add());
  return builder.build();
}

/**
 * `start`: starts the existing replicas of the named services (not their dependencies, like compose) that are
 * not running, in dependency order, each gated on its depends_on conditions. Replicas are not created. Pure.
 */
export function planStartExisting(stack: Stack, observed: ObservedState, services: readonly string[]): Plan {
  const builder = new PlanBuilder();
  for (const name of dependencyOrder(stack, services)) {
    const service = stack.services[name];
    if (!service) continue;
    const required = Object.entries(service.dependsOn).filter(([, d]) => d.required).flatMap(([dep]) => builder.idsOf(dep));
    const optional = Object.entries(service.dependsOn).filter(([, d]) => !d.required).flatMap(([dep]) => builder.idsOf(dep));
    const gates = Object.entries(service.dependsOn).map(([dep, d]): DependencyGate => ({ service: dep, condition: d.condition, required: d.required }));
    for (const replica of byNumber(observed.replicas, name)) {
      if (replica.state === 'running') continue;
      const cause = replica.stoppedByUser ? 'stopped' : replica.state;
      builder.add({ kind: 'start', service: name, replica: replica.replica, instance: replica.id, cause, after: required, afterOptional: optional, gates });
    }
  }
  return builder.build();
}

/**
 * The stops that must finish before `name` stops: those of the services that depend on it, looking through a
 * dependent with nothing to stop (an exited `migrate` between `api` and `db`) to the services depending on it.
 */
function stopsBefore(stack: Stack, name: string, stops: ReadonlyMap<string, readonly number[]>, seen = new Set<string>()): number[] {
  const out = new Set<number>();
  for (const dependent of dependentsOf(stack, name)) {
    if (seen.has(dependent)) continue;
    seen.add(dependent);
    const own = stops.get(dependent) ?? [];
    for (const id of own.length > 0 ? own : stopsBefore(stack, dependent, stops, seen)) out.add(id);
  }
  return [...out].sort((a, b) => a - b);
}

function byNumber(replicas: readonly ObservedReplica[], service: string): ObservedReplica[] {
  return replicas.filter((r) => r.service === service).sort((a, b) => a.replica - b.replica);
}
