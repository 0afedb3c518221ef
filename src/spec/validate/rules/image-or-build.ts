import type { StackRule } from './stack-rule.js';

/**
 * Every service has something to run: an `image`, a `build`, or (berth only) `x-berth.process.command`.
 * Compose refuses the first two missing ("has neither an image nor a build context specified").
 */
export const servicesHaveSomethingToRun: StackRule = (stack, ctx) => {
  for (const service of Object.values(stack.services)) {
    if (service.image !== undefined || service.build !== undefined || service.berth.process?.command !== undefined) continue;
    ctx.error('SPEC_SCHEMA', ['services', service.name], `service \`${service.name}\` has neither an image nor a build context`, {
      at: 'key',
      hint: 'add `image:` or `build:`, or `x-berth: {process: {command: ...}}` to run it as a local process',
    });
  }
};
