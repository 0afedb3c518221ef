import type { Healthcheck, HealthcheckTest } from '../../model/stack.js';
import { readDuration } from '../duration.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { readBoolean, readDict, readInteger, readStringList } from './read.js';

/** Docker's healthcheck defaults, which compose applies when a field is omitted. */
export const HEALTHCHECK_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
} as const;

const TEST_HINT = 'use a shell string, ["CMD", "program", "arg"], ["CMD-SHELL", "command"] or ["NONE"]';

/**
 * `healthcheck:` → a Healthcheck with every timing filled in, or `undefined` when there is none: absent,
 * `disable: true`, `test: ["NONE"]`, or no `test` (then the image's own HEALTHCHECK applies; berth notes it).
 * A string test and `["CMD-SHELL", …]` run through a shell; `["CMD", …]` is exec form.
 */
export function readHealthcheck(value: unknown, ctx: StageContext, path: ModelPath): Healthcheck | undefined {
  if (value === undefined || value === null) return undefined;
  const dict = readDict(value, ctx, path);
  if (!dict || readBoolean(dict.disable, ctx, [...path, 'disable']) === true) return undefined;
  if (dict.test === undefined || dict.test === null || (Array.isArray(dict.test) && dict.test.length === 0)) {
    ctx.warn(path, 'this healthcheck has no `test`, so the image\'s own HEALTHCHECK decides health; berth checks nothing');
    return undefined;
  }
  const test = readTest(dict.test, ctx, [...path, 'test']);
  if (!test) return undefined;
  const duration = (key: string, fallback: number): number =>
    dict[key] === undefined || dict[key] === null ? fallback : readDuration(dict[key], ctx, [...path, key]) ?? fallback;
  return {
    test,
    intervalMs: duration('interval', HEALTHCHECK_DEFAULTS.intervalMs),
    timeoutMs: duration('timeout', HEALTHCHECK_DEFAULTS.timeoutMs),
    retries: readInteger(dict.retries, ctx, [...path, 'retries']) ?? HEALTHCHECK_DEFAULTS.retries,
    startPeriodMs: duration('start_period', HEALTHCHECK_DEFAULTS.startPeriodMs),
    startIntervalMs: duration('start_interval', HEALTHCHECK_DEFAULTS.startIntervalMs),
  };
}

function readTest(value: unknown, ctx: StageContext, path: ModelPath): HealthcheckTest | undefined {
  if (typeof value === 'string') return { kind: 'shell', command: value };
  const [kind, ...rest] = readStringList(value, ctx, path);
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD' && rest.length > 0) return { kind: 'exec', argv: rest };
  if (kind === 'CMD-SHELL' && rest.length > 0) return { kind: 'shell', command: rest.join(' ') };
  const got = JSON.stringify(value);
  const reason = kind === 'CMD' || kind === 'CMD-SHELL' ? `${kind} is not followed by a command` : 'it must start with "CMD", "CMD-SHELL" or "NONE"';
  ctx.error('SPEC_TYPE', path, `cannot read healthcheck test ${got}: ${reason}`, { hint: TEST_HINT });
  return undefined;
}
