import { BerthError } from '../errors.js';
import { stackName } from '../model/ids.js';
import type { Service, Stack } from '../model/stack.js';
import type { InstanceSpec } from '../runtime/runtime.js';
import { serviceFingerprint } from './fingerprint.js';
import { type ObservedReplica, type ObservedState, replicaKey } from './observed.js';
import { type DependencyGate, type Plan, PlanBuilder } from './plan.js';
import { checkNames, dependencyOrder, selectServices } from './selection.js';

/** What `up` asks for. */
export interface Desired {
  readonly stack: Stack;
  /** Services named by the command; absent = all. Their dependencies come along. */
  readonly services?: readonly string[];
  /** Replica counts that override `deploy.replicas` / `scale`. */
  readonly scale?: Readonly<Record<string, number>>;
  /**
   * Replica keys (`web#1`) the user had stopped before berth restarted. Missing `unless-stopped` ones are created
   * but not started, as Docker keeps such containers stopped across a daemon restart.
   */
  readonly stoppedByUser?: readonly string[];
  /** The release each service's new replicas belong to (`BERTH_RELEASE` in their environment). */
  readonly releases?: Readonly<Record<string, string>>;
}

/**
 * The plan that takes `observed` to `desired`, the way `docker compose up` converges: services in dependency
 * order; per replica 1..N: create what is missing, start what is not running, recreate what was created from
 * another definition (stop, remove, create, start), leave running replicas alone; stop and remove replicas above
 * N (highest numbers first) and, on an `up` of the whole stack, replicas of services no longer in it. A start
 * waits for the steps of the services it depends on and for its dependency gates. A replica the user stopped
 * whose policy is `unless-stopped` is started again only when its service is named (or the whole stack is up),
 * not when it is merely a dependency of a named service. Pure: no I/O, same input → same plan.
 */
export function reconcile(desired: Desired, observed: ObservedState): Plan {
  const { stack } = desired;
  checkScale(stack, desired.scale ?? {});
  const selected = dependencyOrder(stack, selectServices(stack, desired.services));
  const named = new Set(desired.services ?? Object.keys(stack.services));
  const builder = new PlanBuilder();
  if (desired.services === undefined) planOrphans(builder, stack, observed);
  const recreated = new Set<string>();
  for (const name of selected) {
    const service = stack.services[name] as Service;
    const context: ServiceContext = {
      desired, service, builder, recreated,
      named: named.has(name),
      count: desired.scale?.[name] ?? service.replicas,
      fingerprint: serviceFingerprint(service),
      preds: dependencyPreds(builder, service, new Set(selected)),
      gates: Object.entries(service.dependsOn).map(([dep, d]): DependencyGate => ({ service: dep, condition: d.condition, required: d.required })),
    };
    planService(context, observed.replicas.filter((r) => r.service === name));
  }
  return builder.build();
}

interface ServiceContext {
  readonly desired: Desired;
  readonly service: Service;
  readonly builder: PlanBuilder;
  /** Services recreated earlier in this plan (for `depends_on.restart: true`). */
  readonly recreated: Set<string>;
  readonly named: boolean;
  readonly count: number;
  readonly fingerprint: string;
  readonly preds: { readonly required: readonly number[]; readonly optional: readonly number[] };
  readonly gates: readonly DependencyGate[];
}

function planService(context: ServiceContext, replicas: readonly ObservedReplica[]): void {
  const { builder, count } = context;
  const byNumber = new Map<number, ObservedReplica>();
  for (const replica of [...replicas].sort(preferKnown)) {
    if (byNumber.has(replica.replica)) planRemoval(builder, replica, 'duplicate');
    else byNumber.set(replica.replica, replica);
  }
  // A deploy leaves replicas numbered above N (the new ones started beside the old): the best N replicas keep
  // their numbers, whatever they are, and missing ones take the lowest free numbers.
  const ranked = [...byNumber.values()].sort(slotPreference(context.fingerprint));
  const kept = ranked.slice(0, count).sort((a, b) => a.replica - b.replica);
  const free = freeNumbers(new Set(byNumber.keys()), count - kept.length);
  const slots = [...kept.map((r) => [r.replica, r] as const), ...free.map((n) => [n, undefined] as const)].sort((a, b) => a[0] - b[0]);
  for (const [n, existing] of slots) planReplica(context, n, existing);
  const excess = ranked.slice(count).sort((a, b) => b.replica - a.replica);
  for (const replica of excess) planRemoval(builder, replica, `scaled down ${byNumber.size} → ${count}`);
}

/** Replicas of the current definition first, running ones first, then by number. */
function slotPreference(fingerprint: string): (a: ObservedReplica, b: ObservedReplica) => number {
  const score = (r: ObservedReplica): number => (r.fingerprint === fingerprint ? 2 : 0) + (r.state === 'running' ? 1 : 0);
  return (a, b) => score(b) - score(a) || a.replica - b.replica;
}

/** The `count` lowest positive numbers not in `used`. */
export function freeNumbers(used: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let n = 1; out.length < count; n += 1) if (!used.has(n)) out.push(n);
  return out;
}

function planReplica(context: ServiceContext, n: number, existing: ObservedReplica | undefined): void {
  const { builder, service } = context;
  if (existing === undefined) {
    const created = builder.add({ kind: 'create', service: service.name, replica: n, cause: 'missing', spec: instanceSpec(context, n) });
    if (!keptStopped(context, n)) planStart(context, n, [created], undefined);
    return;
  }
  if (existing.fingerprint !== context.fingerprint) {
    context.recreated.add(service.name);
    const why = existing.fingerprint === undefined ? 'created by an earlier berth' : 'config changed';
    const removed = planRemoval(builder, existing, why);
    const created = builder.add({ kind: 'create', service: service.name, replica: n, spec: instanceSpec(context, n), after: [removed] });
    planStart(context, n, [created], undefined);
    return;
  }
  if (existing.state === 'running') {
    const because = restartingDependency(context);
    if (because === undefined) return;
    const stopped = builder.add({ kind: 'stop', service: service.name, replica: n, instance: existing.id, cause: `dependency ${because} recreated` });
    planStart(context, n, [stopped], existing);
    return;
  }
  if (existing.stoppedByUser && !context.named && service.restart.kind === 'unless-stopped') return;
  planStart(context, n, [], existing, existing.stoppedByUser ? 'stopped' : existing.state);
}

function planStart(context: ServiceContext, n: number, after: readonly number[], existing?: ObservedReplica, cause?: string): number {
  return context.builder.add({
    kind: 'start',
    service: context.service.name,
    replica: n,
    instance: existing?.id,
    cause,
    after: [...after, ...context.preds.required],
    afterOptional: context.preds.optional,
    gates: context.gates,
  });
}

/** Stop (unless already down) then remove; returns the id of the remove step. */
function planRemoval(builder: PlanBuilder, replica: ObservedReplica, cause: string): number {
  const base = { service: replica.service, replica: replica.replica, instance: replica.id };
  if (replica.state !== 'running') return builder.add({ kind: 'remove', ...base, cause });
  const stopped = builder.add({ kind: 'stop', ...base, cause });
  return builder.add({ kind: 'remove', ...base, after: [stopped] });
}

function planOrphans(builder: PlanBuilder, stack: Stack, observed: ObservedState): void {
  for (const replica of observed.replicas) {
    if (!(replica.service in stack.services)) planRemoval(builder, replica, 'not in the stack');
  }
}

function dependencyPreds(builder: PlanBuilder, service: Service, selected: ReadonlySet<string>): ServiceContext['preds'] {
  const required: number[] = [];
  const optional: number[] = [];
  for (const [name, dependency] of Object.entries(service.dependsOn)) {
    if (selected.has(name)) (dependency.required ? required : optional).push(...builder.idsOf(name));
  }
  return { required: required.sort((a, b) => a - b), optional: optional.sort((a, b) => a - b) };
}

function restartingDependency(context: ServiceContext): string | undefined {
  return Object.entries(context.service.dependsOn).find(([name, d]) => d.restart && context.recreated.has(name))?.[0];
}

function keptStopped(context: ServiceContext, n: number): boolean {
  const key = replicaKey(context.service.name, n);
  return context.service.restart.kind === 'unless-stopped' && (context.desired.stoppedByUser ?? []).includes(key);
}

export function instanceSpec(context: { desired: Desired; service: Service }, replica: number): InstanceSpec {
  const { stack } = context.desired;
  return {
    stack: stackName(stack.name),
    projectDir: stack.projectDir,
    service: context.service,
    replica,
    env: replicaEnv(stack.name, context.service.name, replica, context.desired.releases?.[context.service.name]),
  };
}

/** What berth adds to every replica's environment, so an app (and a test) can tell which release served it. */
export function replicaEnv(project: string, service: string, replica: number, release: string | undefined): Record<string, string> {
  return {
    BERTH_PROJECT: project, BERTH_SERVICE: service, BERTH_REPLICA: String(replica), ...(release === undefined ? {} : { BERTH_RELEASE: release }),
  };
}

/** Known fingerprints and running replicas first, so the duplicate that is kept is the most useful one. */
function preferKnown(a: ObservedReplica, b: ObservedReplica): number {
  const score = (r: ObservedReplica): number => (r.fingerprint === undefined ? 0 : 2) + (r.state === 'running' ? 1 : 0);
  return score(b) - score(a) || a.replica - b.replica;
}

function checkScale(stack: Stack, scale: Readonly<Record<string, number>>): void {
  checkNames(stack, Object.keys(scale));
  for (const [name, count] of Object.entries(scale)) {
    if (!Number.isInteger(count) || count < 0) {
      throw new BerthError('USAGE', `scale for ${name} must be a whole number ≥ 0, got ${count}`, { hint: `e.g. --scale ${name}=2` });
    }
  }
}
