import type { Traffic } from '../deploy/traffic.js';
import type { ProxyReplica } from '../proxy/edge-proxy.js';
import type { ReplicaView } from '../supervisor/supervisor.js';

/**
 * What the edge proxy's pools should hold: every running replica that is healthy (when it has a probe), except
 * that a service under deploy sends traffic only where its Traffic says — the serving replicas with their
 * weights, the standby ones kept warm as a fallback, the others (new replicas not switched to yet) none.
 */
export function proxyReplicas(replicas: readonly ReplicaView[], traffic: ReadonlyMap<string, Traffic>): ProxyReplica[] {
  return replicas.map((r) => {
    const ready = r.status === 'running' && (r.health === undefined || r.health === 'healthy');
    const pinned = traffic.get(r.service);
    if (pinned === undefined) return { service: r.service, ready, endpoints: r.endpoints };
    const weight = pinned.serving.get(r.replica);
    if (weight !== undefined) return { service: r.service, ready, endpoints: r.endpoints, weight };
    if (pinned.standby.has(r.replica)) return { service: r.service, ready, endpoints: r.endpoints, standby: true };
    return { service: r.service, ready: false, endpoints: r.endpoints };
  });
}
