import { describe, expect, it } from 'vitest';
import { trafficSplit, trafficTo } from '../deploy/traffic.js';
import { instanceId } from '../model/ids.js';
import type { ReplicaView } from '../supervisor/supervisor.js';
import { proxyReplicas } from './proxy-replicas.js';

const view = (service: string, replica: number, fields: Partial<ReplicaView> = {}): ReplicaView => ({
  service, replica, instanceId: instanceId(`${service}-${replica}`), status: 'running', restarts: 0, since: 0,
  endpoints: { 8000: { host: '127.0.0.1', port: 9000 + replica } }, ...fields,
});

describe('proxyReplicas', () => {
  it('sends traffic to every running healthy replica of a service that is not under deploy', () => {
    const out = proxyReplicas([view('api', 1), view('api', 2, { health: 'starting' }), view('api', 3, { status: 'restarting' })], new Map());
    expect(out.map((r) => r.ready)).toEqual([true, false, false]);
  });

  it('keeps ready new replicas out until the switch, then serves them with the old ones on standby', () => {
    const replicas = [view('api', 1), view('api', 2), view('web', 1)];
    const before = proxyReplicas(replicas, new Map([['api', trafficTo([1])]]));
    expect(before.map((r) => [r.service, r.ready, r.standby ?? false])).toEqual([['api', true, false], ['api', false, false], ['web', true, false]]);
    const after = proxyReplicas(replicas, new Map([['api', trafficTo([2], [1])]]));
    expect(after.map((r) => [r.ready, r.standby ?? false])).toEqual([[true, true], [true, false], [true, false]]);
  });

  it('weights canary steps per replica so the share holds whatever the replica counts', () => {
    const out = proxyReplicas([view('api', 1), view('api', 2), view('api', 3)], new Map([['api', trafficSplit([1, 2], [3], 10)]]));
    const weights = out.map((r) => r.weight ?? 0);
    expect(weights[2]! / weights.reduce((a, b) => a + b, 0)).toBeCloseTo(0.1);
  });

  it('does not serve a pinned replica that is not healthy', () => {
    expect(proxyReplicas([view('api', 1, { health: 'unhealthy' })], new Map([['api', trafficTo([1])]]))[0]?.ready).toBe(false);
  });
});
