import { didYouMean } from '../suggest.js';
import type { StackRule } from './stack-rule.js';

/** Every network a service joins is defined under top-level `networks:`; `default` always exists. */
export const networksAreDefined: StackRule = (stack, ctx) => {
  const defined = Object.keys(stack.networks);
  for (const service of Object.values(stack.services)) {
    for (const network of Object.keys(service.networks)) {
      if (network === 'default' || Object.hasOwn(stack.networks, network)) continue;
      const mean = didYouMean(network, defined);
      ctx.error('SPEC_REFERENCE', ['services', service.name, 'networks', network],
        `service \`${service.name}\` uses network \`${network}\`, which is not defined under top-level \`networks:\`${mean}`, {
          at: 'key',
          hint: mean === '' ? `add \`${network}: {}\` under the top-level \`networks:\` key` : undefined,
        });
    }
  }
};
