import type { Stack } from '../../model/stack.js';
import type { StageContext } from '../stage-context.js';
import { containerNamesAreUnique } from './rules/container-names.js';
import { dependsOnDefinedServices } from './rules/depends-on.js';
import { noDependencyCycles } from './rules/dependency-cycles.js';
import { servicesHaveSomethingToRun } from './rules/image-or-build.js';
import { implicitDependenciesAreDefined } from './rules/implicit-dependencies.js';
import { noPortConflicts } from './rules/port-conflicts.js';
import { secretsHaveASource } from './rules/secret-sources.js';
import { secretsAndConfigsAreDefined } from './rules/service-secrets-configs.js';
import { networksAreDefined } from './rules/service-networks.js';
import { volumesAreDefined } from './rules/service-volumes.js';
import type { StackRule } from './rules/stack-rule.js';

/** The semantic checks, in the order their problems are most useful to read. Add a rule by adding a file here. */
export const STACK_RULES: readonly StackRule[] = [
  servicesHaveSomethingToRun,
  dependsOnDefinedServices,
  implicitDependenciesAreDefined,
  noDependencyCycles,
  networksAreDefined,
  volumesAreDefined,
  secretsAndConfigsAreDefined,
  secretsHaveASource,
  containerNamesAreUnique,
  noPortConflicts,
];

/**
 * Runs every semantic rule on a normalized Stack (after profiles) and records problems in `ctx`: references to
 * undefined services, networks, volumes, secrets and configs; dependency cycles; services with nothing to run;
 * conflicting host ports and container names. It does not re-check shapes (the schema did) and changes nothing.
 */
export function validateStack(stack: Stack, ctx: StageContext): void {
  for (const rule of STACK_RULES) rule(stack, ctx);
}
