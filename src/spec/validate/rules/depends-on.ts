import { didYouMean } from '../suggest.js';
import type { StackRule } from './stack-rule.js';

/**
 * Every `depends_on` entry names a service of the stack. Services of disabled profiles are not in the Stack, so
 * they count as missing, as in compose. An entry with `required: false` only warns: the service starts without it.
 */
export const dependsOnDefinedServices: StackRule = (stack, ctx) => {
  const names = Object.keys(stack.services);
  for (const service of Object.values(stack.services)) {
    for (const [target, dependency] of Object.entries(service.dependsOn)) {
      if (Object.hasOwn(stack.services, target)) continue;
      const path = ['services', service.name, 'depends_on', target];
      const what = `service \`${service.name}\` depends on \`${target}\`, which is not a service in this stack`;
      if (!dependency.required) {
        ctx.warn(path, `${what}; it starts without it (required: false)`);
        continue;
      }
      const mean = didYouMean(target, names);
      ctx.error('SPEC_REFERENCE', path, `${what}${mean}`, {
        at: 'key',
        hint: mean === ''
          ? `define a service \`${target}\`, or enable the profile that defines it (--profile)`
          : undefined,
      });
    }
  }
};
