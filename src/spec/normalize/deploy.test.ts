import { describe, expect, it } from 'vitest';
import { loadWeb } from './test-helpers.js';

describe('normalize: deploy', () => {
  it('reads resources in compose units', () => {
    const { web, ctx } = loadWeb({
      image: 'x',
      deploy: { resources: { limits: { cpus: '0.5', memory: '512M', pids: 100 }, reservations: { cpus: 0.25, memory: '1gb', devices: [{ capabilities: ['gpu'] }] } } },
    });
    expect(ctx.issues).toEqual([]);
    expect(web.deploy).toEqual({
      mode: 'replicated',
      limits: { cpus: 0.5, memoryBytes: 536_870_912, pids: 100 },
      reservations: { cpus: 0.25, memoryBytes: 1_073_741_824, other: { devices: [{ capabilities: ['gpu'] }] } },
      labels: {},
    });
  });

  it('fills update_config and rollback_config with compose defaults', () => {
    const { web } = loadWeb({ image: 'x', deploy: { update_config: { parallelism: 2, order: 'start-first' }, rollback_config: {} } });
    expect(web.deploy?.updateConfig).toEqual({ parallelism: 2, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'start-first' });
    expect(web.deploy?.rollbackConfig).toEqual({ parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'stop-first' });
  });

  it('reads restart_policy, placement, labels, endpoint_mode and keeps other keys', () => {
    const { web } = loadWeb({
      image: 'x',
      deploy: {
        mode: 'global',
        restart_policy: { delay: '5s', max_attempts: 3, window: '2m' },
        placement: { constraints: ['node.role==manager'], preferences: [{ spread: 'node.labels.zone' }], max_replicas_per_node: 1 },
        labels: ['a=b'],
        endpoint_mode: 'dnsrr',
        'x-extra': true,
      },
    });
    expect(web.deploy).toEqual({
      mode: 'global',
      limits: {},
      reservations: {},
      restartPolicy: { condition: 'any', delayMs: 5000, maxAttempts: 3, windowMs: 120_000 },
      placement: { constraints: ['node.role==manager'], preferences: ['node.labels.zone'], maxReplicasPerNode: 1 },
      labels: { a: 'b' },
      endpointMode: 'dnsrr',
      other: { 'x-extra': true },
    });
  });

  it('reports a memory size it cannot read', () => {
    const { ctx } = loadWeb({ image: 'x', deploy: { resources: { limits: { memory: '2 lots' } } } });
    expect(ctx.issues[0]?.path).toBe('services.web.deploy.resources.limits.memory');
    expect(ctx.issues[0]?.message).toContain('"2 lots"');
  });
});
