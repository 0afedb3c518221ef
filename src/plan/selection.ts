import { BerthError } from '../errors.js';
import type { Stack } from '../model/stack.js';

/**
 * Which services a command acts on. `up api` also brings up what api depends on (compose does, unless
 * `--no-deps`); no names means every service. Dependencies outside the stack (a disabled profile) are left out:
 * gates report them. Names that are not services raise SUPERVISOR_UNKNOWN_SERVICE.
 */
export function selectServices(stack: Stack, names?: readonly string[], withDependencies = true): string[] {
  const all = Object.keys(stack.services);
  if (names === undefined) return all;
  checkNames(stack, names);
  const chosen = new Set<string>();
  const visit = (name: string): void => {
    if (chosen.has(name) || !(name in stack.services)) return;
    chosen.add(name);
    if (withDependencies) for (const dependency of Object.keys(stack.services[name]?.dependsOn ?? {})) visit(dependency);
  };
  names.forEach(visit);
  return all.filter((name) => chosen.has(name));
}

export function checkNames(stack: Stack, names: readonly string[]): void {
  const unknown = names.filter((name) => !(name in stack.services));
  if (unknown.length === 0) return;
  const known = Object.keys(stack.services);
  throw new BerthError('SUPERVISOR_UNKNOWN_SERVICE', `no such service: ${unknown.join(', ')}`, {
    hint: known.length > 0 ? `the stack has: ${known.join(', ')}` : 'the stack has no services',
  });
}

/** `services` ordered so each comes after the services it depends on (ties keep the given order). */
export function dependencyOrder(stack: Stack, services: readonly string[]): string[] {
  const wanted = new Set(services);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (name: string, trail: Set<string>): void => {
    if (done.has(name) || trail.has(name)) return; // cycles are rejected by the loader; never loop here
    trail.add(name);
    for (const dependency of Object.keys(stack.services[name]?.dependsOn ?? {})) if (wanted.has(dependency)) visit(dependency, trail);
    done.add(name);
    out.push(name);
  };
  services.forEach((name) => visit(name, new Set()));
  return out;
}

/** Services of the stack that declare `service` in their depends_on. */
export function dependentsOf(stack: Stack, service: string): string[] {
  return Object.values(stack.services).filter((s) => service in s.dependsOn).map((s) => s.name);
}
