import { describe, expect, it } from 'vitest';
import type { BerthDeploy, BerthRoute } from '../model/berth-options.js';
import type { DeploySpec, Service, UpdateConfig } from '../model/stack.js';
import { DEPLOY_DEFAULTS } from '../spec/berth-deploy.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import { deployPolicy, describePolicy, type DeployPolicy } from './strategy.js';

const ROUTE: BerthRoute = { hosts: ['shop.localhost'], paths: ['/'], stripPrefix: false };

/** A long-running service (restart: always) with optional routes, x-berth deploy and compose deploy. */
function service(fields: Partial<Service> & { routes?: readonly BerthRoute[]; berthDeploy?: Partial<BerthDeploy> } = {}): Service {
  const { routes = [], berthDeploy, ...rest } = fields;
  return testService('web', {
    restart: { kind: 'always' },
    berth: { routes, other: {}, ...(berthDeploy === undefined ? {} : { deploy: { ...DEPLOY_DEFAULTS, ...berthDeploy } }) },
    ...rest,
  });
}

function composeDeploy(updateConfig?: Partial<UpdateConfig>, mode: DeploySpec['mode'] = 'replicated'): DeploySpec {
  const update: UpdateConfig = { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'stop-first', ...updateConfig };
  return { mode, limits: {}, reservations: {}, labels: {}, ...(updateConfig === undefined ? {} : { updateConfig: update }) };
}

const ROLLING = { parallelism: 1, order: 'start-first', maxUnavailable: 0, delayMs: 0 } as const;
const TIMINGS = {
  service: 'web', watchMs: 60_000, drainTimeoutMs: 30_000, healthTimeoutMs: 120_000, warmup: [],
  thresholds: { errorRate: 0.05, latencyFactor: 2, minRequests: 20 },
  canary: [10, 50, 100], canaryStepWatchMs: 20_000, rolling: ROLLING,
} as const;

describe('deployPolicy', () => {
  it('deploys a routed service blue-green with every default', () => {
    expect(deployPolicy(service({ routes: [ROUTE] }))).toEqual({ ...TIMINGS, strategy: 'blue-green' });
    expect(deployPolicy(service({ routes: [ROUTE] })).why).toBeUndefined();
  });

  it('rolls a service without routes one replica at a time, start-first, none unavailable', () => {
    expect(deployPolicy(service({ replicas: 3 }))).toEqual({ ...TIMINGS, strategy: 'rolling' });
  });

  it('takes rolling parallelism, order and delay from compose deploy.update_config when x-berth does not say', () => {
    const policy = deployPolicy(service({ replicas: 4, deploy: composeDeploy({ parallelism: 2, order: 'stop-first', delayMs: 5_000 }) }));
    expect(policy).toMatchObject({ strategy: 'rolling', rolling: { parallelism: 2, order: 'stop-first', maxUnavailable: 0, delayMs: 5_000 } });
  });

  it('rolls a routed service when compose deploy.update_config asks for rolling updates, unless x-berth says otherwise', () => {
    expect(deployPolicy(service({ routes: [ROUTE], deploy: composeDeploy({ parallelism: 1 }) })).strategy).toBe('rolling');
    expect(deployPolicy(service({ routes: [ROUTE], deploy: composeDeploy() })).strategy).toBe('blue-green');
  });

  it('reads compose parallelism 0 as all replicas at once', () => {
    const policy = deployPolicy(service({ replicas: 3, deploy: composeDeploy({ parallelism: 0, order: 'start-first' }) }));
    expect(policy).toMatchObject({ rolling: { parallelism: 3, order: 'start-first' } });
  });

  it('prefers x-berth rolling settings over compose update_config', () => {
    const policy = deployPolicy(service({
      replicas: 4, deploy: composeDeploy({ parallelism: 2, order: 'stop-first' }),
      berthDeploy: { rolling: { parallelism: 3, order: 'start-first', maxUnavailable: 1 } },
    }));
    expect(policy).toMatchObject({ rolling: { parallelism: 3, order: 'start-first', maxUnavailable: 1 } });
  });

  it('never replaces more replicas per batch than the service has', () => {
    const policy = deployPolicy(service({ replicas: 2, berthDeploy: { rolling: { parallelism: 5, maxUnavailable: 0 } } }));
    expect(policy).toMatchObject({ rolling: { parallelism: 2 } });
  });

  it('uses the written strategy and timings over the defaults', () => {
    const policy = deployPolicy(service({
      routes: [ROUTE],
      berthDeploy: { strategy: 'canary', watchMs: 0, drainTimeoutMs: 5_000, warmup: ['/'], canary: { steps: [25, 100], stepWatchMs: 10_000 } },
    }));
    expect(policy).toEqual({
      ...TIMINGS, watchMs: 0, drainTimeoutMs: 5_000, warmup: ['/'], strategy: 'canary', canary: [25, 100], canaryStepWatchMs: 10_000,
    });
    expect(deployPolicy(service({ routes: [ROUTE], berthDeploy: { strategy: 'recreate' } }))).toEqual({ ...TIMINGS, strategy: 'recreate' });
  });

  it.each<[string, Partial<Service>, string]>([
    ['a compose replicated-job', { deploy: composeDeploy(undefined, 'replicated-job') }, 'deploy.mode replicated-job'],
    ['a compose global-job, even with ports', { deploy: composeDeploy(undefined, 'global-job'), ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }] }, 'deploy.mode global-job'],
    ['a restart: no service without ports', { restart: { kind: 'no' } }, 'restart: no, no ports or routes'],
  ])('runs %s once as a job', (_name, fields, why) => {
    expect(deployPolicy(service(fields))).toMatchObject({ strategy: 'job', service: 'web', why });
  });

  it.each<[string, Partial<Service> & { routes?: readonly BerthRoute[]; berthDeploy?: Partial<BerthDeploy> }]>([
    ['it publishes a port', { ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }] }],
    ['it exposes a port', { expose: ['80'] }],
    ['it has routes', { routes: [ROUTE] }],
    ['it has a healthcheck', { healthcheck: { test: { kind: 'exec', argv: ['true'] }, intervalMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 0, startIntervalMs: 1 } }],
    ['a strategy is written', { berthDeploy: { strategy: 'recreate' } }],
  ])('does not take a restart: no service for a job when %s', (_name, fields) => {
    expect(deployPolicy(service({ restart: { kind: 'no' }, ...fields })).strategy).not.toBe('job');
  });
});

describe('describePolicy', () => {
  const bg = deployPolicy(service({ routes: [ROUTE] }));
  it.each<[DeployPolicy, string]>([
    [bg, 'blue-green, watch 60s, drain 30s'],
    [{ ...TIMINGS, strategy: 'blue-green', watchMs: 0, drainTimeoutMs: 1_500 }, 'blue-green, no watch, drain 1.5s'],
    [{ ...TIMINGS, strategy: 'recreate', watchMs: 300_000 }, 'recreate (stops the old replicas first: downtime), watch 5m, drain 30s'],
    [{ ...TIMINGS, strategy: 'rolling', rolling: { ...ROLLING, parallelism: 2, order: 'stop-first' } }, 'rolling 2 at a time stop-first, watch 60s, drain 30s'],
    [{ ...TIMINGS, strategy: 'rolling', rolling: { ...ROLLING, maxUnavailable: 1, delayMs: 10_000 } }, 'rolling 1 at a time start-first, up to 1 unavailable, 10s between batches, watch 60s, drain 30s'],
    [{ ...TIMINGS, strategy: 'canary' }, 'canary 10% → 50% → 100% (20s per step), watch 60s, drain 30s'],
    [{ ...TIMINGS, strategy: 'job', service: 'migrate', why: 'deploy.mode replicated-job' }, 'job: runs once (deploy.mode replicated-job)'],
  ])('describes %j', (policy, text) => {
    expect(describePolicy(policy)).toBe(text);
  });
});
