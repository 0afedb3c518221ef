import { isMapping } from './merge/plain-data.js';
import type { StageContext } from './stage-context.js';

/** Which services a profile selection enables. */
export interface ProfileSelection {
  /** The enabled services, in the order the project declares them. */
  readonly active: string[];
  /** Every profile named by any service, enabled or not, sorted. */
  readonly allProfiles: string[];
  /** The profiles in effect: the requested ones, then those enabled by naming a service. */
  readonly enabledProfiles: string[];
}

/**
 * Enables services as `docker compose --profile … <command> [service…]` does (compose-go `WithProfiles` /
 * `WithServicesEnabled`): a service without `profiles` is always enabled; one with profiles is enabled when one of
 * them is active, or `*` is; naming a disabled service enables all of its profiles (and so every service in them),
 * but not the profiles of its dependencies. An enabled service that depends on a disabled one is a SPEC_REFERENCE
 * error, unless that dependency is `required: false` (compose: `service "web" depends on undefined service "db"`);
 * a named service that does not exist is a USAGE error. Dependencies on services that do not exist at all are left
 * to semantic validation. Errors go to `ctx` when given.
 */
export function selectProfiles(
  services: Record<string, unknown>,
  activeProfiles: readonly string[],
  explicitServices: readonly string[],
  ctx?: StageContext,
): ProfileSelection {
  const enabled = new Set(activeProfiles);
  for (const name of explicitServices) {
    if (!Object.hasOwn(services, name)) {
      ctx?.error('USAGE', [], `no such service: \`${name}\``, { hint: `the project's services are: ${Object.keys(services).join(', ')}` });
      continue;
    }
    if (!isEnabled(profilesOf(services[name]), enabled)) for (const profile of profilesOf(services[name])) enabled.add(profile);
  }
  const active = Object.keys(services).filter((name) => isEnabled(profilesOf(services[name]), enabled));
  if (ctx) checkDependencies(services, new Set(active), ctx);
  const allProfiles = [...new Set(Object.values(services).flatMap(profilesOf))].sort();
  return { active, allProfiles, enabledProfiles: [...enabled] };
}

function isEnabled(profiles: readonly string[], enabled: ReadonlySet<string>): boolean {
  return profiles.length === 0 || enabled.has('*') || profiles.some((profile) => enabled.has(profile));
}

function profilesOf(service: unknown): string[] {
  const profiles = isMapping(service) ? service.profiles : undefined;
  return Array.isArray(profiles) ? profiles.filter((profile): profile is string => typeof profile === 'string') : [];
}

function checkDependencies(services: Record<string, unknown>, active: ReadonlySet<string>, ctx: StageContext): void {
  for (const name of active) {
    for (const [dependency, required] of dependenciesOf(services[name])) {
      if (active.has(dependency) || !Object.hasOwn(services, dependency) || !required) continue;
      const profiles = profilesOf(services[dependency]);
      const quoted = profiles.map((profile) => `\`${profile}\``).join(', ');
      ctx.error('SPEC_REFERENCE', ['services', name, 'depends_on', dependency],
        `service \`${name}\` depends on \`${dependency}\`, which is not enabled: none of its profiles (${quoted}) is active`, {
          hint: `enable it with --profile ${profiles[0] ?? '<name>'} (or COMPOSE_PROFILES), give \`${name}\` no profile it does not share with \`${dependency}\`, or mark the dependency \`required: false\``,
          at: 'key',
        });
    }
  }
}

/** `depends_on` as [service, required] pairs, from its long (mapping) or short (list) form. */
function dependenciesOf(service: unknown): Array<[string, boolean]> {
  const dependsOn = isMapping(service) ? service.depends_on : undefined;
  if (Array.isArray(dependsOn)) return dependsOn.filter((name): name is string => typeof name === 'string').map((name) => [name, true]);
  if (!isMapping(dependsOn)) return [];
  return Object.entries(dependsOn).map(([name, spec]) => [name, !(isMapping(spec) && spec.required === false)]);
}
