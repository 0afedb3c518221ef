import { Baseline, watchWindow } from './watch.js';
import { drain, liveReplicas, phase, retire, route, type ServiceDeploy, type ServiceOutcome, startNew, StepFailed } from './service-deploy.js';
import { trafficSplit, trafficTo } from './traffic.js';

/**
 * Blue-green (and canary, which is blue-green with traffic moved in steps): the new release starts beside the
 * old one and must be healthy (and warmed up) before it gets any traffic; then traffic switches in one change of
 * the proxy's pool, the old release stays warm through the watch window (and takes a retry of any 5xx the new one
 * answers to an idempotent request), and a failing health or a 5xx / latency regression switches back. Passed, the
 * old release is drained (in-flight requests and WebSockets finish, up to the drain timeout) and stopped.
 */
export async function blueGreen(d: ServiceDeploy, steps: readonly number[] = [100]): Promise<ServiceOutcome> {
  const old = liveReplicas(d).map((r) => r.replica);
  const count = d.service.replicas;
  // Until the switch, the proxy keeps sending to the old replicas only, however ready the new ones are.
  if (old.length > 0) route(d, trafficTo(old));
  const baseline = new Baseline(d, old);
  let fresh: number[];
  try {
    fresh = await startNew(d, count);
  } catch (error) {
    baseline.close();
    route(d, undefined);
    if (error instanceof StepFailed) return { ok: false, reason: error.message, served: false, oldServing: true };
    throw error;
  }
  if (old.length === 0 || count === 0) {
    baseline.close();
    route(d, undefined);
    return { ok: true };
  }
  // From the first move of traffic on, the old replicas' requests are no longer a clean baseline.
  baseline.close();
  try {
    for (const percent of steps.filter((p) => p < 100)) {
      await phase(d, 'canary', `${percent}% of requests → ${d.release}`, async () => route(d, trafficSplit(old, fresh, percent)));
      const reason = await watchWindow(d, fresh, old, baseline, d.policy.canaryStepWatchMs);
      if (reason !== undefined) return await switchBack(d, old, fresh, reason);
    }
    await phase(d, 'switch', `all requests → ${d.release}`, async () => route(d, trafficTo(fresh, old)));
    const reason = await watchWindow(d, fresh, old, baseline, d.policy.watchMs);
    if (reason !== undefined) return await switchBack(d, old, fresh, reason);
  } finally {
    baseline.close();
  }
  route(d, trafficTo(fresh));
  await phase(d, 'drain', `${old.length} old ${old.length === 1 ? 'replica' : 'replicas'}`, () => drain(d, old));
  await phase(d, 'stop', undefined, () => retire(d, old, `replaced by ${d.release}`));
  route(d, undefined);
  return { ok: true };
}

/** Traffic back to the old release (still warm), then the new replicas drained and stopped. */
async function switchBack(d: ServiceDeploy, old: readonly number[], fresh: readonly number[], reason: string): Promise<ServiceOutcome> {
  await phase(d, 'rollback', reason, async () => {
    route(d, trafficTo(old));
    await drain(d, fresh);
    await retire(d, fresh, `rolled back: ${reason}`);
    route(d, undefined);
  });
  return { ok: false, reason, served: true, oldServing: true };
}
