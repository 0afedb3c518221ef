import type { Service } from '../../../model/stack.js';
import type { StageContext } from '../../stage-context.js';
import { didYouMean } from '../suggest.js';
import type { StackRule } from './stack-rule.js';

/**
 * Keys that name another service and so make an implicit dependency in compose: `links` (`SERVICE[:ALIAS]`),
 * `volumes_from` (`SERVICE[:ro|rw]`; `container:NAME` is outside the stack and not checked) and
 * `network_mode: service:NAME`. Each must name a service of the stack. `network_mode` also excludes `networks`.
 * These keys live in `Service.other`, verbatim.
 */
export const implicitDependenciesAreDefined: StackRule = (stack, ctx) => {
  const names = Object.keys(stack.services);
  for (const service of Object.values(stack.services)) {
    const check = (target: string, path: readonly (string | number)[], verb: string): void => {
      // Compose also lists these as depends_on entries; if the normalizer did too, the depends_on rule reports it.
      if (Object.hasOwn(stack.services, target) || Object.hasOwn(service.dependsOn, target)) return;
      ctx.error('SPEC_REFERENCE', path,
        `service \`${service.name}\` ${verb} \`${target}\`, which is not a service in this stack${didYouMean(target, names)}`);
    };
    stringList(service.other.links).forEach((link, i) =>
      check(link.split(':')[0] as string, ['services', service.name, 'links', i], 'links to'));
    stringList(service.other.volumes_from).forEach((source, i) => {
      if (!source.startsWith('container:')) check(source.split(':')[0] as string, ['services', service.name, 'volumes_from', i], 'takes volumes from');
    });
    checkNetworkMode(service, ctx, (target, path) => check(target, path, 'shares the network of'));
  }
};

function checkNetworkMode(service: Service, ctx: StageContext, check: (target: string, path: readonly string[]) => void): void {
  const mode = service.other.network_mode;
  if (typeof mode !== 'string') return;
  const path = ['services', service.name, 'network_mode'];
  if (mode.startsWith('service:')) check(mode.slice('service:'.length), path);
  const joined = Object.keys(service.networks).filter((n) => n !== 'default');
  if (joined.length > 0) {
    ctx.error('SPEC_SCHEMA', path, `service \`${service.name}\` sets both \`network_mode\` and \`networks\`, which exclude each other`, {
      hint: 'keep network_mode to share another network stack, or networks to join networks, not both',
    });
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
