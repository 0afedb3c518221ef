import type { StackRule } from './stack-rule.js';

/** A secret that is not `external` says where its value comes from: `file` or `environment` (compose requires it). */
export const secretsHaveASource: StackRule = (stack, ctx) => {
  for (const [name, secret] of Object.entries(stack.secrets)) {
    if (secret.external || secret.file !== undefined || secret.environment !== undefined) continue;
    ctx.error('SPEC_SCHEMA', ['secrets', name], `secret \`${name}\` has neither \`file\` nor \`environment\``, {
      at: 'key',
      hint: 'set `file: ./path/to/secret` or `environment: VARIABLE`, or `external: true` if it already exists',
    });
  }
};
