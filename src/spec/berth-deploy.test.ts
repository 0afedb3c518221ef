import { describe, expect, it } from 'vitest';
import { DEPLOY_DEFAULTS, serializeDeploy } from './berth-deploy.js';
import { parseBerthServiceOptions } from './berth-options.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';

/** Parses `services.web.x-berth` with `line` as its body (indented under it). */
function deploy(line: string) {
  const parsed = parseYaml(`services:\n  web:\n    x-berth:\n      ${line}\n`, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  const root = parsed.value as { services: { web: Record<string, unknown> } };
  const options = parseBerthServiceOptions(root.services.web['x-berth'], ctx, ['services', 'web', 'x-berth']);
  return { deploy: options.deploy, lines: ctx.issues.map((issue) => issue.format()) };
}

describe('x-berth deploy', () => {
  it('is absent when the service has no x-berth deploy', () => {
    expect(deploy('routes: []')).toEqual({ deploy: undefined, lines: [] });
  });

  it('fills every default for an empty mapping, leaving strategy and rolling parallelism/order to the service', () => {
    expect(deploy('deploy: {}')).toEqual({
      deploy: {
        watchMs: 60_000, drainTimeoutMs: 30_000, healthTimeoutMs: 120_000, warmup: [],
        canary: { steps: [10, 50, 100], stepWatchMs: 20_000 },
        rolling: { maxUnavailable: 0 },
        thresholds: { errorRate: 0.05, latencyFactor: 2, minRequests: 20 },
      },
      lines: [],
    });
    expect(deploy('deploy: {}').deploy).toEqual(DEPLOY_DEFAULTS);
  });

  it('reads every key, accepting numbers interpolation left as strings and percentages', () => {
    const line = 'deploy: {strategy: canary, watch: 2m, drain_timeout: 10s, health_timeout: 1m, warmup: [/, /api/ping], '
      + 'canary: [5, "25%", 100], canary_step_watch: 30s, rolling: {parallelism: "3", order: stop-first, max_unavailable: 1}, '
      + 'thresholds: {error_rate: 2%, latency_factor: "1.5", min_requests: "50"}}';
    expect(deploy(line)).toEqual({
      deploy: {
        strategy: 'canary', watchMs: 120_000, drainTimeoutMs: 10_000, healthTimeoutMs: 60_000, warmup: ['/', '/api/ping'],
        canary: { steps: [5, 25, 100], stepWatchMs: 30_000 },
        rolling: { parallelism: 3, order: 'stop-first', maxUnavailable: 1 },
        thresholds: { errorRate: 0.02, latencyFactor: 1.5, minRequests: 50 },
      },
      lines: [],
    });
  });

  it('takes a single warmup path and a fractional error rate', () => {
    const parsed = deploy('deploy: {warmup: /health, thresholds: {error_rate: 0.1}}').deploy;
    expect(parsed?.warmup).toEqual(['/health']);
    expect(parsed?.thresholds.errorRate).toBe(0.1);
  });

  it.each([
    ['watch: 0', 60_000, 0, 0],
    ['watch: 90s', 60_000, 90_000, 30_000],
    ['watch: 90s, canary: [50, 100]', 60_000, 90_000, 45_000],
  ])('defaults the canary step watch to watch / number of steps (%s)', (keys, _default, watchMs, stepWatchMs) => {
    const parsed = deploy(`deploy: {${keys}}`).deploy;
    expect(parsed?.watchMs).toBe(watchMs);
    expect(parsed?.canary.stepWatchMs).toBe(stepWatchMs);
  });

  it.each([
    ['deploy: {strategy: blue}', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.deploy.strategy: expected one of: blue-green, rolling, canary, recreate, got "blue"'],
    ['deploy: {stratgy: rolling}', 'compose.yml:4:16 SPEC_BERTH services.web.x-berth.deploy.stratgy: unknown key `stratgy` in `x-berth.deploy` of service `web` — did you mean `strategy`?'],
    ['deploy: {watch: 10}', 'compose.yml:4:23 SPEC_DURATION services.web.x-berth.deploy.watch: cannot read duration "10": "10" has no unit\n  hint: use a duration like 10s, 1m30s or 500ms'],
    ['deploy: {watch: -1s}', 'compose.yml:4:23 SPEC_BERTH services.web.x-berth.deploy.watch: expected a duration of 0 or more, got "-1s"'],
    ['deploy: {health_timeout: 0}', 'compose.yml:4:32 SPEC_BERTH services.web.x-berth.deploy.health_timeout: expected a duration greater than 0, got 0'],
    ['deploy: {warmup: [health]}', 'compose.yml:4:25 SPEC_BERTH services.web.x-berth.deploy.warmup[0]: expected a path starting with `/`, got "health"'],
    ['deploy: {canary: [10, 50]}', 'compose.yml:4:24 SPEC_BERTH services.web.x-berth.deploy.canary: the last canary step must be 100%, got 50%\n  hint: e.g. canary: [10, 50, 100]: the release takes all traffic at the end'],
    ['deploy: {canary: [50, 10, 100]}', 'compose.yml:4:29 SPEC_BERTH services.web.x-berth.deploy.canary[1]: canary steps must go up: 10% comes after 50%\n  hint: e.g. canary: [10, 50, 100]'],
    ['deploy: {canary: [0, 100]}', 'compose.yml:4:25 SPEC_BERTH services.web.x-berth.deploy.canary[0]: expected a percentage from 1 to 100, got 0'],
    ['deploy: {canary: [half, 100]}', 'compose.yml:4:25 SPEC_BERTH services.web.x-berth.deploy.canary[0]: expected a percentage like 10 or 10%, got "half"'],
    ['deploy: {rolling: {parallelism: 0}}', 'compose.yml:4:39 SPEC_BERTH services.web.x-berth.deploy.rolling.parallelism: expected at least 1 replica at a time, got 0'],
    ['deploy: {rolling: {order: random}}', 'compose.yml:4:33 SPEC_BERTH services.web.x-berth.deploy.rolling.order: expected one of: start-first, stop-first, got "random"'],
    ['deploy: {thresholds: {error_rate: 5}}', 'compose.yml:4:41 SPEC_BERTH services.web.x-berth.deploy.thresholds.error_rate: expected a fraction from 0 to 1 or a percentage up to 100%, got 5\n  hint: e.g. error_rate: 0.05 or error_rate: 5%'],
    ['deploy: {thresholds: {error_rate: lots}}', 'compose.yml:4:41 SPEC_BERTH services.web.x-berth.deploy.thresholds.error_rate: expected a fraction like 0.05 or a percentage like 5%, got "lots"'],
    ['deploy: {thresholds: {latency_factor: 0.5}}', 'compose.yml:4:45 SPEC_BERTH services.web.x-berth.deploy.thresholds.latency_factor: expected a factor of 1 or more, got 0.5\n  hint: latency_factor: 2 rolls back when the new p95 latency is more than twice the old one'],
    ['deploy: {thresholds: {min_requests: 0}}', 'compose.yml:4:43 SPEC_BERTH services.web.x-berth.deploy.thresholds.min_requests: expected at least 1 request, got 0'],
  ])('reports %s at its position', (line, message) => {
    const parsed = deploy(line);
    expect(parsed.lines).toEqual([message]);
    expect(parsed.deploy).toBeUndefined();
  });

  it('prints back in a shape that reads to the same value', () => {
    const line = 'deploy: {strategy: rolling, watch: 0, warmup: [/], canary: [20, 100], rolling: {parallelism: 2, order: stop-first}, thresholds: {error_rate: 0.1}}';
    const first = deploy(line).deploy;
    expect(first).toBeDefined();
    const printed = JSON.stringify(serializeDeploy(first ?? DEPLOY_DEFAULTS));
    expect(deploy(`deploy: ${printed}`)).toEqual({ deploy: first, lines: [] });
  });
});
