import type { FileReference } from '../../../model/stack.js';
import type { StageContext } from '../../stage-context.js';
import { didYouMean } from '../suggest.js';
import type { StackRule } from './stack-rule.js';

/** Every secret and config a service uses is defined under top-level `secrets:` / `configs:`. */
export const secretsAndConfigsAreDefined: StackRule = (stack, ctx) => {
  for (const service of Object.values(stack.services)) {
    checkReferences({ ctx, service: service.name, kind: 'secret', used: service.secrets, defined: stack.secrets });
    checkReferences({ ctx, service: service.name, kind: 'config', used: service.configs, defined: stack.configs });
  }
};

interface References {
  readonly ctx: StageContext;
  readonly service: string;
  readonly kind: 'secret' | 'config';
  readonly used: readonly FileReference[];
  readonly defined: Readonly<Record<string, unknown>>;
}

function checkReferences({ ctx, service, kind, used, defined }: References): void {
  used.forEach((reference, index) => {
    if (Object.hasOwn(defined, reference.source)) return;
    const mean = didYouMean(reference.source, Object.keys(defined));
    ctx.error('SPEC_REFERENCE', ['services', service, `${kind}s`, index],
      `service \`${service}\` uses ${kind} \`${reference.source}\`, which is not defined under top-level \`${kind}s:\`${mean}`, {
        hint: mean === ''
          ? `add \`${reference.source}: {file: ./${reference.source}.txt}\` under the top-level \`${kind}s:\` key`
          : undefined,
      });
  });
}
