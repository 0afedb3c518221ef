import { describe, expect, it } from 'vitest';
import { MemoryRuntime } from '../../test/support/memory-runtime.js';
import { BerthError } from '../errors.js';
import type { Service, Stack } from '../model/stack.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import type { DeployEvent } from './deploy-events.js';
import { rollbackRequest } from './rollback.js';
import { routed, setup, type TestTarget } from './test-target.js';

const events: DeployEvent[] = [];
const collect = (event: DeployEvent): void => void events.push(event);
const changed = (stack: Stack, name: string, env: Record<string, string>): Stack =>
  ({ ...stack, services: { ...stack.services, [name]: { ...(stack.services[name] as Service), environment: env } } });
const running = (t: TestTarget, service: string) =>
  t.replicas().filter((r) => r.service === service && r.status === 'running').map((r) => `${r.replica}:${r.release}`);

describe('Deployer', () => {
  it('blue-green: starts the new release beside the old, switches with the old on standby, then drains and stops the old', async () => {
    const { target, deployer, stack, releases } = await setup([routed('api')]);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'] }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, release: 'r2', services: [{ service: 'api', strategy: 'blue-green', ok: true }] });
    expect(target.pins).toEqual([
      { service: 'api', serving: [1, 2], standby: [] },
      { service: 'api', serving: [3, 4], standby: [1, 2] },
      { service: 'api', serving: [3, 4], standby: [] },
      { service: 'api', serving: [], standby: [] },
    ]);
    expect(running(target, 'api')).toEqual(['3:r2', '4:r2']);
    expect(releases.get(result.release as never)?.status).toBe('active');
  });

  it('never gives traffic to a release whose replicas do not become ready, and keeps the old one', async () => {
    const runtime = new MemoryRuntime({ behaviorFor: (spec) => (spec.env.BERTH_RELEASE === 'r2' ? { exitAfterMs: 0, exitCode: 3 } : undefined) });
    const { target, deployer, stack, releases } = await setup([routed('api')], runtime);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'] }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: false, rolledBack: true });
    expect(result.reason).toMatch(/api: new replicas never became healthy: api#3 keeps crashing/);
    expect(target.pins.every((pin) => pin.serving.every((n) => n <= 2))).toBe(true);
    expect(running(target, 'api')).toEqual(['1:r1', '2:r1']);
    expect(releases.get('r2' as never)?.status).toBe('failed');
  });

  it('runs the jobs a service waits for first, and a failing job stops the deploy before any replica starts', async () => {
    const migrate = testService('migrate');
    const api = routed('api', { dependsOn: { migrate: { condition: 'service_completed_successfully', restart: false, required: true } } });
    const runtime = new MemoryRuntime({ behaviorFor: (spec) => (spec.service.name === 'migrate' ? { exitAfterMs: 0, exitCode: spec.env.BERTH_RELEASE === 'r1' ? 0 : 1 } : undefined) });
    const { target, deployer, stack } = await setup([migrate, api], runtime);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'] }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: false, rolledBack: true, services: [{ service: 'migrate', strategy: 'job', ok: false }] });
    expect(result.reason).toMatch(/migrate failed: .*exited with code 1/);
    expect(target.pins).toEqual([]);
    expect(running(target, 'api')).toEqual(['1:r1', '2:r1']);
  });

  it('rolls back in the watch window when the new release answers 5xx far more than the old one did', async () => {
    const { target, deployer, stack, releases } = await setup([routed('api')]);
    const deploying = deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'], watchMs: 3_000 }, collect, new AbortController().signal);
    await until(() => target.pins.length === 1);
    target.serve('api', [1, 2], 50, () => ({ status: 200, durationMs: 5 }));
    await until(() => target.pins.length === 2);
    target.serve('api', [3, 4], 50, (i) => ({ status: i % 3 === 0 ? 500 : 200, durationMs: 5 }));
    const result = await deploying;
    expect(result).toMatchObject({ ok: false, rolledBack: true });
    expect(result.reason).toMatch(/5xx/);
    expect(target.pins.at(-2)).toEqual({ service: 'api', serving: [1, 2], standby: [] });
    expect(running(target, 'api')).toEqual(['1:r1', '2:r1']);
    expect(releases.get('r2' as never)?.status).toBe('rolled-back');
  });

  it('rolls back when the new release is three times slower', async () => {
    const { target, deployer, stack } = await setup([routed('api')]);
    const deploying = deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'], watchMs: 4_000 }, collect, new AbortController().signal);
    await until(() => target.pins.length === 1);
    target.serve('api', [1, 2], 50, () => ({ status: 200, durationMs: 20 }));
    await until(() => target.pins.length === 2);
    // Cold first second: not counted for latency.
    target.serve('api', [3, 4], 50, () => ({ status: 200, durationMs: 500 }));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    target.serve('api', [3, 4], 50, () => ({ status: 200, durationMs: 60 }));
    const result = await deploying;
    expect(result.reason).toMatch(/p95 latency 60 ms vs 20 ms/);
    expect(running(target, 'api')).toEqual(['1:r1', '2:r1']);
  });

  it('refuses a second deploy of a service under deploy, and a deploy where nothing changed', async () => {
    const { deployer, stack } = await setup([routed('api')]);
    const first = deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'] }, collect, new AbortController().signal);
    await expect(deployer.deploy({ stack, services: ['api'] }, collect, new AbortController().signal)).rejects.toMatchObject({ code: 'DEPLOY_BUSY' });
    await first;
    const error = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: [] }, collect, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(/nothing to deploy/) });
  });

  it('rolling: replaces an unrouted worker one replica at a time, never fewer running than asked', async () => {
    const worker = testService('worker', { replicas: 3, restart: { kind: 'always' } });
    const { target, deployer, stack } = await setup([worker]);
    let fewest = 3;
    const watch = setInterval(() => { fewest = Math.min(fewest, running(target, 'worker').length); }, 1);
    const result = await deployer.deploy({ stack: changed(stack, 'worker', { V: '2' }), services: ['worker'], watchMs: 0 }, collect, new AbortController().signal);
    clearInterval(watch);
    expect(result).toMatchObject({ ok: true, services: [{ strategy: 'rolling', ok: true }] });
    expect(running(target, 'worker').map((r) => r.split(':')[1])).toEqual(['r2', 'r2', 'r2']);
    expect(fewest).toBe(3);
  });

  it('canary: moves traffic in weighted steps, each watched, then switches with the old on standby', async () => {
    const { target, deployer, stack } = await setup([routed('api')]);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'], strategy: 'canary' }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, services: [{ strategy: 'canary', ok: true }] });
    expect(target.pins.slice(0, 3)).toEqual([
      { service: 'api', serving: [1, 2], standby: [] },
      { service: 'api', serving: [1, 2, 3, 4], standby: [] },
      { service: 'api', serving: [3, 4], standby: [1, 2] },
    ]);
    expect(events.some((e) => e.phase === 'canary' && e.detail === '50% of requests → r2')).toBe(true);
  });

  it('rolling a routed service: traffic leaves each old batch before it stops (freed numbers are reused)', async () => {
    const { target, deployer, stack } = await setup([routed('api')]);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'], strategy: 'rolling', watchMs: 0 }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, services: [{ strategy: 'rolling', ok: true }] });
    expect(target.pins).toEqual([
      { service: 'api', serving: [2, 3], standby: [] },
      { service: 'api', serving: [3, 1], standby: [] },
      { service: 'api', serving: [], standby: [] },
    ]);
    expect(running(target, 'api')).toEqual(['1:r2', '3:r2']);
  });

  it('recreate: stops the old replicas before starting the new ones', async () => {
    const { target, deployer, stack, runtime } = await setup([routed('api', { replicas: 1 })]);
    const result = await deployer.deploy({ stack: changed(stack, 'api', { V: '2' }), services: ['api'], strategy: 'recreate' }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, services: [{ strategy: 'recreate' }] });
    expect(runtime.calls.slice(-4)).toEqual(['stop api#1', 'remove api#1', 'create api#1', 'start api#1']);
    expect(running(target, 'api')).toEqual(['1:r2']);
  });

  it('rollback deploys the definition of the release before the newest, as a new release', async () => {
    const { target, deployer, stack, releases } = await setup([routed('api', { replicas: 1 })]);
    const next = changed(stack, 'api', { V: '2' });
    expect((await deployer.deploy({ stack: next, services: ['api'], watchMs: 0 }, collect, new AbortController().signal)).ok).toBe(true);
    const request = rollbackRequest(next, releases, undefined);
    expect(request.rollbackOf).toBe('r1');
    expect(request.stack.services.api?.environment).toEqual({});
    const result = await deployer.deploy({ ...request, watchMs: 0 }, collect, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, release: 'r3' });
    expect(releases.get('r3' as never)).toMatchObject({ kind: 'rollback', rollbackOf: 'r1', status: 'active' });
    expect(releases.get('r2' as never)).toMatchObject({ status: 'rolled-back', reason: 'undone by r3 (rollback to r1)' });
    expect(running(target, 'api')).toEqual(['1:r3']);
    expect(() => rollbackRequest(next, releases, 'r99')).toThrow(/there is no release "r99"/);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
