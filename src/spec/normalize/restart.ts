import type { RestartPolicy } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';

/** `restart:` → a RestartPolicy; absent is `no`, as in compose. `on-failure:3` limits the retries. */
export function readRestart(value: unknown, ctx: StageContext, path: ModelPath): RestartPolicy {
  if (value === undefined || value === null || value === false || value === 'no') return { kind: 'no' };
  if (value === 'always' || value === 'unless-stopped') return { kind: value };
  if (value === 'on-failure') return { kind: 'on-failure' };
  const match = typeof value === 'string' ? /^on-failure:(\d+)$/.exec(value) : null;
  if (match) return { kind: 'on-failure', maxRetries: Number(match[1]) };
  ctx.error('SPEC_TYPE', path, `unknown restart policy ${JSON.stringify(value)}`, {
    hint: 'use "no", "always", "unless-stopped", "on-failure" or "on-failure:N" (quote "no" in YAML)',
  });
  return { kind: 'no' };
}
