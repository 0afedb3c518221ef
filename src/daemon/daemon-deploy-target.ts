import type { DeployTarget } from '../deploy/deploy-target.js';
import type { Traffic } from '../deploy/traffic.js';
import type { Stack } from '../model/stack.js';
import type { Plan } from '../plan/plan.js';
import type { RemoteEdgeProxy } from '../plane/remote-edge-proxy.js';
import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * The daemon's supervisor and edge proxy as a deploy sees them. Traffic pins are kept here and applied to the
 * proxy's pools at once (`applyTraffic`), so that a switch is one change of each pool.
 */
export class DaemonDeployTarget implements DeployTarget {
  readonly traffic = new Map<string, Traffic>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly proxy: () => RemoteEdgeProxy | undefined,
    private readonly applyTraffic: () => void,
  ) {}

  replicas(): ReturnType<Supervisor['status']> {
    return this.supervisor.status();
  }

  observed(): ReturnType<Supervisor['observed']> {
    return this.supervisor.observed();
  }

  apply(stack: Stack, plan: Plan, signal: AbortSignal): ReturnType<Supervisor['apply']> {
    return this.supervisor.apply(stack, plan, { signal });
  }

  waitReady(service: string, replicas: readonly number[], timeoutMs: number, signal: AbortSignal): ReturnType<Supervisor['waitReady']> {
    return this.supervisor.waitReady(service, replicas, { timeoutMs, signal });
  }

  setTraffic(service: string, traffic: Traffic | undefined): void {
    if (traffic === undefined) this.traffic.delete(service);
    else this.traffic.set(service, traffic);
    this.applyTraffic();
  }

  async inFlight(upstreams: readonly string[]): Promise<number> {
    return (await this.proxy()?.inFlight(upstreams)) ?? 0;
  }

  onRecord(listener: (record: RequestRecord) => void): () => void {
    return this.proxy()?.onRecord(listener) ?? (() => undefined);
  }
}
