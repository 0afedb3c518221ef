import { describe, expect, it } from 'vitest';
import { planAddReplicas, planRetire } from '../plan/deploy-plans.js';
import { recoverInterrupted } from './recover.js';
import { routed, setup } from './test-target.js';
import { trafficTo } from './traffic.js';

describe('recoverInterrupted (a daemon died mid-deploy)', () => {
  it('rolls back a release whose old replicas still run: traffic pinned to them first, then the new ones stopped', async () => {
    const { target, releases, stack, supervisor } = await setup([routed('api')]);
    const service = stack.services.api!;
    const r2 = releases.create('deploy', [{ ...service, environment: { V: '2' } }]);
    expect((await supervisor.apply(stack, planAddReplicas(stack, service, [3, 4], r2.id))).ok).toBe(true);
    const out = await recoverInterrupted(stack, target, releases);
    expect(out).toEqual([{ release: 'r2', service: 'api', kept: 'old' }]);
    expect(target.pins).toEqual([{ service: 'api', serving: [1, 2], standby: [] }, { service: 'api', serving: [], standby: [] }]);
    expect(supervisor.status().map((r) => `${r.replica}:${r.release}`)).toEqual(['1:r1', '2:r1']);
    expect(releases.get(r2.id)).toMatchObject({ status: 'interrupted', reason: expect.stringMatching(/rolled back/) });
  });

  it('keeps a release that had already replaced the old replicas, and marks it active', async () => {
    const { target, releases, stack, supervisor } = await setup([routed('api', { replicas: 1 })]);
    const service = stack.services.api!;
    const r2 = releases.create('deploy', [service]);
    await supervisor.apply(stack, planAddReplicas(stack, service, [2], r2.id));
    target.setTraffic('api', trafficTo([2]));
    const old = supervisor.observed().replicas.filter((r) => r.replica === 1);
    await supervisor.apply(stack, planRetire(old, 'replaced'));
    expect(await recoverInterrupted(stack, target, releases)).toEqual([{ release: 'r2', service: 'api', kept: 'new' }]);
    expect(supervisor.status().map((r) => `${r.replica}:${r.release}`)).toEqual(['2:r2']);
    expect(releases.get(r2.id)?.status).toBe('active');
    expect(releases.current('api')?.id).toBe('r2');
  });
});
