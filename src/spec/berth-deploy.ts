import type { SchemaObject } from 'ajv';
import type { BerthCanary, BerthDeploy, BerthRolling, DeployThresholds } from '../model/berth-options.js';
import { formatDuration, readDuration } from './duration.js';
import type { ModelPath } from './model-path.js';
import type { StageContext } from './stage-context.js';

/**
 * A service's `x-berth.deploy`: how `berth deploy` replaces its replicas. The schema checks shapes; the conversion
 * fills berth's defaults and checks what a schema cannot say (ascending canary steps, ranges). Errors are
 * SPEC_BERTH (SPEC_DURATION for unreadable durations) at their position; with errors the field is left out and the
 * loader fails as a whole.
 *
 * ```yaml
 * x-berth:
 *   deploy:
 *     strategy: canary            # blue-green | rolling | canary | recreate; default: blue-green with routes, else rolling
 *     watch: 60s                  # watch window after the switch; 0 = no watch
 *     drain_timeout: 30s          # in-flight requests on old replicas get this long
 *     health_timeout: 2m          # new replicas get this long to become healthy
 *     warmup: [/, /api/ping]      # GET on each new replica before it takes traffic
 *     canary: [10, 50, 100]       # percent of traffic per step; ascending, last 100
 *     canary_step_watch: 20s      # watch per step below 100%; default watch / number of steps
 *     rolling: {parallelism: 2, order: start-first, max_unavailable: 0}
 *     thresholds: {error_rate: 5%, latency_factor: 2, min_requests: 20}
 * ```
 */

/** berth's defaults; `canary.stepWatchMs` is `watchMs / canary.steps.length` unless written. */
export const DEPLOY_DEFAULTS: BerthDeploy = Object.freeze({
  watchMs: 60_000,
  drainTimeoutMs: 30_000,
  healthTimeoutMs: 120_000,
  warmup: Object.freeze([]),
  canary: Object.freeze({ steps: Object.freeze([10, 50, 100]), stepWatchMs: 20_000 }),
  rolling: Object.freeze({ maxUnavailable: 0 }),
  thresholds: Object.freeze({ errorRate: 0.05, latencyFactor: 2, minRequests: 20 }),
});

const DURATION: SchemaObject = { type: ['string', 'integer'] };
const COUNT: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+$', message: 'expected a whole number' };
const URL_PATH: SchemaObject = { type: 'string', pattern: '^/', message: 'expected a path starting with `/`' };
const PERCENT: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+%?$', message: 'expected a percentage like 10 or 10%' };

export const DEPLOY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    strategy: { type: 'string', enum: ['blue-green', 'rolling', 'canary', 'recreate'] },
    watch: DURATION,
    drain_timeout: DURATION,
    health_timeout: DURATION,
    warmup: { ...URL_PATH, type: ['string', 'array'], items: URL_PATH },
    canary: { type: 'array', items: PERCENT, minItems: 1 },
    canary_step_watch: DURATION,
    rolling: {
      type: 'object',
      properties: { parallelism: COUNT, order: { type: 'string', enum: ['start-first', 'stop-first'] }, max_unavailable: COUNT },
      additionalProperties: false,
    },
    thresholds: {
      type: 'object',
      properties: {
        error_rate: { type: ['number', 'string'], pattern: '^[0-9]*\\.?[0-9]+%?$', message: 'expected a fraction like 0.05 or a percentage like 5%' },
        latency_factor: { type: ['number', 'string'], pattern: '^[0-9]*\\.?[0-9]+$', message: 'expected a number like 2' },
        min_requests: COUNT,
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

type RawNumber = number | string;
interface RawDeploy {
  readonly strategy?: BerthDeploy['strategy'];
  readonly watch?: RawNumber;
  readonly drain_timeout?: RawNumber;
  readonly health_timeout?: RawNumber;
  readonly warmup?: string | readonly string[];
  readonly canary?: readonly RawNumber[];
  readonly canary_step_watch?: RawNumber;
  readonly rolling?: { readonly parallelism?: RawNumber; readonly order?: 'start-first' | 'stop-first'; readonly max_unavailable?: RawNumber };
  readonly thresholds?: { readonly error_rate?: RawNumber; readonly latency_factor?: RawNumber; readonly min_requests?: RawNumber };
}

/** The `deploy` entry of SERVICE_FIELDS: undefined when absent or with errors. */
export const DEPLOY_FIELD = {
  schema: DEPLOY_SCHEMA,
  parse: (raw: unknown, ctx: StageContext, path: ModelPath): BerthDeploy | undefined => {
    if (raw === undefined || raw === null) return undefined;
    const given = raw as RawDeploy;
    const failures = ctx.issues.length;
    const at = (key: string): ModelPath => [...path, key];
    const watchMs = toDuration(given.watch, DEPLOY_DEFAULTS.watchMs, 0, ctx, at('watch'));
    const deploy: BerthDeploy = {
      ...(given.strategy === undefined ? {} : { strategy: given.strategy }),
      watchMs,
      drainTimeoutMs: toDuration(given.drain_timeout, DEPLOY_DEFAULTS.drainTimeoutMs, 0, ctx, at('drain_timeout')),
      healthTimeoutMs: toDuration(given.health_timeout, DEPLOY_DEFAULTS.healthTimeoutMs, Number.MIN_VALUE, ctx, at('health_timeout')),
      warmup: given.warmup === undefined ? DEPLOY_DEFAULTS.warmup : [given.warmup].flat(),
      canary: toCanary(given, watchMs, ctx, path),
      rolling: toRolling(given.rolling ?? {}, ctx, at('rolling')),
      thresholds: toThresholds(given.thresholds ?? {}, ctx, at('thresholds')),
    };
    return ctx.issues.length > failures ? undefined : deploy;
  },
};

function toDuration(value: RawNumber | undefined, fallback: number, min: number, ctx: StageContext, path: ModelPath): number {
  if (value === undefined) return fallback;
  const ms = readDuration(value, ctx, path);
  if (ms === undefined) return fallback;
  if (ms >= min) return ms;
  ctx.error('SPEC_BERTH', path, `expected a duration ${min === 0 ? 'of 0 or more' : 'greater than 0'}, got ${JSON.stringify(value)}`);
  return fallback;
}

/** Steps from 1 to 100 percent, strictly ascending, ending at 100; each step below 100 watched `canary_step_watch`. */
function toCanary(given: RawDeploy, watchMs: number, ctx: StageContext, path: ModelPath): BerthCanary {
  const steps = given.canary === undefined ? DEPLOY_DEFAULTS.canary.steps : given.canary.map((step) => Number(String(step).replace(/%$/, '')));
  const canaryPath = [...path, 'canary'];
  const hint = 'e.g. canary: [10, 50, 100]';
  steps.forEach((step, i) => {
    if (step < 1 || step > 100) ctx.error('SPEC_BERTH', [...canaryPath, i], `expected a percentage from 1 to 100, got ${JSON.stringify(given.canary?.[i])}`);
    else if (i > 0 && step <= (steps[i - 1] ?? 0)) {
      ctx.error('SPEC_BERTH', [...canaryPath, i], `canary steps must go up: ${step}% comes after ${steps[i - 1] ?? 0}%`, { hint });
    }
  });
  if (steps.at(-1) !== 100 && steps.every((step) => step >= 1 && step <= 100)) {
    ctx.error('SPEC_BERTH', canaryPath, `the last canary step must be 100%, got ${steps.at(-1) ?? 0}%`, {
      hint: `${hint}: the release takes all traffic at the end`,
    });
  }
  const fallback = Math.round(watchMs / steps.length);
  const stepWatchMs = toDuration(given.canary_step_watch, fallback, 0, ctx, [...path, 'canary_step_watch']);
  return { steps, stepWatchMs };
}

function toRolling(given: NonNullable<RawDeploy['rolling']>, ctx: StageContext, path: ModelPath): BerthRolling {
  const parallelism = given.parallelism === undefined ? undefined : Number(given.parallelism);
  if (parallelism !== undefined && parallelism < 1) {
    ctx.error('SPEC_BERTH', [...path, 'parallelism'], `expected at least 1 replica at a time, got ${JSON.stringify(given.parallelism)}`);
  }
  return {
    ...(parallelism === undefined ? {} : { parallelism }),
    ...(given.order === undefined ? {} : { order: given.order }),
    maxUnavailable: given.max_unavailable === undefined ? DEPLOY_DEFAULTS.rolling.maxUnavailable : Number(given.max_unavailable),
  };
}

function toThresholds(given: NonNullable<RawDeploy['thresholds']>, ctx: StageContext, path: ModelPath): DeployThresholds {
  const defaults = DEPLOY_DEFAULTS.thresholds;
  const errorRate = given.error_rate === undefined ? defaults.errorRate : toFraction(given.error_rate);
  if (!(errorRate >= 0 && errorRate <= 1)) {
    ctx.error('SPEC_BERTH', [...path, 'error_rate'], `expected a fraction from 0 to 1 or a percentage up to 100%, got ${JSON.stringify(given.error_rate)}`, {
      hint: 'e.g. error_rate: 0.05 or error_rate: 5%',
    });
  }
  const latencyFactor = given.latency_factor === undefined ? defaults.latencyFactor : Number(given.latency_factor);
  if (latencyFactor < 1) {
    ctx.error('SPEC_BERTH', [...path, 'latency_factor'], `expected a factor of 1 or more, got ${JSON.stringify(given.latency_factor)}`, {
      hint: 'latency_factor: 2 rolls back when the new p95 latency is more than twice the old one',
    });
  }
  const minRequests = given.min_requests === undefined ? defaults.minRequests : Number(given.min_requests);
  if (minRequests < 1) ctx.error('SPEC_BERTH', [...path, 'min_requests'], `expected at least 1 request, got ${JSON.stringify(given.min_requests)}`);
  return { errorRate, latencyFactor, minRequests };
}

function toFraction(raw: RawNumber): number {
  const text = String(raw);
  return text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
}

/** `x-berth.deploy` printed back in the shape DEPLOY_FIELD reads, every value written out. */
export function serializeDeploy(deploy: BerthDeploy): Record<string, unknown> {
  const rolling = deploy.rolling;
  return {
    ...(deploy.strategy === undefined ? {} : { strategy: deploy.strategy }),
    watch: formatDuration(deploy.watchMs),
    drain_timeout: formatDuration(deploy.drainTimeoutMs),
    health_timeout: formatDuration(deploy.healthTimeoutMs),
    ...(deploy.warmup.length === 0 ? {} : { warmup: [...deploy.warmup] }),
    canary: [...deploy.canary.steps],
    canary_step_watch: formatDuration(deploy.canary.stepWatchMs),
    rolling: {
      ...(rolling.parallelism === undefined ? {} : { parallelism: rolling.parallelism }),
      ...(rolling.order === undefined ? {} : { order: rolling.order }),
      max_unavailable: rolling.maxUnavailable,
    },
    thresholds: {
      error_rate: deploy.thresholds.errorRate,
      latency_factor: deploy.thresholds.latencyFactor,
      min_requests: deploy.thresholds.minRequests,
    },
  };
}
