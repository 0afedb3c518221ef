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
  const timing = (key: string, fallback: number): number => readTiming(dict[key], fallback, ctx, [...path, key]);
  return {
    test,
    intervalMs: timing('interval', HEALTHCHECK_DEFAULTS.intervalMs),
    timeoutMs: timing('timeout', HEALTHCHECK_DEFAULTS.timeoutMs),
    retries: timing('retries', HEALTHCHECK_DEFAULTS.retries),
    startPeriodMs: timing('start_period', HEALTHCHECK_DEFAULTS.startPeriodMs),
    startIntervalMs: timing('start_interval', HEALTHCHECK_DEFAULTS.startIntervalMs),
  };
}

/**
 * One timing (a duration, or the `retries` count) as the engine uses it: absent or 0 means docker's default ("0
 * means inherit" in its API, so `interval: 0s` never probes in a tight loop); a negative one is refused, as the engine
 * refuses it.
 */
function readTiming(value: unknown, fallback: number, ctx: StageContext, path: ModelPath): number {
  if (value === undefined || value === null) return fallback;
  const retries = path[path.length - 1] === 'retries';
  const read = retries ? readInteger(value, ctx, path) : readDuration(value, ctx, path);
  if (read === undefined || read === 0) return fallback;
  if (read > 0) return read;
  ctx.error(retries ? 'SPEC_TYPE' : 'SPEC_DURATION', path, `a healthcheck ${String(path[path.length - 1])} cannot be negative, got ${JSON.stringify(value)}`, {
    hint: 'give a positive value, or 0 (or nothing) for docker\'s default',
  });
  return fallback;
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
