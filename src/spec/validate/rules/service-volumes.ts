import { didYouMean } from '../suggest.js';
import type { StackRule } from './stack-rule.js';

/** Every named volume a service mounts is defined under top-level `volumes:` (anonymous volumes need not be). */
export const volumesAreDefined: StackRule = (stack, ctx) => {
  const defined = Object.keys(stack.volumes);
  for (const service of Object.values(stack.services)) {
    service.volumes.forEach((mount, index) => {
      if (mount.type !== 'volume' || mount.source === undefined || Object.hasOwn(stack.volumes, mount.source)) return;
      const name = mount.source;
      const mean = didYouMean(name, defined);
      ctx.error('SPEC_REFERENCE', ['services', service.name, 'volumes', index],
        `service \`${service.name}\` mounts volume \`${name}\`, which is not defined under top-level \`volumes:\`${mean}`, {
          hint: mean === ''
            ? `add \`${name}: {}\` under the top-level \`volumes:\` key, or write \`./${name}\` to mount a folder`
            : undefined,
        });
    });
  }
};
