import type { BerthDeploy, BerthDeployStrategy, DeployThresholds } from '../model/berth-options.js';
import type { Service } from '../model/stack.js';
import { DEPLOY_DEFAULTS } from '../spec/berth-deploy.js';
import { formatDuration } from '../spec/duration.js';

/** A deploy strategy, or `job` for a one-shot service that is run once to completion (a migration). */
export type DeployStrategy = BerthDeployStrategy | 'job';

/** Rolling replacement with every value resolved. */
export interface RollingPolicy {
  /** Replicas replaced per batch (never more than the service's replica count, never less than 1). */
  readonly parallelism: number;
  /** start-first: new replicas healthy before old ones stop; stop-first: old ones stop first (≤ parallelism down). */
  readonly order: 'start-first' | 'stop-first';
  /** Old replicas that may stop before their replacements are healthy (start-first). */
  readonly maxUnavailable: number;
  /** Pause between batches: compose's `deploy.update_config.delay`, else 0. */
  readonly delayMs: number;
}

/**
 * How one service is deployed, every default resolved; every field is filled whatever the strategy, so an override
 * of `strategy` (`berth deploy --strategy`) finds what it needs. Pure data: the deployer acts on it.
 */
export interface DeployPolicy {
  readonly service: string;
  readonly strategy: DeployStrategy;
  /** For `job`: why the service is taken for one-shot (`deploy.mode replicated-job`, …). */
  readonly why?: string;
  /** Watch window after the new release takes all traffic; 0 = not watched. */
  readonly watchMs: number;
  readonly drainTimeoutMs: number;
  readonly healthTimeoutMs: number;
  /** Paths GET-requested on each new replica before it takes traffic. */
  readonly warmup: readonly string[];
  readonly thresholds: DeployThresholds;
  /** Canary steps in percent, ascending, ending at 100. */
  readonly canary: readonly number[];
  /** Watch of each canary step below 100%; the 100% step gets `watchMs`. */
  readonly canaryStepWatchMs: number;
  readonly rolling: RollingPolicy;
}

/** berth's rolling defaults where neither x-berth nor compose's `deploy.update_config` says. */
export const ROLLING_DEFAULTS = { parallelism: 1, order: 'start-first' } as const;

/**
 * The resolved policy of a service:
 * - `job` when compose's `deploy.mode` is `replicated-job` / `global-job`; or, with no `x-berth.deploy.strategy`
 *   written, when the service looks one-shot: `restart: no`, no ports, no expose, no routes and no healthcheck
 *   (a long-running worker should say `restart:`, which compose users do anyway to survive crashes);
 * - else `x-berth.deploy.strategy`; without it, rolling when compose's `deploy.update_config` asks for rolling
 *   updates or the service has no x-berth routes, else blue-green;
 * - rolling `parallelism` / `order`: x-berth, else compose's `deploy.update_config` (parallelism 0 = all replicas at
 *   once, as in swarm), else 1 / start-first.
 */
export function deployPolicy(service: Service): DeployPolicy {
  const deploy: BerthDeploy = service.berth.deploy ?? DEPLOY_DEFAULTS;
  const why = jobReason(service, deploy);
  return {
    service: service.name,
    strategy: why === undefined ? deploy.strategy ?? defaultStrategy(service) : 'job',
    ...(why === undefined ? {} : { why }),
    watchMs: deploy.watchMs,
    drainTimeoutMs: deploy.drainTimeoutMs,
    healthTimeoutMs: deploy.healthTimeoutMs,
    warmup: deploy.warmup,
    thresholds: deploy.thresholds,
    canary: deploy.canary.steps,
    canaryStepWatchMs: deploy.canary.stepWatchMs,
    rolling: rollingPolicy(service, deploy),
  };
}

function defaultStrategy(service: Service): DeployStrategy {
  if (service.deploy?.updateConfig !== undefined) return 'rolling';
  return service.berth.routes.length > 0 ? 'blue-green' : 'rolling';
}

function jobReason(service: Service, deploy: BerthDeploy): string | undefined {
  const mode = service.deploy?.mode;
  if (mode === 'replicated-job' || mode === 'global-job') return `deploy.mode ${mode}`;
  const oneShot = deploy.strategy === undefined && service.restart.kind === 'no' && service.ports.length === 0
    && service.expose.length === 0 && service.berth.routes.length === 0
    && service.healthcheck === undefined && service.berth.health === undefined;
  return oneShot ? 'restart: no, no ports or routes' : undefined;
}

function rollingPolicy(service: Service, deploy: BerthDeploy): RollingPolicy {
  const compose = service.deploy?.updateConfig;
  const composeParallelism = compose && (compose.parallelism === 0 ? service.replicas : compose.parallelism);
  const parallelism = deploy.rolling.parallelism ?? composeParallelism ?? ROLLING_DEFAULTS.parallelism;
  return {
    parallelism: Math.max(1, Math.min(parallelism, service.replicas)),
    order: deploy.rolling.order ?? compose?.order ?? ROLLING_DEFAULTS.order,
    maxUnavailable: deploy.rolling.maxUnavailable,
    delayMs: compose?.delayMs ?? 0,
  };
}

/**
 * One line for progress output: `blue-green, watch 60s, drain 30s`, `rolling 2 at a time start-first, …`,
 * `canary 10% → 50% → 100% (20s per step), …`, `job: runs once (deploy.mode replicated-job)`.
 */
export function describePolicy(policy: DeployPolicy): string {
  switch (policy.strategy) {
    case 'job':
      return `job: runs once${policy.why === undefined ? '' : ` (${policy.why})`}`;
    case 'blue-green':
      return `blue-green, ${timingText(policy)}`;
    case 'recreate':
      return `recreate (stops the old replicas first: downtime), ${timingText(policy)}`;
    case 'rolling': {
      const { parallelism, order, maxUnavailable, delayMs } = policy.rolling;
      const unavailable = maxUnavailable > 0 ? `, up to ${maxUnavailable} unavailable` : '';
      const delay = delayMs > 0 ? `, ${shortDuration(delayMs)} between batches` : '';
      return `rolling ${parallelism} at a time ${order}${unavailable}${delay}, ${timingText(policy)}`;
    }
    case 'canary': {
      const steps = policy.canary.map((step) => `${step}%`).join(' → ');
      return `canary ${steps} (${shortDuration(policy.canaryStepWatchMs)} per step), ${timingText(policy)}`;
    }
    default:
      return assertNever(policy.strategy);
  }
}

function timingText(policy: DeployPolicy): string {
  const watch = policy.watchMs === 0 ? 'no watch' : `watch ${shortDuration(policy.watchMs)}`;
  return `${watch}, drain ${shortDuration(policy.drainTimeoutMs)}`;
}

/** `60s`, `90s`, `2m`, `5m`; anything else as compose prints durations (`1m30.5s`). */
function shortDuration(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return formatDuration(ms);
}

function assertNever(value: never): never {
  throw new Error(`unexpected deploy strategy ${JSON.stringify(value)}`);
}
